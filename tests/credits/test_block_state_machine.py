"""The ledger state machine, on an account whose credits expire: random sequences of
purchases and grants with and without validity, the month's included credits, holds,
charges of several open holds in any order, releases, reversals, expiries by hand, the
clock moving on and the expiry job, against the block rules (`credits.blocks`)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone
from djmoney.money import Money
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from credits.blocks import draw_key, valid
from credits.breakage import credit_breakage
from credits.exceptions import AlreadyReversed, HoldNotActive, InsufficientCredits, NotReversible
from credits.models import (
    BlockKind,
    BlockMovement,
    CreditAccount,
    CreditBlock,
    CreditHold,
    HoldAllocation,
    LedgerEntry,
    PlanCreditTerms,
)
from credits.selectors import ledger_verify
from credits.services import (
    credits_charge,
    credits_expire,
    credits_grant,
    credits_grant_included,
    credits_lapse_due,
    credits_place_hold,
    credits_release_hold,
    credits_reverse,
    credits_top_up,
)
from tests.factories import make_contract, make_credit_account

ZERO = Decimal("0")
START = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
credits = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("12"), places=2)
# hours of validity and of the clock moving on: mostly short, so that blocks lapse with holds
# open on them
hours = st.one_of(
    st.integers(min_value=1, max_value=48), st.integers(min_value=49, max_value=24 * 40)
)
validity = st.one_of(st.none(), hours)
minimums = st.sampled_from([None, Decimal("0"), Decimal("2")])
pick = st.integers(min_value=0, max_value=1_000)
# What a purchase cost (None: credits landed without a price)
prices = st.one_of(
    st.none(), st.decimals(min_value=Decimal("1"), max_value=Decimal("99999"), places=2)
)


def _reserved() -> dict[int, Decimal]:
    reserved: dict[int, Decimal] = {}
    for block_id, amount in HoldAllocation.objects.filter(hold__status="active").values_list(
        "block_id", "credits"
    ):
        reserved[block_id] = reserved.get(block_id, ZERO) + amount
    return reserved


def _free(block: CreditBlock, reserved: dict[int, Decimal]) -> Decimal:
    return max(block.remaining - reserved.get(block.pk, ZERO), ZERO)


class BlockLedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.traveller = time_machine.travel(START, tick=False)
        self.clock = self.traveller.start()
        self.contract = make_contract()
        PlanCreditTerms.objects.create(plan=self.contract.plan, monthly_credits=Decimal("3"))
        self.account = make_credit_account(self.contract.customer)
        self.holds: list[CreditHold] = []
        self.entries: list[LedgerEntry] = []
        self.seen = 0

    def teardown(self) -> None:
        self.traveller.stop()
        result = ledger_verify(account_ids=[self.account.pk])
        assert result.ok, result.broken
        self._breakage_adds_up()

    def _breakage_adds_up(self) -> None:
        """Finance's replay of the account lands on its blocks, in credits and in money."""
        rows = credit_breakage(
            start=START - timedelta(days=1),
            end=START + timedelta(days=5000),
            customer_id=self.account.customer_id,
        )
        row = CreditAccount.objects.get(pk=self.account.pk)
        blocks = CreditBlock.objects.filter(account=row).exclude(kind=BlockKind.DEBT)
        left = sum(blocks.values_list("remaining", flat=True), ZERO)
        expected = left if row.tracks_blocks else max(row.balance, ZERO)
        if not rows:
            assert expected == 0
            return
        (figures,) = rows
        c, v = figures.credits, figures.values
        assert c["outstanding"] == expected
        assert c["outstanding"] == (
            c["opening"]
            + c["sold"]
            + c["granted"]
            + c["adjusted"]
            - c["used"]
            - c["expired"]
            - c["refunded"]
        )
        assert v["outstanding"] == (
            v["opening"]
            + v["sold"]
            + v["granted"]
            + v["adjusted"]
            - v["used"]
            - v["expired"]
            - v["refunded"]
        )

    @initialize(opening=st.sampled_from([ZERO, Decimal("4"), Decimal("9.5")]), held=st.booleans())
    def credits_from_before_blocks(self, opening, held):
        """Credits that never expire, perhaps held, before the first ones that do."""
        if opening:
            credits_top_up(account=self.account, credits=opening)
            self.entries.extend(self._new_entries())
            if held:
                self.holds.append(credits_place_hold(account=self.account, credits="2"))

    # What every write must do first: lapse what is due.

    def _lapsable(self) -> Decimal:
        now = timezone.now()
        reserved = _reserved()
        return sum(
            (
                _free(block, reserved)
                for block in CreditBlock.objects.filter(account=self.account)
                if block.kind != BlockKind.DEBT and not valid(block, now)
            ),
            ZERO,
        )

    def _available_after_lapse(self) -> Decimal:
        row = CreditAccount.objects.get(pk=self.account.pk)
        return row.available - (self._lapsable() if row.tracks_blocks else ZERO)

    def _new_entries(self) -> list[LedgerEntry]:
        written = list(
            LedgerEntry.objects.filter(account=self.account, sequence__gt=self.seen).order_by(
                "sequence"
            )
        )
        if written:
            self.seen = written[-1].sequence
        return written

    def _expected_free_draws(self, need: Decimal, hold: CreditHold | None) -> dict[int, Decimal]:
        """The free credits a charge of `need` takes, in the draw order, after the hold's own
        reservation (the oracle)."""
        now = timezone.now()
        reserved = _reserved()
        blocks = {b.pk: b for b in CreditBlock.objects.filter(account=self.account)}
        if hold is not None:
            allocations = sorted(
                hold.allocations.values_list("block_id", "credits"),
                key=lambda a: draw_key(blocks[a[0]]),
            )
            for block_id, amount in allocations:
                reserved[block_id] -= amount
                take = min(amount, max(blocks[block_id].remaining, ZERO), need)
                blocks[block_id].remaining -= take
                need -= take
        draws = {}
        drawable = [b for b in blocks.values() if valid(b, now)]
        for block in sorted(drawable, key=draw_key):
            take = min(_free(block, reserved), need)
            if take > 0:
                draws[block.pk] = take
                need -= take
        return draws

    # Credits in.

    @rule(amount=credits, valid_hours=validity, price=prices)
    def top_up(self, amount, valid_hours, price):
        expires = None if valid_hours is None else timezone.now() + timedelta(hours=valid_hours)
        paid = None if price is None else Money(price, self.account.customer.currency)
        credits_top_up(account=self.account, credits=amount, expires_at=expires, amount=paid)
        self.entries.extend(self._new_entries())

    @rule(amount=credits, valid_hours=validity)
    def grant(self, amount, valid_hours):
        expires = None if valid_hours is None else timezone.now() + timedelta(hours=valid_hours)
        credits_grant(account=self.account, credits=amount, expires_at=expires)
        self.entries.extend(self._new_entries())

    @rule()
    def included_credits_of_the_month(self):
        month = timezone.localdate(timezone.now(), timezone=self.contract.customer.time_zone_info)
        credits_grant_included(contract=self.contract, month=month)
        self.entries.extend(self._new_entries())

    # Credits out.

    @rule(amount=credits, minimum=minimums)
    def place_hold(self, amount, minimum):
        needed = amount if minimum is None else max(amount, minimum)
        expected_refusal = self._available_after_lapse() < needed
        try:
            hold = credits_place_hold(
                account=self.account, credits=amount, min_available_credits=minimum
            )
        except InsufficientCredits:
            assert expected_refusal
            return
        assert not expected_refusal
        self.holds.append(hold)
        self._new_entries()  # lapses only
        if CreditAccount.objects.get(pk=self.account.pk).tracks_blocks:
            reserved = sum(hold.allocations.values_list("credits", flat=True), ZERO)
            assert reserved == amount

    @rule(data=st.data(), amounts=st.lists(credits, min_size=1, max_size=4))
    def charge_several_open_holds(self, data, amounts):
        """Several requests resolved one after another in any order, some with their
        hold, some beyond it, some without one."""
        for amount in amounts:
            active = [h for h in self.holds if h.status == CreditHold.Status.ACTIVE]
            hold = data.draw(st.sampled_from([None, *active])) if active else None
            self._charge(amount, hold)

    def _charge(self, amount: Decimal, hold: CreditHold | None) -> None:
        # lapses come first: run them, then ask the oracle on the state the charge sees
        credits_lapse_due(account=self.account)
        self.entries.extend(self._new_entries())
        expected = self._expected_free_draws(amount, hold)
        entry = credits_charge(account=self.account, credits=amount, hold=hold)
        if hold is not None:
            hold.status = CreditHold.Status.CONVERTED
        self.entries.extend(self._new_entries())
        free_draws = dict(
            BlockMovement.objects.filter(entry=entry, reserved=False, credits__lt=0)
            .exclude(block__kind=BlockKind.DEBT)
            .values_list("block_id", "credits")
        )
        # free credits first, in the draw order; only then other holds' reservations
        for block_id, take in expected.items():
            assert -free_draws.get(block_id, ZERO) >= take, (block_id, expected, free_draws)

    @rule(index=pick)
    def release(self, index):
        if not self.holds:
            return
        hold = self.holds[index % len(self.holds)]
        if hold.status != CreditHold.Status.ACTIVE:
            with pytest.raises(HoldNotActive):
                credits_release_hold(hold=hold, account=self.account)
            return
        credits_release_hold(hold=hold, account=self.account)

    @rule(amount=credits)
    def expire_by_hand(self, amount):
        expected_refusal = self._available_after_lapse() < amount
        try:
            credits_expire(account=self.account, credits=amount)
        except InsufficientCredits:
            assert expected_refusal
            return
        assert not expected_refusal
        self.entries.extend(self._new_entries())

    @rule(index=pick)
    def reverse(self, index):
        if not self.entries:
            return
        entry = self.entries[index % len(self.entries)]
        try:
            credits_reverse(entry=entry, reason="corrección", account=self.account)
        except (NotReversible, AlreadyReversed):
            assert entry.kind == "reversal" or LedgerEntry.objects.filter(reverses=entry).exists()
            return
        except InsufficientCredits:
            assert entry.credits > 0
            return
        self.entries.extend(self._new_entries())

    # Time.

    @rule(hours=hours)
    def time_passes(self, hours):
        self.clock.shift(timedelta(hours=hours))

    @rule()
    def expiry_job(self):
        credits_lapse_due(account=self.account)
        self.entries.extend(self._new_entries())
        now = timezone.now()
        reserved = _reserved()
        for block in CreditBlock.objects.filter(account=self.account):
            if block.kind != BlockKind.DEBT and not valid(block, now):
                assert _free(block, reserved) == 0

    # Invariants.

    @invariant()
    def blocks_sum_to_the_balance_which_is_the_sum_of_entries(self):
        row = CreditAccount.objects.get(pk=self.account.pk)
        entries = LedgerEntry.objects.filter(account=row).values_list("credits", flat=True)
        assert row.balance == sum(entries, ZERO)
        active = CreditHold.objects.filter(account=row, status="active")
        assert row.held == sum(active.values_list("credits", flat=True), ZERO)
        if not row.tracks_blocks:
            assert not CreditBlock.objects.filter(account=row).exists()
            return
        blocks = list(CreditBlock.objects.filter(account=row))
        assert sum((b.remaining for b in blocks), ZERO) == row.balance
        # summed in Python: SQLite's SUM() adds decimals as floats
        moved: dict[int, Decimal] = {}
        for block_id, amount in BlockMovement.objects.filter(block__account=row).values_list(
            "block_id", "credits"
        ):
            moved[block_id] = moved.get(block_id, ZERO) + amount
        for block in blocks:
            assert block.remaining == block.credits + moved.get(block.pk, ZERO)
        # a debt means every valid block is empty
        now = timezone.now()
        if any(b.kind == BlockKind.DEBT and b.remaining < 0 for b in blocks):
            assert all(b.remaining == 0 for b in blocks if valid(b, now))

    @invariant()
    def no_expired_block_is_drawn_but_by_its_hold_or_its_lapse(self):
        for movement in BlockMovement.objects.filter(
            entry__account=self.account, credits__lt=0, reserved=False
        ).select_related("entry", "block"):
            expires = movement.block.expires_at
            if expires is not None and movement.entry.kind != "expiry":
                assert movement.entry.created_at < expires, movement


def test_random_sequences_on_expiring_credits_keep_the_block_invariants(db):
    run_state_machine_as_test(
        BlockLedgerMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
