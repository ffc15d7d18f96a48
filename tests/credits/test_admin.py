from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission

from credits.models import CreditAccount, LedgerEntry
from credits.services import credits_place_hold
from tests.factories import make_credit_account, make_staff_user, make_user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/credits/creditaccount/",
        "/admin/credits/creditaccount/?q=Cliente",
        "/admin/credits/creditaccount/?o=4",
        "/admin/credits/ledgerentry/",
        "/admin/credits/ledgerentry/?kind__exact=top_up",
        "/admin/credits/credithold/",
    ],
)
def test_lists_render(staff_client, account, url):
    credits_place_hold(account=account, credits="1")

    assert staff_client.get(url).status_code == 200


def test_accounts_list_balance_and_available(staff_client, account):
    credits_place_hold(account=account, credits="2.5")

    page = staff_client.get("/admin/credits/creditaccount/").content.decode()

    assert "10,00" in page or "10.00" in page
    assert "7,50" in page or "7.50" in page


def test_the_ledger_is_read_only_in_the_admin(staff_client, account):
    entry = LedgerEntry.objects.get()

    assert staff_client.get("/admin/credits/ledgerentry/add/").status_code == 403
    view = staff_client.get(f"/admin/credits/ledgerentry/{entry.pk}/change/")
    assert view.status_code == 200
    assert 'name="credits"' not in view.content.decode()
    staff_client.post(f"/admin/credits/ledgerentry/{entry.pk}/change/", {"credits": "99"})
    assert staff_client.get(f"/admin/credits/ledgerentry/{entry.pk}/delete/").status_code == 403
    assert LedgerEntry.objects.get().credits == Decimal("10")
    changelist = staff_client.get("/admin/credits/ledgerentry/").content.decode()
    assert "delete_selected" not in changelist


def test_the_adjustment_form_requires_a_reason(staff_client, account):
    url = f"/admin/credits/creditaccount/{account.pk}/adjust/"

    missing = staff_client.post(url, {"credits": "2", "reason": ""})

    assert missing.status_code == 200
    assert "obligatorio" in missing.content.decode() or "required" in missing.content.decode()
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 0


def test_an_adjustment_through_the_admin_is_a_ledger_entry(staff_client, account, staff):
    url = f"/admin/credits/creditaccount/{account.pk}/adjust/"
    assert staff_client.get(url).status_code == 200

    done = staff_client.post(url, {"credits": "-3", "reason": "recarga duplicada"})

    assert done.status_code == 302
    entry = LedgerEntry.objects.get(kind="adjustment")
    assert (entry.credits, entry.reason, entry.created_by_id) == (
        Decimal("-3"),
        "recarga duplicada",
        staff.pk,
    )
    assert CreditAccount.objects.get(pk=account.pk).balance == Decimal("7")


def test_an_adjustment_beyond_available_shows_the_refusal(staff_client, account):
    url = f"/admin/credits/creditaccount/{account.pk}/adjust/"

    refused = staff_client.post(url, {"credits": "-11", "reason": "x"})

    assert refused.status_code == 200
    assert "10.00" in refused.content.decode()
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 0


def test_adjusting_needs_the_permission(client, db):
    account = make_credit_account(credits="1")
    clerk = make_user(is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_creditaccount"))
    client.force_login(clerk)
    url = f"/admin/credits/creditaccount/{account.pk}/adjust/"

    assert client.get(url).status_code == 403

    clerk.user_permissions.add(Permission.objects.get(codename="adjust_credits"))
    assert client.get(url).status_code == 200
    assert make_staff_user().has_perm("credits.adjust_credits")


@pytest.mark.parametrize("object_id", ["abc", "²", "9223372036854775808", "1%00"])
def test_adjusting_an_account_that_is_no_row_is_not_found(staff_client, account, object_id):
    """As Django's own views of a row answer; before, the id reached the query (a 500)."""
    url = f"/admin/credits/creditaccount/{object_id}/adjust/"

    for answer in (staff_client.get(url), staff_client.post(url, {"credits": "2", "reason": "x"})):
        assert answer.status_code == 302
        assert answer["Location"] == "/admin/"
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 0
