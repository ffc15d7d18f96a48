from datetime import timedelta

import pytest

from contracts import services
from contracts.models import Contract, PlanChange
from contracts.services import customer_today
from tests.factories import make_contact, make_contract, make_customer, make_plan, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    user = make_user(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/contracts/customer/",
        "/admin/contracts/customer/?q=Cliente",
        "/admin/contracts/contract/?status__exact=active",
        "/admin/contracts/plan/",
        "/admin/contracts/service/",
    ],
)
def test_lists_render_with_search_and_filters(staff_client, url):
    make_contact(customer=make_contract().customer)

    assert staff_client.get(url).status_code == 200


def test_customer_page_shows_its_contacts_inline(staff_client):
    contact = make_contact()

    response = staff_client.get(f"/admin/contracts/customer/{contact.customer_id}/change/")

    assert contact.email in response.content.decode()


def test_suspend_action_asks_for_a_reason_then_records_it(staff_client):
    contract = make_contract()
    data = {"action": "make_suspended", "_selected_action": [contract.pk]}

    form_page = staff_client.post("/admin/contracts/contract/", data)
    assert form_page.status_code == 200
    assert 'name="reason"' in form_page.content.decode()

    staff_client.post(
        "/admin/contracts/contract/", data | {"apply": "1", "reason": "Factura vencida"}
    )

    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED
    change = contract.status_changes.get()
    assert (change.reason, change.by) == ("Factura vencida", staff_client.user)


def test_an_illegal_action_shows_the_refusal_and_changes_nothing(staff_client):
    contract = make_contract(status=Contract.Status.CANCELLED)

    response = staff_client.post(
        "/admin/contracts/contract/",
        {"action": "make_active", "_selected_action": [contract.pk], "apply": "1", "reason": ""},
        follow=True,
    )

    assert "en estado «Cancelado» no puede pasar a «Activo»" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED


def test_suspending_without_a_reason_is_refused_and_changes_nothing(staff_client):
    contract = make_contract()

    response = staff_client.post(
        "/admin/contracts/contract/",
        {"action": "make_suspended", "_selected_action": [contract.pk], "apply": "1", "reason": ""},
        follow=True,
    )

    assert "Indique el motivo." in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert not contract.status_changes.exists()


def test_deleting_a_live_contract_from_the_admin_is_refused_with_its_history_kept(staff_client):
    contract = make_contract()
    staff_client.post(
        "/admin/contracts/contract/",
        {
            "action": "make_suspended",
            "_selected_action": [contract.pk],
            "apply": "1",
            "reason": "x",
        },
    )

    staff_client.post(f"/admin/contracts/contract/{contract.pk}/delete/", {"post": "yes"})
    staff_client.post(
        "/admin/contracts/contract/",
        {"action": "delete_selected", "_selected_action": [contract.pk], "post": "yes"},
    )

    assert Contract.objects.filter(pk=contract.pk).exists()
    assert contract.status_changes.count() == 1


def test_deleting_an_unused_draft_from_the_admin_works(staff_client):
    contract = make_contract(status=Contract.Status.DRAFT)

    staff_client.post(f"/admin/contracts/contract/{contract.pk}/delete/", {"post": "yes"})

    assert not Contract.objects.filter(pk=contract.pk).exists()


def test_the_change_plan_action_asks_for_plan_and_date_then_schedules_it(staff_client):
    contract = make_contract()
    premium = make_plan(name="Nivel 3")
    data = {"action": "change_plan", "_selected_action": [contract.pk]}

    in_two_months = customer_today(contract.customer) + timedelta(days=60)
    form_page = staff_client.post("/admin/contracts/contract/", data)
    assert 'name="effective_on"' in form_page.content.decode()

    staff_client.post(
        "/admin/contracts/contract/",
        data
        | {
            "apply": "1",
            "plan": premium.pk,
            "effective_on": str(in_two_months),
            "reason": "Upsell",
        },
    )

    change = PlanChange.objects.get(contract=contract)
    assert (change.to_plan, change.effective_on, change.by) == (
        premium,
        in_two_months,
        staff_client.user,
    )
    contract.refresh_from_db()
    assert contract.plan != premium  # waits for its day
    page = staff_client.get(f"/admin/contracts/contract/{contract.pk}/change/").content.decode()
    assert "Nivel 3" in page


def test_the_withdraw_action_removes_only_a_waiting_change(staff_client):
    waiting, applied = make_contract(), make_contract()
    later = customer_today(waiting.customer) + timedelta(days=60)
    services.contract_change_plan(waiting, plan=make_plan(), effective_on=later)
    services.contract_change_plan(
        applied, plan=make_plan(), effective_on=customer_today(applied.customer)
    )

    staff_client.post(
        "/admin/contracts/contract/",
        {"action": "withdraw_plan_change", "_selected_action": [waiting.pk, applied.pk]},
    )

    assert list(PlanChange.objects.values_list("contract", flat=True)) == [applied.pk]


def test_a_customer_s_currency_is_read_only_once_it_has_a_contract(staff_client):
    fresh, sold = make_customer(), make_contract().customer

    fresh_page = staff_client.get(f"/admin/contracts/customer/{fresh.pk}/change/")
    sold_page = staff_client.get(f"/admin/contracts/customer/{sold.pk}/change/")

    assert 'name="currency"' in fresh_page.content.decode()
    assert 'name="currency"' not in sold_page.content.decode()
    assert sold.currency in sold_page.content.decode()
