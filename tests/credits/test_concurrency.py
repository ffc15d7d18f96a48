"""Real threads against PostgreSQL: the account row is hot and the rules must hold anyway."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from credits.exceptions import HoldNotActive, InsufficientCredits
from credits.models import CreditAccount, CreditHold, LedgerEntry
from credits.services import (
    credits_charge,
    credits_place_hold,
    credits_release_hold,
    credits_top_up,
)
from tests.factories import make_credit_account
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
THREADS = 20


def assert_ledger_consistent(account: CreditAccount) -> None:
    row = CreditAccount.objects.get(pk=account.pk)
    entries = list(LedgerEntry.objects.filter(account=row).values_list("credits", flat=True))
    active = CreditHold.objects.filter(account=row, status="active")
    assert row.balance == sum(entries, Decimal("0"))
    assert row.held == sum(active.values_list("credits", flat=True), Decimal("0"))
    assert row.entry_count == len(entries)
    assert CreditHold.objects.filter(available_after__lt=0).count() == 0
    call_command("verify_ledger")


def test_twenty_threads_never_hold_beyond_the_available_balance():
    # given: 10 credits and the seed 003 rule (hold 1, only with at least 2 available)
    account = make_credit_account(credits="10")

    # when: 20 requests arrive at once
    results = run_together(
        lambda i: credits_place_hold(
            account=CreditAccount(pk=account.pk), credits="1", min_available_credits="2"
        ),
        threads=THREADS,
    )

    # then: exactly the nine holds that 10 credits allow were granted
    granted = [r for r in results if isinstance(r, CreditHold)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert (len(granted), len(refused)) == (9, 11)
    assert sorted(h.available_after for h in granted) == [Decimal(n) for n in range(1, 10)]
    row = CreditAccount.objects.get(pk=account.pk)
    assert (row.held, row.available) == (Decimal("9"), Decimal("1"))
    assert_ledger_consistent(account)


def test_twenty_threads_mixing_holds_charges_releases_and_top_ups():
    account = make_credit_account(credits="6")
    kinds = ["hold_charge", "hold_release", "charge", "top_up"]

    def work(i: int) -> str:
        mine = CreditAccount(pk=account.pk)
        kind = kinds[i % len(kinds)]
        if kind == "top_up":
            credits_top_up(account=mine, credits="1", idempotency_key=f"pay-{i % 8}")
            return kind
        if kind == "charge":
            credits_charge(account=mine, credits="0.5", reference_id=str(i))
            return kind
        try:
            hold = credits_place_hold(account=mine, credits="1", min_available_credits="2")
        except InsufficientCredits:
            return "refused"
        if kind == "hold_charge":
            credits_charge(account=mine, credits="1.5", hold=hold)  # more than held
        else:
            credits_release_hold(hold=hold)
        # a second close of the same hold is refused, whatever the interleaving
        with pytest.raises(HoldNotActive):
            credits_release_hold(hold=hold)
        return kind

    outcomes = run_together(work, threads=THREADS)

    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    row = CreditAccount.objects.get(pk=account.pk)
    charges = LedgerEntry.objects.filter(account=row, kind="charge").count()
    top_ups = LedgerEntry.objects.filter(account=row, kind="top_up").count()
    # five top-ups raced over two payment keys (pay-3, pay-7): each landed once
    assert top_ups == 1 + 2
    assert charges == outcomes.count("charge") + outcomes.count("hold_charge")
    assert row.held == 0
    assert_ledger_consistent(account)


def test_concurrent_charges_of_one_hold_convert_it_once():
    account = make_credit_account(credits="5")
    hold = credits_place_hold(account=account, credits="2")

    results = run_together(
        lambda i: credits_charge(account=CreditAccount(pk=account.pk), credits="2", hold=hold),
        threads=THREADS,
    )

    assert sum(isinstance(r, LedgerEntry) for r in results) == 1
    assert sum(isinstance(r, HoldNotActive) for r in results) == THREADS - 1
    assert CreditAccount.objects.get(pk=account.pk).balance == Decimal("3")
    assert_ledger_consistent(account)
