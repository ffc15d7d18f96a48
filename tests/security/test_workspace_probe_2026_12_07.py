"""Staff attack the workspace and the staff API (probe of 2026-12-07, after the portal's):
each role reaching for another's actions (pages and API, GET and POST), ids that are no
row or the wrong kind, malformed input into finance's and the account manager's forms and
the staff API, rows in the wrong state, and money actions submitted twice.

The holes it found, each kept as its failing-then-passing test:
- a payment recorded on a credit note (finance's page, whose form it does not show, or the
  API) was applied to the note (`billing.services.payment_record`: `credit_note_not_payable`);
- the staff API read an id sent as 1.5 as row 1 and one in other digits ("\u0663") as row 3
  (`creditdesk.api.serializers.common.RowField`, `core.text.row_id`'s rule);
- a form sent twice (a double click, a browser retrying) refunded twice, issued two credit
  notes, granted or corrected credits twice, registered two purchases with two invoices, and
  logged the same work twice: the forms carry a one-time key (`creditdesk.web.forms.OneSubmit`)
  the services act on once; a twin work log is the one already logged.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from billing.models import BillingRun, Invoice, Payment, Refund
from billing.services import payment_record
from contracts.models import Customer, Plan
from contracts.services import customer_today
from credits.models import LedgerEntry
from tests.api.conftest import assert_error, client_for, world  # noqa: F401  (fixture)
from tests.clients import signed_in
from tests.factories import make_invoice
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tickets.models import ScheduledSession, Ticket, WorkLog
from tickets.services.lifecycle import ticket_transition
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


def browser(user, language: str | None = None) -> Client:
    client = signed_in(user, language)
    client.raise_request_exception = True
    return client


def role(world, name: str):  # noqa: F811
    return {
        "agent": world.agent,
        "manager": world.a.manager,
        "finance": world.finance,
        "admin": world.admin,
    }[name]


def entries(customer: Customer) -> int:
    return LedgerEntry.objects.filter(account__customer=customer).count()


def money_rows() -> tuple[int, int, int]:
    return (Payment.objects.count(), Refund.objects.count(), Invoice.objects.count())


def invoice_page(invoice) -> str:
    return f"/workspace/finance/invoices/{invoice.pk}/"


def as_shown(form) -> dict:
    """The values a page's form was sent with (its hidden one-time key among them)."""
    return {name: form[name].value() for name in form.fields if form[name].value() is not None}


def form_on(client, url: str, name: str) -> dict:
    """`as_shown` of the page's form `name`, whose one-time key the page's HTML carries."""
    page = client.get(url)
    data = as_shown(page.context[name])
    assert f'value="{data["submission_key"]}"' in page.text
    return data


# 1. Role boundaries


