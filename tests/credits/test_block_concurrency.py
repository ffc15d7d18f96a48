"""Real threads against PostgreSQL: charges and holds racing an expiry, and one-statement
writes racing the purchase that makes an account track blocks."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from credits.exceptions import InsufficientCredits
from credits.models import BlockMovement, CreditAccount, CreditBlock, CreditHold, LedgerEntry
from credits.selectors import ledger_verify
from credits.services import (
    credits_charge,
    credits_lapse_due,
    credits_place_hold,
    credits_top_up,
)
from tests.factories import make_credit_account
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def assert_blocks_consistent(account: CreditAccount) -> None:
    row = CreditAccount.objects.get(pk=account.pk)
    remaining = CreditBlock.objects.filter(account=row).values_list("remaining", flat=True)
    assert sum(remaining, Decimal("0")) == row.balance
    result = ledger_verify(account_ids=[row.pk])
    assert result.ok, result.broken
    call_command("verify_ledger")


def test_charges_racing_an_expiry_lapse_only_free_credits_and_exactly_once(time_machine):
    # given: 10 credits expiring tomorrow, six of them held by six open requests, and 5
    # that never expire
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    account = make_credit_account()
    credits_top_up(account=account, credits="10", expires_at=now + timedelta(days=1))
    credits_top_up(account=account, credits="5")
    holds = [credits_place_hold(account=account, credits="1") for _ in range(6)]
    expiring = CreditBlock.objects.get(account=account, expires_at__isnull=False)
    assert set(
        CreditHold.objects.filter(account=account).values_list("allocations__block", flat=True)
    ) == {expiring.pk}

    # when: the block has expired; six requests are charged on their holds, four without
    # one, while six expiry jobs run
    time_machine.move_to(now + timedelta(days=1, minutes=1), tick=False)

    def work(i: int) -> object:
        mine = CreditAccount(pk=account.pk)
        if i < 6:
            return credits_charge(account=mine, credits="1", hold=holds[i])
        if i < 10:
            return credits_charge(account=mine, credits="0.5", reference_id=str(i))
        return credits_lapse_due(account=mine)

    results = run_together(work, threads=16)

    # then: the four free credits lapsed once; the held six went to their requests; the
    # charges without a hold drew the credits that never expire
    assert not [r for r in results if isinstance(r, BaseException)], results
    expiries = LedgerEntry.objects.filter(account=account, kind="expiry")
    assert list(expiries.values_list("credits", flat=True)) == [Decimal("-4")]
    expiring.refresh_from_db()
    assert expiring.remaining == 0
    reserved = BlockMovement.objects.filter(block=expiring, reserved=True)
    assert sum(reserved.values_list("credits", flat=True), Decimal("0")) == Decimal("-6")
    row = CreditAccount.objects.get(pk=account.pk)
    assert (row.balance, row.held) == (Decimal("3"), Decimal("0"))
    assert_blocks_consistent(account)


def test_holds_racing_an_expiry_never_count_expired_credits(time_machine):
    # given: 5 credits that expired a minute ago (no job ran yet) and 3 that never expire
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=now + timedelta(hours=1))
    credits_top_up(account=account, credits="3")
    time_machine.move_to(now + timedelta(hours=1, minutes=1), tick=False)

    # when: twelve requests arrive at once (hold 1, only with 2 available) with four jobs
    def work(i: int) -> object:
        mine = CreditAccount(pk=account.pk)
        if i < 4:
            return credits_lapse_due(account=mine)
        return credits_place_hold(account=mine, credits="1", min_available_credits="2")

    results = run_together(work, threads=16)

    # then: only the 3 credits still valid count: two holds, the rest refused
    granted = [r for r in results if isinstance(r, CreditHold)]
    refused = [r for r in results if isinstance(r, InsufficientCredits)]
    assert (len(granted), len(refused)) == (2, 10), results
    assert list(
        LedgerEntry.objects.filter(account=account, kind="expiry").values_list("credits", flat=True)
    ) == [Decimal("-5")]
    assert_blocks_consistent(account)


def test_one_statement_writes_racing_the_purchase_that_starts_blocks():
    # given: an account whose credits never expired, with open holds
    account = make_credit_account(credits="20")
    holds = [credits_place_hold(account=account, credits="1") for _ in range(6)]
    expires = timezone.now() + timedelta(days=365)

    # when: its first expiring credits land while its holds are charged and others charge
    def work(i: int) -> object:
        mine = CreditAccount(pk=account.pk)
        if i == 0:
            return credits_top_up(account=mine, credits="12", expires_at=expires)
        if i <= 6:
            return credits_charge(account=mine, credits="1.5", hold=holds[i - 1])
        return credits_charge(account=mine, credits="0.25", reference_id=str(i))

    results = run_together(work, threads=16)

    # then: every write landed once, on one side of the switch or the other, and the
    # blocks add up to the balance
    assert not [r for r in results if isinstance(r, BaseException)], results
    row = CreditAccount.objects.get(pk=account.pk)
    assert row.tracks_blocks
    assert row.balance == Decimal("20") + Decimal("12") - 6 * Decimal("1.5") - 9 * Decimal("0.25")
    assert row.held == 0
    assert LedgerEntry.objects.filter(account=account, kind="charge").count() == 15
    assert_blocks_consistent(account)
