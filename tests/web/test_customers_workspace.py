"""The account manager's workspace (issue 19): the customers list with the seller's figures,
search, filters, sorting and a fixed number of queries; creating and editing customers and
contacts; the portal invitation end to end; contracts started, changed, suspended,
reactivated and cancelled; credits granted and adjusted by the roles that may; the
timeline and private notes; who sees which customer (another manager's is a 404); and the
navigation offering an account manager nothing that ends in 403."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from contracts.models import Contact, Contract, Customer, CustomerNote, PlanChange
from contracts.services import (
    contact_portal_invite,
    contract_activate,
    contract_create,
    customer_note_add,
    customer_today,
)
from core.errors import CreditdeskError
from creditdesk.web.customers import customer_timeline
from creditdesk.web.navigation import nav_links
from credits.models import LedgerEntry
from credits.selectors import credit_runout_forecast, credit_runout_forecasts
from credits.services import credit_account_get_or_create, credits_charge, credits_top_up
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_finance_user,
    make_invoice,
    make_plan,
    make_portal_user,
    make_user,
)

pytestmark = pytest.mark.django_db

PASSWORD = "gerente-password-1"


@pytest.fixture
def manager():
    return make_account_manager(username="gerente", password=PASSWORD)


@pytest.fixture
def as_manager(client: Client, manager) -> Client:
    client.force_login(manager)
    return client


@pytest.fixture
def plans():
    return (
        make_plan(name="Soporte Nivel 1", code="nivel-1"),
        make_plan(name="Soporte Nivel 2", code="nivel-2"),
    )


# The list.


def test_list_shows_the_sellers_figures(as_manager, manager, plans):
    customer = make_customer(legal_name="Hotel Andino S.A.S.", account_manager=manager)
    contract = make_contract(customer, plans[0])
    account = credit_account_get_or_create(customer=customer)
    credits_top_up(account=account, credits=Decimal("30"))
    with time_machine.travel(timezone.now() - timedelta(days=90)):  # due long ago
        invoice = make_invoice(customer, issue=True)
    assert invoice.due_on < timezone.localdate()
    assert contract.status == Contract.Status.ACTIVE
    response = as_manager.get("/workspace/customers/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Hotel Andino S.A.S." in body
    assert "Soporte Nivel 1" in body
    assert "30" in body
    row = response.context["rows"][0]
    assert row.customer.available == Decimal("30")
    assert row.customer.plan_name == "Soporte Nivel 1"
    assert row.forecast is not None
    assert row.forecast.runs_out_at is None
    assert row.overdue == invoice.total
    assert row.customer.open_tickets == 0
    overdue = as_manager.get("/workspace/customers/?overdue=true").context["rows"]
    assert [r.customer for r in overdue] == [customer]


def test_the_list_calls_an_invoice_overdue_from_the_day_after_its_due_date_in_the_customers_zone(
    as_manager, manager, plans
):
    customer = make_customer(account_manager=manager, time_zone="America/Bogota")
    make_contract(customer, plans[0])
    with time_machine.travel("2026-12-03T15:00:00Z"):
        invoice = make_invoice(customer, issue=True)
    assert invoice.due_on == date(2026, 12, 18)

    def overdue() -> list:
        return [
            r.customer for r in as_manager.get("/workspace/customers/?overdue=true").context["rows"]
        ]

    # at 20:00 on the due date in Bogotá, the 19th in UTC: not overdue yet
    with time_machine.travel("2026-12-19T01:00:00Z"):
        assert overdue() == []
    with time_machine.travel("2026-12-19T05:00:00Z"):
        assert overdue() == [customer]


def test_list_is_scoped_to_the_managers_customers(as_manager, manager):
    make_customer(legal_name="Mío S.A.S.", account_manager=manager)
    make_customer(legal_name="Ajeno S.A.S.", account_manager=make_account_manager())
    body = as_manager.get("/workspace/customers/").content.decode()
    assert "Mío S.A.S." in body
    assert "Ajeno S.A.S." not in body


def test_admin_sees_everyone_and_filters_by_manager(client, manager):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    make_customer(legal_name="Mío S.A.S.", account_manager=manager)
    other = make_account_manager()
    make_customer(legal_name="Ajeno S.A.S.", account_manager=other)
    body = client.get("/workspace/customers/").content.decode()
    assert "Mío S.A.S." in body
    assert "Ajeno S.A.S." in body
    body = client.get(f"/workspace/customers/?manager={other.pk}").content.decode()
    assert "Ajeno S.A.S." in body
    assert "Mío S.A.S." not in body


def test_search_filters_and_sorting(as_manager, manager, plans):
    rich = make_customer(legal_name="Banco Rico S.A.", account_manager=manager)
    poor = make_customer(legal_name="Tienda Pobre S.A.S.", account_manager=manager)
    idle = make_customer(legal_name="Sin Contrato Ltda.", account_manager=manager)
    make_contract(rich, plans[0])
    make_contract(poor, plans[1])
    credits_top_up(account=credit_account_get_or_create(customer=rich), credits=Decimal("90"))
    credits_top_up(account=credit_account_get_or_create(customer=poor), credits=Decimal("5"))

    def names(query):
        response = as_manager.get(f"/workspace/customers/?{query}")
        assert response.status_code == 200
        return [row.customer.legal_name for row in response.context["rows"]]

    assert names("q=banco") == ["Banco Rico S.A."]
    assert names(f"q={rich.tax_id}") == ["Banco Rico S.A."]
    assert names(f"plan={plans[1].pk}") == ["Tienda Pobre S.A.S."]
    assert names("contract=none") == ["Sin Contrato Ltda."]
    assert names("sort=-credits")[:2] == ["Banco Rico S.A.", "Tienda Pobre S.A.S."]
    assert names("sort=name") == sorted([rich.legal_name, poor.legal_name, idle.legal_name])
    assert names("sort=nonsense") is not None  # an unknown order is a form error, not a 500


def _customers_with_history(manager, plan, count: int, batch: str) -> None:
    for index in range(count):
        customer = make_customer(
            legal_name=f"Cliente {batch}{index} S.A.S.",
            account_manager=manager,
            time_zone="America/Caracas" if index % 2 else "America/Bogota",
        )
        make_contract(customer, plan)
        account = credit_account_get_or_create(customer=customer)
        credits_top_up(account=account, credits=Decimal("20"))
        make_contact(customer)


@pytest.mark.parametrize(
    "url",
    [
        "/workspace/customers/",
        "/workspace/customers/?q=Cliente&sort=-credits",
        "/workspace/customers/?contract=active&overdue=true",
    ],
)
def test_list_costs_the_same_queries_whatever_the_customers(
    as_manager, manager, plans, django_assert_max_num_queries, url
):
    _customers_with_history(manager, plans[0], 3, "a")
    as_manager.get(url)  # warm caches (session, content types)
    with django_assert_max_num_queries(14) as small:
        assert as_manager.get(url).status_code == 200
    _customers_with_history(manager, plans[0], 30, "b")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = as_manager.get(url)
    assert response.status_code == 200


def test_detail_costs_the_same_queries_whatever_the_history(
    as_manager, manager, plans, django_assert_max_num_queries
):
    customer = make_customer(account_manager=manager)
    contract = make_contract(customer, plans[0])
    account = credit_account_get_or_create(customer=customer)
    for _ in range(2):
        credits_top_up(account=account, credits=Decimal("5"))
        customer_note_add(customer=customer, author=manager, text="Llamar el lunes.")
    url = f"/workspace/customers/{customer.pk}/"
    as_manager.get(url)
    with django_assert_max_num_queries(60) as small:
        assert as_manager.get(url).status_code == 200
    for index in range(25):
        credits_top_up(account=account, credits=Decimal("5"))
        customer_note_add(customer=customer, author=manager, text=f"Nota {index}")
        make_contact(customer)
    assert contract.pk
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert as_manager.get(url).status_code == 200


def test_bulk_forecast_matches_the_single_one():
    customer = make_customer()
    account = credit_account_get_or_create(customer=customer)
    credits_top_up(account=account, credits=Decimal("100"))
    other = credit_account_get_or_create(customer=make_customer())
    now = timezone.now()
    one = credit_runout_forecast(account=account, now=now, minimum=Decimal("2"))
    many = credit_runout_forecasts(
        accounts=[account, other], now=now, minimums={account.pk: Decimal("2")}
    )
    assert many[account.pk] == one
    assert many[other.pk].runs_out_at is None


def test_bulk_forecast_counts_what_was_spent(plans):
    customer = make_customer()
    plan = make_plan(name="Créditos", code="creditos")
    make_contract(customer, plan)
    account = credit_account_get_or_create(customer=customer)
    credits_top_up(account=account, credits=Decimal("100"))
    credits_charge(account=account, credits=Decimal("9"), reason="uso")
    now = timezone.now() + timedelta(seconds=1)
    assert credit_runout_forecasts(accounts=[account], now=now)[
        account.pk
    ] == credit_runout_forecast(account=account, now=now)


# Access.


def test_another_managers_customer_is_a_404_everywhere(as_manager, plans):
    customer = make_customer(account_manager=make_account_manager())
    contact = make_contact(customer)
    base = f"/workspace/customers/{customer.pk}"
    for url in (f"{base}/", f"{base}/edit/", f"{base}/contacts/new/"):
        assert as_manager.get(url).status_code == 404, url
    for url, data in (
        (f"{base}/contract/", {"plan": plans[0].pk, "starts_on": "2026-12-01"}),
        (f"{base}/credits/", {"kind": "grant", "credits": "5", "reason": "x"}),
        (f"{base}/notes/", {"text": "x"}),
        (f"{base}/contacts/{contact.pk}/invite/", {}),
    ):
        assert as_manager.post(url, data).status_code == 404, url
    assert not CustomerNote.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_agents_read_but_may_not_change(client, manager, plans):
    customer = make_customer(account_manager=manager)
    client.force_login(make_agent())
    assert client.get(f"/workspace/customers/{customer.pk}/").status_code == 200
    assert client.get("/workspace/customers/new/").status_code == 403
    assert (
        client.post(
            f"/workspace/customers/{customer.pk}/credits/",
            {"kind": "grant", "credits": "5", "reason": "x"},
        ).status_code
        == 403
    )


def test_contacts_never_reach_the_workspace(client, manager):
    customer = make_customer(account_manager=manager)
    customer_note_add(customer=customer, author=manager, text="Secreto comercial")
    client.force_login(make_portal_user(make_contact(customer)))
    assert client.get(f"/workspace/customers/{customer.pk}/").status_code == 403
    assert "Secreto comercial" not in client.get("/portal/").content.decode()


def test_navigation_offers_a_manager_nothing_that_ends_in_403(as_manager, manager, rf):
    make_customer(account_manager=manager)
    request = rf.get("/")
    request.user = manager
    links = nav_links(request)
    assert any(link["url"] == "/workspace/customers/" for link in links)
    for link in links:
        response = as_manager.get(link["url"])
        assert response.status_code == 200, (link["url"], response.status_code)
    page = as_manager.get("/workspace/customers/").content.decode()
    assert "/admin/" not in page


# Customers and contacts.


def test_manager_creates_a_customer_of_their_own(as_manager, manager):
    response = as_manager.post(
        "/workspace/customers/new/",
        {
            "legal_name": "Clínica Norte S.A.S.",
            "tax_id": "901234567-8",
            "country": "CO",
            "currency": "COP",
            "time_zone": "America/Bogota",
            "language": "es",
            "billing_email": "facturas@clinica.example",
            "membership": "paid",
        },
    )
    customer = Customer.objects.get(legal_name="Clínica Norte S.A.S.")
    assert response.status_code == 302
    assert response["Location"] == f"/workspace/customers/{customer.pk}/"
    assert customer.account_manager == manager


def test_a_refused_customer_shows_on_the_field(as_manager, manager):
    existing = make_customer(account_manager=manager)
    data = {
        "legal_name": "Duplicado S.A.S.",
        "tax_id": existing.tax_id,
        "country": existing.country,
        "currency": "COP",
        "time_zone": "Marte/Olimpo",
        "language": "es",
        "billing_email": "x@duplicado.example",
        "membership": "paid",
    }
    response = as_manager.post("/workspace/customers/new/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "time_zone" in form.errors
    assert not Customer.objects.filter(legal_name="Duplicado S.A.S.").exists()
    data["time_zone"] = "America/Bogota"
    response = as_manager.post("/workspace/customers/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors  # one tax id per country, named on the form
    assert not Customer.objects.filter(legal_name="Duplicado S.A.S.").exists()


def test_manager_edits_a_customer_and_the_currency_is_locked(as_manager, manager, plans):
    customer = make_customer(account_manager=manager)
    make_contract(customer, plans[0])
    data = {
        "legal_name": "Nuevo Nombre S.A.S.",
        "tax_id": customer.tax_id,
        "country": "CO",
        "currency": "USD",
        "time_zone": "America/Bogota",
        "language": "en",
        "billing_email": customer.billing_email,
        "membership": "paid",
    }
    response = as_manager.post(f"/workspace/customers/{customer.pk}/edit/", data)
    assert response.status_code == 200
    assert "currency" in response.context["form"].errors
    data["currency"] = "COP"
    response = as_manager.post(f"/workspace/customers/{customer.pk}/edit/", data)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.legal_name, customer.language) == ("Nuevo Nombre S.A.S.", "en")


def test_contacts_created_and_edited(as_manager, manager):
    customer = make_customer(account_manager=manager)
    base = f"/workspace/customers/{customer.pk}/contacts"
    response = as_manager.post(
        f"{base}/new/",
        {"name": "Ana Ruiz", "email": "ana@hotel.example", "can_request": "on", "language": ""},
    )
    assert response.status_code == 302
    contact = Contact.objects.get(email="ana@hotel.example")
    assert contact.customer == customer
    assert contact.can_request
    response = as_manager.post(
        f"{base}/{contact.pk}/",
        {"name": "Ana María Ruiz", "email": "ana@hotel.example", "language": "en"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.can_request, contact.language) == ("Ana María Ruiz", False, "en")
    # One address is one contact: the refusal names the field.
    other = make_contact(make_customer(account_manager=manager))
    response = as_manager.post(
        f"{base}/{contact.pk}/", {"name": "Ana", "email": other.email.upper(), "language": ""}
    )
    assert response.status_code == 200
    assert response.context["form"].errors


# The invitation, end to end.


def test_invitation_mail_link_password_and_portal(
    as_manager, manager, django_capture_on_commit_callbacks
):
    customer = make_customer(account_manager=manager, legal_name="Hotel Andino S.A.S.")
    contact = make_contact(customer, name="Ana Ruiz", email="Ana@Hotel.example", language="es")
    url = f"/workspace/customers/{customer.pk}/contacts/{contact.pk}/invite/"
    with django_capture_on_commit_callbacks(execute=True):
        response = as_manager.post(url)
    assert response.status_code == 302
    contact.refresh_from_db()
    user = contact.user
    assert user.username == "ana@hotel.example"
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Ana@Hotel.example"]
    assert "Hotel Andino S.A.S." in message.subject
    link = re.search(r"https?://\S+/accounts/reset/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]

    visitor = Client()
    response = visitor.get(path, follow=True)
    assert response.status_code == 200
    set_password_url = response.redirect_chain[-1][0]
    response = visitor.post(
        set_password_url,
        {"new_password1": "Clave-del-portal-9", "new_password2": "Clave-del-portal-9"},
    )
    assert response.status_code == 302
    visitor = Client()
    response = visitor.post(
        "/accounts/login/",
        {"username": "ana@hotel.example", "password": "Clave-del-portal-9"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.context["user"] == user
    portal = visitor.get("/portal/")
    assert portal.status_code == 200
    assert "Hotel Andino S.A.S." in portal.content.decode()
    # The link worked once.
    assert Client().get(path, follow=True).context["validlink"] is False

    # Inviting again keeps the login and sends a new mail.
    with django_capture_on_commit_callbacks(execute=True):
        as_manager.post(url)
    assert len(mail.outbox) == 2
    assert get_user_model().objects.filter(username="ana@hotel.example").count() == 1


def test_invitation_refused_when_the_username_is_taken(as_manager, manager):
    customer = make_customer(account_manager=manager)
    contact = make_contact(customer, email="taken@hotel.example")
    make_user(username="taken@hotel.example")
    with pytest.raises(CreditdeskError):
        contact_portal_invite(contact)
    response = as_manager.post(
        f"/workspace/customers/{customer.pk}/contacts/{contact.pk}/invite/", follow=True
    )
    assert response.status_code == 200
    assert "taken@hotel.example" in response.content.decode()
    assert not mail.outbox
    contact.refresh_from_db()
    assert contact.user_id is None


# Contracts.


def test_the_contract_forms_offer_the_customers_today(as_manager, manager, plans):
    """At 21:00 in Bogotá it is already tomorrow in UTC: a plan change dated as the form
    offers takes effect now, not tomorrow."""
    customer = make_customer(account_manager=manager)
    page = f"/workspace/customers/{customer.pk}/"
    evening = datetime(2026, 12, 10, 21, 0, tzinfo=ZoneInfo("America/Bogota"))
    with time_machine.travel(evening, tick=False):
        assert as_manager.get(page).context["contract_form"].initial["starts_on"] == date(
            2026, 12, 10
        )
        contract = make_contract(customer=customer, plan=plans[0])
        offered = as_manager.get(page).context["plan_form"].initial["effective_on"]
        assert offered == date(2026, 12, 10)
        as_manager.post(
            f"{page}contract/plan/",
            {"plan": plans[1].pk, "effective_on": offered.isoformat(), "reason": "Crece"},
        )
    contract.refresh_from_db()
    assert contract.plan == plans[1]


def test_contract_started_changed_suspended_reactivated_and_cancelled(as_manager, manager, plans):
    customer = make_customer(account_manager=manager)
    base = f"/workspace/customers/{customer.pk}/contract"
    today = customer_today(customer)  # not UTC's: in the evening in Bogotá it is tomorrow
    response = as_manager.post(
        f"{base}/", {"plan": plans[0].pk, "starts_on": today.isoformat(), "activate": "on"}
    )
    assert response.status_code == 302
    contract = Contract.objects.get(customer=customer)
    assert (contract.plan, contract.status) == (plans[0], Contract.Status.ACTIVE)

    response = as_manager.post(
        f"{base}/plan/",
        {"plan": plans[1].pk, "effective_on": today.isoformat(), "reason": "Crece"},
    )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.plan == plans[1]
    assert PlanChange.objects.get(contract=contract).by == manager

    response = as_manager.post(f"{base}/status/", {"action": "suspend", "reason": ""})
    assert response.status_code == 200  # a suspension needs its reason
    assert response.context["status_form"].errors or response.context["messages"]
    response = as_manager.post(f"{base}/status/", {"action": "suspend", "reason": "Mora"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED
    as_manager.post(f"{base}/status/", {"action": "reactivate", "reason": ""})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    as_manager.post(f"{base}/status/", {"action": "cancel", "reason": "Se va"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED

    items = customer_timeline(customer=customer)
    kinds = [item.kind for item in items]
    assert kinds.count("status") == 4
    assert "plan" in kinds
    assert items[0].detail == "Se va"


def test_a_contract_form_sent_twice_leaves_one_draft(as_manager, manager, plans):
    """A double click, or the page sent again after a slow answer: the same draft."""
    customer = make_customer(account_manager=manager)
    start = {"plan": plans[0].pk, "starts_on": customer_today(customer).isoformat()}
    for _ in range(2):
        response = as_manager.post(f"/workspace/customers/{customer.pk}/contract/", start)
        assert response.status_code == 302
    [draft] = Contract.objects.filter(customer=customer)
    assert draft.status == Contract.Status.DRAFT

    # sent once more with "activate": that draft goes live, no other is made
    as_manager.post(f"/workspace/customers/{customer.pk}/contract/", start | {"activate": "on"})
    [live] = Contract.objects.filter(customer=customer)
    assert (live.pk, live.status) == (draft.pk, Contract.Status.ACTIVE)

    # another plan is another draft
    other = {"plan": plans[1].pk, "starts_on": start["starts_on"]}
    as_manager.post(f"/workspace/customers/{customer.pk}/contract/", other)
    assert Contract.objects.filter(customer=customer).count() == 2


def test_plan_change_refusals_name_the_field(as_manager, manager, plans):
    customer = make_customer(account_manager=manager)
    contract = make_contract(customer, plans[0])
    far = timezone.localdate() - timedelta(days=400)
    response = as_manager.post(
        f"/workspace/customers/{customer.pk}/contract/plan/",
        {"plan": plans[1].pk, "effective_on": far.isoformat()},
    )
    assert response.status_code == 200
    assert "effective_on" in response.context["plan_form"].errors
    contract.refresh_from_db()
    assert contract.plan == plans[0]


def test_a_second_live_contract_is_refused_on_the_form(as_manager, manager, plans):
    customer = make_customer(account_manager=manager)
    make_contract(customer, plans[0])
    draft = contract_create(customer=customer, plan=plans[1], starts_on=timezone.localdate())
    with pytest.raises(CreditdeskError):
        contract_activate(draft)


def test_starting_a_contract_whose_activation_is_refused_leaves_no_draft(
    as_manager, manager, plans
):
    customer = make_customer(account_manager=manager)
    live = make_contract(customer, plans[0])

    answer = as_manager.post(
        f"/workspace/customers/{customer.pk}/contract/",
        {"plan": plans[1].pk, "starts_on": timezone.localdate().isoformat(), "activate": "on"},
    )

    assert answer.status_code == 200
    assert "ya tiene un contrato vigente" in answer.content.decode()
    assert list(customer.contracts.values_list("pk", flat=True)) == [live.pk]


# Credits.


def test_manager_grants_but_may_not_adjust(as_manager, manager):
    customer = make_customer(account_manager=manager)
    url = f"/workspace/customers/{customer.pk}/credits/"
    response = as_manager.post(url, {"kind": "grant", "credits": "12,5", "reason": "Cortesía"})
    assert response.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.credits, entry.reason) == ("grant", Decimal("12.50"), "Cortesía")
    assert entry.created_by == manager
    response = as_manager.post(url, {"kind": "adjust", "credits": "-2", "reason": "Error"})
    assert response.status_code == 200
    assert "kind" in response.context["credits_form"].errors
    assert LedgerEntry.objects.count() == 1


def test_a_grant_form_sent_again_with_other_credits_says_it_was_sent(as_manager, manager):
    customer = make_customer(account_manager=manager)
    url = f"/workspace/customers/{customer.pk}/credits/"
    key = "5b0e9c1e-7d4a-4c43-9d0f-3f2a1c6b8e10"
    sent = {"kind": "grant", "credits": "5", "reason": "Cortesía", "submission_key": key}
    assert as_manager.post(url, sent).status_code == 302

    # back in the browser, the amount changed, the same form sent again
    again = as_manager.post(url, sent | {"credits": "50"})

    assert again.status_code == 200
    page = again.content.decode()
    assert "Este formulario ya se había enviado" in page
    assert key not in page  # the internal key is not quoted, and the form has a new one
    (renewed,) = re.findall(r'name="submission_key" value="([^"]*)"', page)
    assert LedgerEntry.objects.get().credits == Decimal("5.00")
    assert as_manager.post(url, sent | {"credits": "50", "submission_key": renewed}).status_code
    assert sorted(LedgerEntry.objects.values_list("credits", flat=True)) == [
        Decimal("5.00"),
        Decimal("50.00"),
    ]


def test_the_negative_amount_hint_shows_only_to_those_who_may_adjust(as_manager, client, manager):
    customer = make_customer(account_manager=manager)
    url = f"/workspace/customers/{customer.pk}/"
    hint = "Un ajuste puede ser negativo"

    assert hint not in as_manager.get(url).content.decode()
    client.force_login(make_finance_user())
    assert hint in client.get(url).content.decode()


def test_finance_adjusts_with_a_reason_and_refusals_name_the_field(client, manager):
    customer = make_customer(account_manager=manager)
    credits_top_up(account=credit_account_get_or_create(customer=customer), credits=Decimal("3"))
    client.force_login(make_finance_user())
    url = f"/workspace/customers/{customer.pk}/credits/"
    response = client.post(url, {"kind": "grant", "credits": "5", "reason": "x"})
    assert response.status_code == 200  # finance corrects, account managers grant
    response = client.post(url, {"kind": "adjust", "credits": "abc", "reason": "x"})
    assert response.status_code == 200
    assert "credits" in response.context["credits_form"].errors
    response = client.post(url, {"kind": "adjust", "credits": "-10", "reason": "Error"})
    assert response.status_code == 200  # it would create debt
    assert response.context["credits_form"].errors or list(response.context["messages"])
    response = client.post(url, {"kind": "adjust", "credits": "-2", "reason": "Doble cargo"})
    assert response.status_code == 302
    assert credit_account_get_or_create(customer=customer).balance == Decimal("1")


def test_agents_neither_grant_nor_adjust(client, manager):
    customer = make_customer(account_manager=manager)
    client.force_login(make_agent())
    page = client.get(f"/workspace/customers/{customer.pk}/")
    assert page.context["credits_form"] is None


# Notes and the timeline.


def test_private_notes_bounded_and_in_the_timeline(as_manager, manager):
    customer = make_customer(account_manager=manager)
    url = f"/workspace/customers/{customer.pk}/notes/"
    response = as_manager.post(url, {"text": "x" * (CustomerNote.TEXT_MAX_LENGTH + 1)})
    assert response.status_code == 200
    assert "text" in response.context["note_form"].errors
    with pytest.raises(CreditdeskError):
        customer_note_add(customer=customer, author=manager, text="   ")
    assert as_manager.post(url, {"text": "Quiere Nivel 3 en enero."}).status_code == 302
    note = CustomerNote.objects.get()
    assert (note.author, note.text) == (manager, "Quiere Nivel 3 en enero.")
    page = as_manager.get(f"/workspace/customers/{customer.pk}/").content.decode()
    assert "Quiere Nivel 3 en enero." in page


def test_timeline_merges_everything_by_time(manager, plans):
    customer = make_customer(account_manager=manager)
    contract_activate(
        contract_create(customer=customer, plan=plans[0], starts_on=timezone.localdate())
    )
    account = credit_account_get_or_create(customer=customer)
    credits_top_up(account=account, credits=Decimal("10"))
    customer_note_add(customer=customer, author=manager, text="Primera nota")
    items = customer_timeline(customer=customer)
    assert [item.at for item in items] == sorted((item.at for item in items), reverse=True)
    assert {"status", "credits", "note"} <= {item.kind for item in items}
    assert "note" not in {item.kind for item in customer_timeline(customer=customer, notes=False)}


def test_urls_resolve_to_the_customers_module():
    for name in ("web:customers", "web:customer-new"):
        assert resolve(reverse(name)).func.__module__ == "creditdesk.web.views.customers"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", ["Nombre", "Nombre (descendente)", "Fecha de alta", "Fecha de alta (descendente)"]),
        ("en", ["Name", "Name (descending)", "Date added", "Date added (descending)"]),
    ],
)
def test_the_sort_options_are_in_the_readers_language(as_manager, language, expected):
    page = as_manager.get("/workspace/customers/", HTTP_ACCEPT_LANGUAGE=language)

    options = [label for _value, label in page.context["filter"].form.fields["sort"].choices]
    assert [options[0], options[1], options[-2], options[-1]] == expected