@pytest.mark.parametrize("who", ["agent", "manager"])
def test_only_finance_and_admins_reach_finance_pages_and_start_nothing(world, who):  # noqa: F811
    client = browser(role(world, who))
    for url in (
        "/workspace/finance/invoices/",
        "/workspace/finance/credits/",
        "/workspace/finance/ageing/",
        "/workspace/finance/billing-run/",
        "/billing/finance-export/?date_from=2026-11-01&date_to=2026-11-30",
        invoice_page(world.a.invoice),
    ):
        assert client.get(url).status_code == 403, url
    before = money_rows()
    assert client.post("/workspace/finance/billing-run/", {"period": "2026-11"}).status_code == 403
    invoice, payment = world.a.invoice, world.a.payment
    for url, data in (
        (f"{invoice_page(invoice)}refund/", {"payment": payment.pk, "reason": "x"}),
        (f"{invoice_page(invoice)}credit-note/", {"reason": "x", "amount": "1000"}),
        (
            f"{invoice_page(invoice)}record-payment/",
            {
                "amount": "1000",
                "provider": "cash",
                "provider_ref": "R-1",
                "received_on": customer_today(world.a.customer).isoformat(),
            },
        ),
        (f"/workspace/finance/payments/{payment.pk}/confirm/", {"note": "ok"}),
        (f"/workspace/finance/payments/{payment.pk}/settle/", {"returned": "on"}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert money_rows() == before
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize("who", ["agent", "finance"])
def test_who_does_not_manage_customers_writes_none_of_their_pages(world, who):  # noqa: F811
    client = browser(role(world, who))
    customer = world.a.customer
    customers = Customer.objects.count()
    assert (
        client.post(
            "/workspace/customers/new/",
            {"legal_name": "Intruso S.A.S.", "tax_id": "900111222-3", "country": "CO"},
        ).status_code
        == 403
    )
    base = f"/workspace/customers/{customer.pk}"
    for url, data in (
        (f"{base}/edit/", {"legal_name": "Cambiado"}),
        (f"{base}/contacts/new/", {"name": "Otro", "email": "otro@x.example"}),
        (f"{base}/contract/status/", {"action": "suspend", "reason": "x"}),
        (f"{base}/contract/plan/", {"plan": world.plan.pk, "effective_on": "2026-12-01"}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert Customer.objects.count() == customers
    customer.refresh_from_db()
    assert customer.legal_name == "Cliente a"
    world.a.contract.refresh_from_db()
    assert world.a.contract.status == "active"


def test_an_agent_grants_no_credits_and_finance_grants_no_courtesy(world):  # noqa: F811
    customer = world.a.customer
    before = entries(customer)
    url = f"/workspace/customers/{customer.pk}/credits/"
    data = {"kind": "grant", "credits": "50", "reason": "regalo"}
    assert browser(world.agent).post(url, data).status_code == 403
    # finance corrects balances; a courtesy is not a kind its form offers
    assert browser(world.finance).post(url, data).status_code == 200
    # an account manager grants courtesies, never corrections
    adjusted = browser(world.a.manager).post(url, data | {"kind": "adjust"})
    assert adjusted.status_code == 200
    assert entries(customer) == before


def test_an_account_manager_writes_nothing_on_another_managers_customer(world):  # noqa: F811
    client = browser(world.a.manager)
    other = world.b.customer
    before = entries(other)
    base = f"/workspace/customers/{other.pk}"
    for url, data in (
        (f"{base}/credits/", {"kind": "grant", "credits": "5", "reason": "x"}),
        (f"{base}/notes/", {"text": "nota"}),
        (f"{base}/contract/status/", {"action": "suspend", "reason": "x"}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert entries(other) == before
    assert not other.notes.exists()


@pytest.mark.parametrize("who", ["agent", "finance"])
def test_only_admins_and_account_managers_register_webhooks(world, who):  # noqa: F811
    page = browser(role(world, who)).post(
        "/workspace/webhooks/",
        {"url": "https://hooks.example.com/x", "events": ["ticket.created"]},
    )
    assert page.status_code == 403
    api = client_for(role(world, who)).post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://hooks.example.com/x", "events": ["ticket.created"]},
        format="json",
    )
    assert api.status_code == 403
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("who", "method", "url", "body"),
    [
        ("agent", "post", "/api/v1/payments/", {"customer": "{a}", "amount": "1000"}),
        ("manager", "post", "/api/v1/payments/", {"customer": "{a}", "amount": "1000"}),
        ("agent", "post", "/api/v1/customers/{a}/credits/adjustments/", {"credits": "9"}),
        ("manager", "post", "/api/v1/customers/{a}/credits/adjustments/", {"credits": "9"}),
        ("agent", "post", "/api/v1/plans/", {"code": "x", "name": "x"}),
        ("finance", "post", "/api/v1/plans/", {"code": "x", "name": "x"}),
        ("manager", "post", "/api/v1/plans/", {"code": "x", "name": "x"}),
        ("agent", "get", "/api/v1/invoices/export/?date_from=2026-11-01&date_to=2026-11-30", None),
        (
            "manager",
            "get",
            "/api/v1/invoices/export/?date_from=2026-11-01&date_to=2026-11-30",
            None,
        ),
        ("finance", "post", "/api/v1/tickets/{ticket}/transitions/", {"to_status": "resolved"}),
        (
            "finance",
            "post",
            "/api/v1/tickets/{ticket}/work-logs/",
            {"started_at": "2026-12-01T10:00:00Z", "minutes": 60},
        ),
        ("manager", "post", "/api/v1/tickets/{ticket}/work-logs/", {"minutes": 60}),
        ("agent", "post", "/api/v1/contracts/{contract}/cancel/", {"reason": "x"}),
        ("finance", "post", "/api/v1/contracts/{contract}/suspend/", {"reason": "x"}),
        ("agent", "post", "/api/v1/customers/", {"legal_name": "Intruso"}),
        ("agent", "patch", "/api/v1/customers/{a}/", {"tax_exempt": True}),
        ("finance", "patch", "/api/v1/customers/{a}/", {"tax_exempt": True}),
    ],
)
def test_the_staff_api_keeps_each_role_to_its_actions(world, who, method, url, body):  # noqa: F811
    def fill(text):
        return (
            text.replace("{a}", str(world.a.customer.pk))
            .replace("{ticket}", str(world.a.ticket.pk))
            .replace("{contract}", str(world.a.contract.pk))
        )

    body = {k: fill(v) if isinstance(v, str) else v for k, v in (body or {}).items()}
    before = (
        money_rows(),
        entries(world.a.customer),
        Plan.objects.count(),
        WorkLog.objects.count(),
    )
    response = getattr(client_for(role(world, who)), method)(fill(url), body, format="json")
    assert_error(response, 403)
    assert response.json()["message"]
    world.a.ticket.refresh_from_db()
    world.a.contract.refresh_from_db()
    world.a.customer.refresh_from_db()
    assert world.a.ticket.status == Ticket.Status.ACKNOWLEDGED
    assert world.a.contract.status == "active"
    assert world.a.customer.tax_exempt is False
    after = (money_rows(), entries(world.a.customer), Plan.objects.count(), WorkLog.objects.count())
    assert after == before


def test_a_refusal_of_a_role_is_worded_in_spanish_and_english(world):  # noqa: F811
    url = "/api/v1/payments/"
    spanish = client_for(world.agent).post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="es")
    english = client_for(world.agent).post(url, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert spanish.status_code == english.status_code == 403
    assert spanish.json()["message"] != english.json()["message"]


# 2. Rows that do not exist, or of the wrong kind


def full_credit_note(invoice, by):
    from billing.services import credit_note_issue

    return credit_note_issue(invoice=invoice, reason="Anulada", by=by)


@pytest.mark.parametrize("pk", ["0", "987654", "9223372036854775807", "9223372036854775808"])
def test_finance_actions_on_no_row_are_404s(world, pk):  # noqa: F811
    client = browser(world.finance)
    before = money_rows()
    assert client.get(f"/workspace/finance/invoices/{pk}/").status_code == 404
    for url in (
        f"/workspace/finance/invoices/{pk}/refund/",
        f"/workspace/finance/invoices/{pk}/credit-note/",
        f"/workspace/finance/invoices/{pk}/record-payment/",
        f"/workspace/finance/payments/{pk}/confirm/",
        f"/workspace/finance/payments/{pk}/settle/",
        f"/workspace/finance/transfers/{pk}/confirm/",
        f"/workspace/finance/transfers/{pk}/reject/",
    ):
        assert client.post(url, {"returned": "on", "note": "x"}).status_code == 404, url
    assert money_rows() == before


def test_a_credit_note_takes_no_payment_credit_note_nor_refund(world):  # noqa: F811
    """A payment recorded on a credit note's page was applied to the credit note (its page
    offers no payment form; the post was taken): refused, naming the invoice, in both
    languages, from the page and the API alike."""
    invoice = make_invoice(world.a.customer, issue=True)
    note = full_credit_note(invoice, world.finance)
    before = money_rows()
    for language, words in (("es", "nota crédito"), ("en", "credit note")):
        client = browser(world.finance, language)
        recorded = client.post(
            f"{invoice_page(note)}record-payment/",
            record_payment_data(world.a.customer, provider_ref=f"R-NOTE-{language}"),
        )
        assert recorded.status_code == 200
        assert words in recorded.text.lower()
        credited = client.post(f"{invoice_page(note)}credit-note/", {"reason": "x"})
        assert credited.status_code == 200
        refunded = client.post(f"{invoice_page(note)}refund/", {"payment": world.a.payment.pk})
        assert refunded.status_code == 200
    api = client_for(world.finance).post(
        "/api/v1/payments/",
        {
            "customer": world.a.customer.pk,
            "invoice": note.pk,
            "amount": "1000",
            "currency": "COP",
            "provider": "bank_transfer",
            "provider_ref": "API-NOTE",
            "received_on": customer_today(world.a.customer).isoformat(),
        },
        format="json",
    )
    assert "invoice" in assert_error(api, 409, "credit_note_not_payable")["fields"]
    assert money_rows() == before
    assert not Payment.objects.filter(invoice=note).exists()


def test_a_payment_on_an_invoice_credited_in_full_is_kept_for_review_not_applied(
    world,  # noqa: F811
):
    """Money that arrived for an invoice already credited is recorded, as it was received,
    and flagged for finance to give back: never applied."""
    invoice = make_invoice(world.a.customer, issue=True)
    full_credit_note(invoice, world.finance)
    response = browser(world.finance).post(
        f"{invoice_page(invoice)}record-payment/",
        record_payment_data(world.a.customer, provider_ref="R-CRED"),
    )
    assert response.status_code == 302
    payment = Payment.objects.get(provider_ref="R-CRED")
    assert payment.applied_at is None
    assert payment.needs_attention


# 3. Malformed input


def record_payment_data(customer, **changes):
    return {
        "amount": "1000",
        "provider": "bank_transfer",
        "provider_ref": "BANCO-PROBE",
        "received_on": customer_today(customer).isoformat(),
        "note": "",
    } | changes


BAD_AMOUNTS = [
    "-5",
    "0",
    "NaN",
    "Infinity",
    "-Infinity",
    "1e5",
    "1e400",
    "9" * 30,
    "\x00",
    "\u0663",
]


@pytest.mark.parametrize(
    "changes",
    [
        *({"amount": value} for value in BAD_AMOUNTS),
        {"provider": "stripe"},
        {"provider": "\x00"},
        {"provider_ref": "\x00"},
        {"provider_ref": "x" * 300},
        {"provider_ref": "   "},
        {"received_on": "0001-01-01"},
        {"received_on": "9999-12-31"},
        {"received_on": "2026-02-30"},
        {"received_on": "\x00"},
        {"note": "a\x00b"},
        {"note": "x" * 200_000},
        {"note": "a\x07b"},
    ],
)
def test_a_malformed_payment_writes_nothing(world, changes):  # noqa: F811
    invoice = make_invoice(world.a.customer, issue=True)
    before = money_rows()
    response = browser(world.finance).post(
        f"{invoice_page(invoice)}record-payment/", record_payment_data(world.a.customer, **changes)
    )
    assert response.status_code == 200
    assert money_rows() == before


@pytest.mark.parametrize(
    "changes",
    [
        *({"amount": value} for value in BAD_AMOUNTS),
        {"amount": "USD 1000"},
        {"reason": "\x00"},
        {"reason": "a\x1bb"},
        {"reason": "x" * 200_000},
        {"reason": ""},
        {"payment": "99999999999999999999"},
        {"payment": "\u0663"},
        {"payment": "\x00"},
    ],
)
def test_a_malformed_refund_or_credit_note_writes_nothing(world, changes):  # noqa: F811
    invoice, payment = world.a.invoice, world.a.payment
    client = browser(world.finance)
    before = money_rows()
    data = {"payment": payment.pk, "reason": "Devolución", "amount": "1000"} | changes
    assert client.post(f"{invoice_page(invoice)}refund/", data).status_code == 200
    if "payment" not in changes:
        data.pop("payment")
        assert client.post(f"{invoice_page(invoice)}credit-note/", data).status_code == 200
    assert money_rows() == before


@pytest.mark.parametrize(
    "period",
    [
        "9999-12",
        "0000-01",
        "1899-12",
        "2026-13",
        "\x00",
        "2026-1",
        "\u0662\u0660\u0662\u0666-\u0661\u0661",
        "",
    ],
)
def test_a_billing_run_of_no_month_starts_nothing(world, period):  # noqa: F811
    client = browser(world.finance)
    assert client.post("/workspace/finance/billing-run/", {"period": period}).status_code == 400
    assert client.get("/workspace/finance/billing-run/", {"period": period}).status_code == 200
    status = client.get("/workspace/finance/billing-run/", {"period": period, "fragment": "status"})
    assert status.status_code == 200
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize(
    ("kind", "credits"),
    [
        ("adjust", "NaN"),
        ("adjust", "Infinity"),
        ("adjust", "-Infinity"),
        ("adjust", "1e3"),
        ("adjust", "9" * 30),
        ("adjust", "0"),
        ("adjust", "0,001"),
        ("adjust", "-99999"),  # more than are available
        ("adjust", "\u0663"),
        ("adjust", "\x00"),
    ],
)
def test_a_malformed_credit_correction_writes_nothing(world, kind, credits):  # noqa: F811
    customer = world.a.customer
    before = entries(customer)
    response = browser(world.finance).post(
        f"/workspace/customers/{customer.pk}/credits/",
        {"kind": kind, "credits": credits, "reason": "Corrección"},
    )
    assert response.status_code == 200
    assert entries(customer) == before


@pytest.mark.parametrize(
    "body",
    [
        [],
        "texto",
        None,
        {},
        {"amount": "NaN"},
        {"amount": "Infinity"},
        {"amount": "1e400"},
        {"amount": 1e308},
        {"amount": "-5"},
        {"amount": ["1000"]},
        {"amount": True},
        {"amount": "99999999999999999999999999"},
        {"currency": "XXX"},
        {"currency": "\x00"},
        {"provider": "stripe"},
        {"provider_ref": "\x00"},
        {"provider_ref": "x" * 300},
        {"provider_ref": ["a"]},
        {"received_on": "0001-01-01"},
        {"received_on": "9999-12-31"},
        {"received_on": 20261201},
        {"invoice": "\u0663"},
        {"invoice": "99999999999999999999"},
        {"invoice": -1},
        {"invoice": 1.5},
        {"customer": "99999999999999999999"},
        {"note": "a\x00b"},
        {"note": "x" * 200_000},
    ],
)
def test_a_malformed_api_payment_is_a_4xx_naming_a_field_and_writes_nothing(
    world,  # noqa: F811
    body,
):
    invoice = make_invoice(world.a.customer, issue=True)
    valid = {
        "customer": world.a.customer.pk,
        "invoice": invoice.pk,
        "amount": "1000",
        "currency": "COP",
        "provider": "bank_transfer",
        "provider_ref": "API-PROBE",
        "received_on": customer_today(world.a.customer).isoformat(),
    }
    sent = valid | body if isinstance(body, dict) and body else body
    before = money_rows()
    response = client_for(world.finance).post("/api/v1/payments/", sent, format="json")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    error = response.json()
    assert error["message"]
    if isinstance(body, dict) and body:
        assert error["fields"], error
    assert money_rows() == before


@pytest.mark.parametrize(
    "body",
    [
        {"credits": "NaN", "reason": "x"},
        {"credits": "Infinity", "reason": "x"},
        {"credits": "1e400", "reason": "x"},
        {"credits": 1e308, "reason": "x"},
        {"credits": "9" * 30, "reason": "x"},
        {"credits": "0", "reason": "x"},
        {"credits": "0.001", "reason": "x"},
        {"credits": ["5"], "reason": "x"},
        {"credits": True, "reason": "x"},
        {"credits": "5", "reason": "\x00"},
        {"credits": "5", "reason": "x" * 200_000},
        {"credits": "5", "reason": ""},
        {"credits": "5"},
        {"credits": "-99999", "reason": "x"},
    ],
)
def test_a_malformed_api_credit_adjustment_writes_nothing(world, body):  # noqa: F811
    customer = world.a.customer
    before = entries(customer)
    response = client_for(world.finance).post(
        f"/api/v1/customers/{customer.pk}/credits/adjustments/", body, format="json"
    )
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response.json()["fields"], response.json()
    assert entries(customer) == before


# 4. Rows in the wrong state, and money actions submitted twice


def test_a_payment_refunded_in_full_is_not_refunded_again(world):  # noqa: F811
    invoice, payment = world.a.invoice, world.a.payment
    client = browser(world.finance)
    data = {"payment": payment.pk, "reason": "Devolución total", "amount": ""}
    assert client.post(f"{invoice_page(invoice)}refund/", data).status_code == 302
    before = money_rows()
    again = client.post(f"{invoice_page(invoice)}refund/", data)
    assert again.status_code == 200
    assert money_rows() == before
    assert Refund.objects.filter(payment=payment).count() == 1


def test_an_invoice_credited_in_full_takes_no_second_credit_note(world):  # noqa: F811
    invoice = make_invoice(world.a.customer, issue=True)
    client = browser(world.finance)
    data = {"reason": "Anulada", "amount": ""}
    assert client.post(f"{invoice_page(invoice)}credit-note/", data).status_code == 302
    before = money_rows()
    assert client.post(f"{invoice_page(invoice)}credit-note/", data).status_code == 200
    assert money_rows() == before


def test_a_payment_confirmed_twice_is_applied_once(world):  # noqa: F811
    invoice = make_invoice(world.a.customer, issue=True)
    payment = payment_record(
        customer=world.a.customer,
        amount=Money("500000", "COP"),  # more than is due: kept for review
        provider="bank_transfer",
        provider_ref="OVER-1",
        received_on=customer_today(world.a.customer),
        invoice=invoice,
    )
    assert payment.needs_attention
    client = browser(world.finance)
    url = f"/workspace/finance/payments/{payment.pk}/settle/"
    assert client.post(url, {"returned": "on"}).status_code == 302
    assert client.post(url, {"returned": "on"}).status_code == 302
    assert Refund.objects.filter(payment=payment).count() == 1
    confirm = f"/workspace/finance/payments/{payment.pk}/confirm/"
    assert client.post(confirm, {"note": "visto"}).status_code == 302
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.applied_amount == invoice.total
    assert invoice.status == Invoice.Status.PAID


def test_settling_what_is_no_overpayment_is_refused_and_writes_nothing(world):  # noqa: F811
    before = money_rows()
    for language in ("es", "en"):
        response = browser(world.finance, language).post(
            f"/workspace/finance/payments/{world.a.payment.pk}/settle/",
            {"returned": "on"},
            follow=True,
        )
        assert response.status_code == 200
        assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert money_rows() == before


def test_a_recorded_payment_submitted_twice_is_one_payment(world):  # noqa: F811
    invoice = make_invoice(world.a.customer, issue=True)
    client = browser(world.finance)
    data = record_payment_data(world.a.customer, amount="1000", provider_ref="DOBLE-CLIC")
    assert client.post(f"{invoice_page(invoice)}record-payment/", data).status_code == 302
    assert client.post(f"{invoice_page(invoice)}record-payment/", data).status_code == 200
    assert Payment.objects.filter(provider_ref="DOBLE-CLIC").count() == 1


def test_a_billing_run_requested_twice_is_one_run(world, django_capture_on_commit_callbacks):  # noqa: F811
    client = browser(world.finance)
    # The month before last: over in every customer's zone whatever UTC's hour (on the 1st,
    # UTC's last month is not yet over in Bogotá until 05:00 UTC).
    month = f"{timezone.localdate().replace(day=1) - timedelta(days=32):%Y-%m}"
    with django_capture_on_commit_callbacks() as callbacks:
        for _ in range(2):
            response = client.post("/workspace/finance/billing-run/", {"period": month})
            assert response.status_code == 302
    assert BillingRun.objects.count() == 1
    assert len(callbacks) == 1


def test_a_partial_refund_submitted_twice_refunds_once(world):  # noqa: F811
    invoice, payment = world.a.invoice, world.a.payment
    client = browser(world.finance)
    data = form_on(client, invoice_page(invoice), "refund_form") | {
        "payment": payment.pk,
        "reason": "Descuento",
        "amount": "10000",
    }
    for _ in range(2):
        assert client.post(f"{invoice_page(invoice)}refund/", data).status_code == 302
    assert Refund.objects.filter(payment=payment).count() == 1


def test_a_full_refund_submitted_twice_refunds_once_and_says_so_twice(world):  # noqa: F811
    # the second submit's payment is refunded in full, so no longer offered: the form still
    # takes it for the key that refunded it, and the page answers as it did the first time
    invoice, payment = world.a.invoice, world.a.payment
    client = browser(world.finance)
    data = form_on(client, invoice_page(invoice), "refund_form") | {
        "payment": payment.pk,
        "reason": "Servicio no prestado",
        "amount": "",
    }
    answers = [client.post(f"{invoice_page(invoice)}refund/", data) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [302, 302]
    assert Refund.objects.filter(payment=payment).count() == 1


def test_a_partial_credit_note_submitted_twice_is_one_note(world):  # noqa: F811
    invoice = make_invoice(world.a.customer, issue=True)
    client = browser(world.finance)
    data = form_on(client, invoice_page(invoice), "credit_note_form") | {
        "reason": "Descuento",
        "amount": "10000",
    }
    for _ in range(2):
        assert client.post(f"{invoice_page(invoice)}credit-note/", data).status_code == 302
    assert invoice.credit_notes.count() == 1


def test_a_courtesy_grant_submitted_twice_grants_once(world):  # noqa: F811
    customer = world.a.customer
    client = browser(world.a.manager)
    data = form_on(client, f"/workspace/customers/{customer.pk}/", "credits_form") | {
        "kind": "grant",
        "credits": "5",
        "reason": "Cortesía",
    }
    before = entries(customer)
    for _ in range(2):
        assert client.post(f"/workspace/customers/{customer.pk}/credits/", data).status_code == 302
    assert entries(customer) == before + 1


def test_a_no_show_marked_twice_charges_once(world, time_machine):  # noqa: F811
    session = world.a.session
    time_machine.move_to(session.starts_at + timedelta(minutes=30))
    client = browser(world.agent)
    url = f"/workspace/tickets/{world.a.ticket.number}/sessions/{session.pk}/no-show/"
    before = entries(world.a.customer)
    client.post(url)
    client.post(url)
    session.refresh_from_db()
    assert session.status == ScheduledSession.Status.NO_SHOW
    assert entries(world.a.customer) <= before + 1


@pytest.mark.parametrize("to_status", ["resolved", "in_progress", "waiting_on_customer", "closed"])
def test_a_closed_request_moves_nowhere_but_reopened_from_the_workspace(world, to_status):  # noqa: F811
    ticket = world.a.ticket
    ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=world.agent)
    ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=world.agent)
    ticket_transition(ticket, to_status=Ticket.Status.CLOSED, by=world.agent)
    response = browser(world.agent).post(
        f"/workspace/tickets/{ticket.number}/status/", {"to_status": to_status, "reason": "x"}
    )
    assert response.status_code in (200, 400)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    api = client_for(world.agent).post(
        f"/api/v1/tickets/{ticket.pk}/transitions/", {"to_status": to_status}, format="json"
    )
    assert "to_status" in assert_error(api, api.status_code)["fields"] or api.status_code == 409
    assert 400 <= api.status_code < 500
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED


def test_work_on_a_closed_request_is_refused_from_the_workspace(world):  # noqa: F811
    ticket = world.a.ticket
    ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=world.agent)
    ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=world.agent)
    ticket_transition(ticket, to_status=Ticket.Status.CLOSED, by=world.agent)
    client = browser(world.agent)
    logs, sessions = WorkLog.objects.count(), ScheduledSession.objects.count()
    client.post(
        f"/workspace/tickets/{ticket.number}/work/",
        {"ended_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "minutes": "30"},
    )
    client.post(
        f"/workspace/tickets/{ticket.number}/sessions/",
        {
            "starts_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "60",
        },
    )
    assert (WorkLog.objects.count(), ScheduledSession.objects.count()) == (logs, sessions)


@pytest.mark.parametrize("minutes", ["2147483648", "9" * 30, "1e3", "NaN", "-1", "0"])
def test_a_session_of_impossible_length_is_refused(world, minutes):  # noqa: F811
    ticket = world.a.ticket
    sessions = ScheduledSession.objects.count()
    response = browser(world.agent).post(
        f"/workspace/tickets/{ticket.number}/sessions/",
        {
            "starts_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": minutes,
        },
    )
    assert response.status_code in (200, 400)
    assert ScheduledSession.objects.count() == sessions
    api = client_for(world.agent).post(
        f"/api/v1/tickets/{ticket.pk}/sessions/",
        {"starts_at": (timezone.now() + timedelta(days=1)).isoformat(), "minutes": minutes},
        format="json",
    )
    assert "minutes" in assert_error(api, 400)["fields"]
    assert ScheduledSession.objects.count() == sessions


def test_a_new_form_refunds_and_credits_again(world):  # noqa: F811
    """The key tells one submit from the next form: finance refunding twice on purpose, each
    from the page as it comes back, gets two refunds (and two notes, two grants)."""
    invoice, payment = world.a.invoice, world.a.payment
    client = browser(world.finance)
    for _ in range(2):
        form = client.get(invoice_page(invoice)).context["refund_form"]
        data = as_shown(form) | {"payment": payment.pk, "reason": "Descuento", "amount": "1000"}
        assert client.post(f"{invoice_page(invoice)}refund/", data).status_code == 302
    assert Refund.objects.filter(payment=payment).count() == 2
    customer = world.a.customer
    before = entries(customer)
    manager = browser(world.a.manager)
    for _ in range(2):
        form = manager.get(f"/workspace/customers/{customer.pk}/").context["credits_form"]
        data = as_shown(form) | {"kind": "grant", "credits": "1", "reason": "Cortesía"}
        assert manager.post(f"/workspace/customers/{customer.pk}/credits/", data).status_code == 302
    assert entries(customer) == before + 2


def test_a_form_sent_again_with_another_amount_is_refused_not_applied(world):  # noqa: F811
    """Back, change the credits, send: the same form's key with another amount is refused on
    the page, in the reader's language, and nothing more moves."""
    customer = world.a.customer
    client = browser(world.a.manager)
    form = client.get(f"/workspace/customers/{customer.pk}/").context["credits_form"]
    data = as_shown(form) | {"kind": "grant", "credits": "5", "reason": "Cortesía"}
    url = f"/workspace/customers/{customer.pk}/credits/"
    assert client.post(url, data).status_code == 302
    before = entries(customer)
    again = client.post(url, data | {"credits": "50"})
    assert again.status_code == 200
    assert entries(customer) == before


def test_work_logged_twice_from_one_form_is_one_log(world, time_machine):  # noqa: F811
    """A double click on "Registrar trabajo" logged the same hour twice, and the request was
    billed for both (with an on-site surcharge each)."""
    ticket = world.a.ticket
    time_machine.move_to(ticket.opened_at + timedelta(hours=2))
    client = browser(world.agent)
    url = f"/workspace/tickets/{ticket.number}/work/"
    form = client.get(f"/workspace/tickets/{ticket.number}/").context["worklog_form"]
    ended = timezone.localtime(
        timezone.now() - timedelta(minutes=5), world.a.customer.time_zone_info
    )
    data = as_shown(form) | {
        "ended_at": ended.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "60",
        "note": "Revisión del servidor",
        "onsite": "on",
        "billable": "on",
    }
    assert client.post(url, data).status_code == 302
    assert WorkLog.objects.filter(ticket=ticket).count() == 1
    assert client.post(url, data).status_code in (200, 302)
    assert WorkLog.objects.filter(ticket=ticket).count() == 1


def test_a_purchase_registered_twice_from_one_form_is_one_activation_and_invoice(
    world,  # noqa: F811
):
    """A double click on "Registrar y emitir la factura" registered two purchases and issued
    two invoices for one sale."""
    from activations.models import Activation
    from contracts import presets
    from sla.models import ActivationLeadTime

    presets.load(["activation-times"])
    product = ActivationLeadTime.objects.filter(calendar__isnull=True).order_by("pk").first()
    client = browser(world.a.manager)
    data = form_on(client, "/workspace/activations/new/", "form") | {
        "customer": world.a.customer.pk,
        "product": product.pk,
        "unit_price": "150000",
    }
    invoices = Invoice.objects.count()
    for _ in range(2):
        assert client.post("/workspace/activations/new/", data).status_code == 302
    assert Activation.objects.filter(customer=world.a.customer).count() == 1
    assert Invoice.objects.count() == invoices + 1


def test_an_account_manager_neither_hands_over_nor_takes_a_customer(world):  # noqa: F811
    customer = world.a.customer
    client = browser(world.a.manager)
    fields = {
        "legal_name": customer.legal_name,
        "tax_id": customer.tax_id,
        "country": customer.country,
        "currency": customer.currency,
        "time_zone": customer.time_zone,
        "language": customer.language,
        "billing_email": customer.billing_email,
        "address": customer.address,
        "membership": customer.membership,
    }
    client.post(
        f"/workspace/customers/{customer.pk}/edit/",
        fields | {"account_manager": world.b.manager.pk},
    )
    customer.refresh_from_db()
    assert customer.account_manager_id == world.a.manager.pk
    # a new customer of theirs is their own, whoever the post names
    client.post(
        "/workspace/customers/new/",
        fields
        | {
            "legal_name": "Nuevo S.A.S.",
            "tax_id": "900555111-2",
            "account_manager": world.b.manager.pk,
        },
    )
    created = Customer.objects.filter(legal_name="Nuevo S.A.S.").first()
    assert created is None or created.account_manager_id == world.a.manager.pk


def test_a_contract_started_twice_is_one_contract(world):  # noqa: F811
    from tests.factories import make_customer

    customer = make_customer(account_manager=world.a.manager)
    client = browser(world.a.manager)
    data = {
        "plan": world.plan.pk,
        "starts_on": timezone.localdate().isoformat(),
        "activate": "on",
    }
    url = f"/workspace/customers/{customer.pk}/contract/"
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code in (200, 302)
    assert customer.contracts.count() == 1
