import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from credits.exceptions import LedgerImmutable
from credits.ledger import chain_hash, entry_content
from credits.models import GENESIS_HASH, CreditAccount, LedgerEntry
from credits.selectors import ledger_verify
from credits.services import (
    credits_charge,
    credits_place_hold,
    credits_release_hold,
    credits_top_up,
)
from tests.factories import make_credit_account


@pytest.fixture
def busy_accounts(db):
    accounts = [make_credit_account(credits="10") for _ in range(3)]
    for account in accounts:
        hold = credits_place_hold(account=account, credits="1")
        credits_charge(account=account, credits="2", hold=hold, reason="70 min: ñandú | ✓")
        credits_place_hold(account=account, credits="1")
        released = credits_place_hold(account=account, credits="1")
        credits_release_hold(hold=released)
    return accounts


def test_an_intact_ledger_verifies_with_a_one_line_summary(busy_accounts, capsys):
    call_command("verify_ledger")

    out = capsys.readouterr().out
    assert out.strip().splitlines() == [
        "ledger ok: 3 accounts, 6 entries; balances, holds and hash chains verified"
    ]


def test_the_first_entry_chains_from_the_genesis_hash(db):
    account = make_credit_account()

    entry = credits_top_up(account=account, credits="1")

    content = entry_content(
        account_id=account.pk,
        kind="top_up",
        credits=Decimal("1"),
        amount=None,
        amount_currency=None,
        hold_id=None,
        reverses_id=None,
        reference_type="",
        reference_id="",
        created_by_id=None,
        reason="",
        idempotency_key=None,
        created_at=LedgerEntry.objects.get().created_at,
    )
    expected = chain_hash(
        previous_hash=GENESIS_HASH, sequence=1, balance_after=Decimal("1"), content=content
    )
    assert entry.entry_hash == expected == LedgerEntry.objects.get().entry_hash


def test_verification_streams_in_a_fixed_number_of_queries(
    busy_accounts, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        result = ledger_verify(chunk_size=2)

    assert result.ok
    assert (result.accounts, result.entries) == (3, 6)


def test_the_orm_refuses_to_change_or_delete_entries(busy_accounts):
    entry = LedgerEntry.objects.first()

    entry.credits = Decimal("100")
    with pytest.raises(LedgerImmutable):
        entry.save()
    with pytest.raises(LedgerImmutable):
        entry.delete()
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.filter(pk=entry.pk).update(credits=Decimal("1"))
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.all().delete()
    with pytest.raises(LedgerImmutable):
        LedgerEntry.objects.bulk_create([LedgerEntry()])
    with pytest.raises(LedgerImmutable):
        LedgerEntry._base_manager.filter(pk=entry.pk).update(credits=Decimal("1"))
    with pytest.raises(LedgerImmutable):
        LedgerEntry._base_manager.all().delete()
    assert ledger_verify().ok


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            "UPDATE credits_ledgerentry SET credits = -1 WHERE account_id = %s AND sequence = 2",
            "entry #2: balance_after 8.00, entries sum 9.00",
        ),
        (
            "UPDATE credits_ledgerentry SET reason = 'otra cosa' WHERE account_id = %s "
            "AND sequence = 2",
            "entry #2: hash does not match its content and chain",
        ),
        (
            "DELETE FROM credits_ledgerentry WHERE account_id = %s AND sequence = 2",
            "account says 2 entries, found 1",
        ),
        (
            "UPDATE credits_creditaccount SET balance = 99 WHERE id = %s",
            "balance 99.00 but entries sum 8.00",
        ),
        (
            "UPDATE credits_creditaccount SET held = 0 WHERE id = %s",
            "held 0.00 but active holds sum 1.00",
        ),
    ],
)
def test_tampering_names_the_broken_account(busy_accounts, tamper, problem, capsys):
    victim = busy_accounts[1]
    if connection.vendor == "postgresql":
        _raw("SET CONSTRAINTS ALL IMMEDIATE", [])  # no pending FK checks: ALTER may run
        _raw("ALTER TABLE credits_ledgerentry DISABLE TRIGGER credits_ledgerentry_append_only", [])
    _raw(tamper, [victim.pk])

    with pytest.raises(CommandError) as failed:
        call_command("verify_ledger")

    assert re.fullmatch(
        rf"ledger BROKEN: 1 of 3 accounts \(\d entries checked\): {victim.pk}", str(failed.value)
    )
    assert any(
        problem in line for line in capsys.readouterr().err.splitlines() if str(victim.pk) in line
    )


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE credits_ledgerentry SET credits = credits - 1",
        "DELETE FROM credits_ledgerentry",
    ],
)
def test_postgresql_refuses_raw_changes_to_entries(busy_accounts, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(sql, [])

    assert ledger_verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_tampering_with_the_trigger_disabled_is_caught(capsys):
    # given: a committed ledger
    account = make_credit_account(credits="5")
    credits_charge(account=account, credits="2")
    call_command("verify_ledger")

    # when: someone with table rights turns the trigger off and edits history
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE credits_ledgerentry DISABLE TRIGGER credits_ledgerentry_append_only"
        )
        cursor.execute(
            "UPDATE credits_ledgerentry SET credits = -1, balance_after = 4 "
            "WHERE account_id = %s AND sequence = 2",
            [account.pk],
        )
        cursor.execute("UPDATE credits_creditaccount SET balance = 4 WHERE id = %s", [account.pk])
        cursor.execute(
            "ALTER TABLE credits_ledgerentry ENABLE TRIGGER credits_ledgerentry_append_only"
        )

    # then: sums agree again, but the chain gives it away
    with pytest.raises(CommandError, match=f"BROKEN: 1 of 1 accounts .*: {account.pk}$"):
        call_command("verify_ledger")
    assert "entry #2: hash does not match" in capsys.readouterr().err
    assert CreditAccount.objects.get(pk=account.pk).balance == Decimal("4")
