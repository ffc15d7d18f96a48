"""Amounts within what the columns hold: refused before any write, on every database, and
a ledger broken by an older version is reported by name, never a crash."""

from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from credits.exceptions import BalanceOutOfRange
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import ledger_verify
from credits.services import credits_adjust, credits_top_up
from tests.factories import make_credit_account, make_staff_user

LIMIT = Decimal(10) ** (
    CreditAccount._meta.get_field("balance").max_digits
    - CreditAccount._meta.get_field("balance").decimal_places
)


@pytest.mark.django_db
def test_an_entry_that_would_take_the_balance_beyond_its_column_is_refused():
    account = make_credit_account(credits="5")
    before = list(LedgerEntry.objects.values_list("pk", flat=True))
    with pytest.raises(BalanceOutOfRange) as refused:
        credits_adjust(
            account=account,
            credits="9999999999.99",
            reason="typo",
            by=make_staff_user(),
        )
    assert (refused.value.code, refused.value.field) == ("invalid_amount", "credits")
    assert list(LedgerEntry.objects.values_list("pk", flat=True)) == before
    account.refresh_from_db()
    assert account.balance == Decimal("5")
    # right up to the limit is fine
    credits_top_up(account=account, credits=LIMIT - Decimal("5.01"))
    account.refresh_from_db()
    assert account.balance == LIMIT - Decimal("0.01")
    with pytest.raises(BalanceOutOfRange):
        credits_top_up(account=account, credits="0.01")


@pytest.mark.django_db
def test_the_api_answers_400_naming_the_field_and_writes_nothing(client):
    from tests.api.conftest import client_for

    account = make_credit_account(credits="5")
    finance = client_for(make_staff_user())
    url = f"/api/v1/customers/{account.customer_id}/credits/adjustments/"
    answer = finance.post(url, {"credits": "9999999999.99", "reason": "x"}, format="json")
    assert answer.status_code == 400
    assert "credits" in answer.json()["fields"]
    assert LedgerEntry.objects.filter(account=account).count() == 1


@pytest.mark.django_db
def test_verify_ledger_names_an_account_it_cannot_read_and_checks_the_others(capsys):
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a balance wider than its column (PostgreSQL refuses it)")
    healthy = make_credit_account(credits="3")
    broken = make_credit_account(credits="3")
    with connection.cursor() as cursor:  # what an older version let through
        cursor.execute(
            "UPDATE credits_creditaccount SET balance = '10000000000003.00' WHERE id = %s",
            [broken.pk],
        )
    result = ledger_verify()
    assert result.accounts == 2
    assert [b.account_id for b in result.broken] == [broken.pk]
    with pytest.raises(CommandError):
        call_command("verify_ledger")
    err = capsys.readouterr().err
    assert broken.customer.legal_name in err
    assert f"account {healthy.pk} " not in err


@pytest.mark.django_db
def test_the_admin_adjustment_form_shows_the_refusal_and_writes_nothing(client):
    account = make_credit_account(credits="10")
    client.force_login(make_staff_user())

    page = client.post(
        f"/admin/credits/creditaccount/{account.pk}/adjust/",
        {"credits": "9999999999.99", "reason": "probe"},
    )

    assert page.status_code == 200
    assert "credits" in page.content.decode()
    assert not LedgerEntry.objects.filter(kind="adjustment").exists()
    assert CreditAccount.objects.get(pk=account.pk).balance == Decimal("10")
