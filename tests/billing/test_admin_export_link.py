"""The finance export is reachable from the admin's invoice list, for the users it lets in."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import make_finance_user, make_staff_user, make_user

pytestmark = pytest.mark.django_db

EXPORT_URL = "/billing/finance-export/"
INVOICE_LIST = "/admin/billing/invoice/"


def may_view_invoices(user):
    """The admin's invoice list needs the model permission, which finance staff are given."""
    user.user_permissions.add(Permission.objects.get(codename="view_invoice"))
    return user


@pytest.mark.parametrize(
    "make_allowed",
    [
        pytest.param(lambda: may_view_invoices(make_finance_user()), id="finance"),
        pytest.param(make_staff_user, id="superuser"),
    ],
)
def test_the_invoice_list_links_to_the_export_for_finance_and_superusers(client, make_allowed):
    # given
    client.force_login(make_allowed())

    # when
    listing = client.get(INVOICE_LIST)
    export = client.get(EXPORT_URL)

    # then
    assert listing.status_code == 200
    assert f'href="{EXPORT_URL}"' in listing.content.decode()
    assert export.status_code == 200
    assert b'name="date_from"' in export.content


def test_other_staff_see_the_invoice_list_without_the_link(client):
    # given: staff who may view invoices but are not in the finance group
    client.force_login(may_view_invoices(make_user(is_staff=True)))

    # when
    listing = client.get(INVOICE_LIST)
    export = client.get(EXPORT_URL)

    # then
    assert listing.status_code == 200
    assert EXPORT_URL not in listing.content.decode()
    assert export.status_code == 403  # signed in: the 403 page, not the login form
