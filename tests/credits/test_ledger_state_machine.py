"""Random sequences of ledger operations against a small in-memory model of the account."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from credits.exceptions import (
    AlreadyReversed,
    HoldNotActive,
    InsufficientCredits,
    NotReversible,
)
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import ledger_verify
from credits.services import (
    credits_adjust,
    credits_charge,
    credits_expire,
    credits_place_hold,
    credits_release_hold,
    credits_reverse,
    credits_top_up,
)
from tests.factories import make_credit_account, make_staff_user

credits = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("20"), places=2)
signed = credits.flatmap(lambda c: st.sampled_from([c, -c]))
minimums = st.sampled_from([None, Decimal("0"), Decimal("1"), Decimal("2"), Decimal("3.5")])
pick = st.integers(min_value=0, max_value=1_000)


class LedgerMachine(RuleBasedStateMachine):
    staff = None

    def __init__(self) -> None:
        super().__init__()
        self.account = make_credit_account()
        self.balance = Decimal("0")
        self.active: dict[int, Decimal] = {}  # hold pk -> credits
        self.holds: list = []  # every hold ever placed
        self.entries: list[LedgerEntry] = []
        self.reversed: set[int] = set()

    @property
    def available(self) -> Decimal:
        return self.balance - sum(self.active.values(), Decimal("0"))

    def _written(self, entry: LedgerEntry) -> None:
        self.entries.append(entry)
        self.balance += entry.credits

    @rule(amount=credits)
    def top_up(self, amount):
        self._written(credits_top_up(account=self.account, credits=amount))

    @rule(amount=signed)
    def adjust(self, amount):
        if amount < 0 and self.available < -amount:
            with pytest.raises(InsufficientCredits):
                credits_adjust(account=self.account, credits=amount, reason="r", by=self.staff)
            return
        self._written(
            credits_adjust(account=self.account, credits=amount, reason="r", by=self.staff)
        )

    @rule(amount=credits)
    def expire(self, amount):
        if self.available < amount:
            with pytest.raises(InsufficientCredits):
                credits_expire(account=self.account, credits=amount)
            return
        self._written(credits_expire(account=self.account, credits=amount))

    @rule(amount=credits, minimum=minimums)
    def place_hold(self, amount, minimum):
        needed = amount if minimum is None else max(amount, minimum)
        if self.available < needed:
            with pytest.raises(InsufficientCredits):
                credits_place_hold(
                    account=self.account, credits=amount, min_available_credits=minimum
                )
            return
        hold = credits_place_hold(
            account=self.account, credits=amount, min_available_credits=minimum
        )
        assert hold.available_after == self.available - amount >= 0
        self.holds.append(hold)
        self.active[hold.pk] = amount

    @rule(index=pick, amount=credits, with_hold=st.booleans())
    def charge(self, index, amount, with_hold):
        hold = self.holds[index % len(self.holds)] if with_hold and self.holds else None
        if hold is not None and hold.pk not in self.active:
            with pytest.raises(HoldNotActive):
                credits_charge(account=self.account, credits=amount, hold=hold)
            return
        self._written(credits_charge(account=self.account, credits=amount, hold=hold))
        if hold is not None:
            del self.active[hold.pk]

    @rule(index=pick)
    def release(self, index):
        if not self.holds:
            return
        hold = self.holds[index % len(self.holds)]
        if hold.pk not in self.active:
            with pytest.raises(HoldNotActive):
                credits_release_hold(hold=hold, account=self.account)
            return
        credits_release_hold(hold=hold, account=self.account)
        del self.active[hold.pk]

    @rule(index=pick)
    def reverse(self, index):
        if not self.entries:
            return
        entry = self.entries[index % len(self.entries)]
        call = {"entry": entry, "reason": "corrección", "account": self.account}
        if entry.kind == LedgerEntry.Kind.REVERSAL:
            expected = NotReversible
        elif entry.pk in self.reversed:
            expected = AlreadyReversed
        elif entry.credits > 0 and self.available < entry.credits:
            expected = InsufficientCredits
        else:
            self._written(credits_reverse(**call))
            self.reversed.add(entry.pk)
            return
        with pytest.raises(expected):
            credits_reverse(**call)

    @invariant()
    def balance_is_the_sum_of_entries_and_available_is_balance_minus_holds(self):
        row = CreditAccount.objects.get(pk=self.account.pk)
        # summed in Python: SQLite's SUM() adds decimals as floats
        total = sum(LedgerEntry.objects.filter(account=row).values_list("credits", flat=True))
        assert row.balance == total == self.balance
        assert row.held == sum(self.active.values(), Decimal("0"))
        assert row.available == self.available == self.account.available
        assert row.entry_count == len(self.entries)

    def teardown(self):
        assert ledger_verify(account_ids=[self.account.pk]).ok


def test_random_operation_sequences_keep_the_ledger_invariants(db):
    LedgerMachine.staff = make_staff_user()
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
