"""Finance's workspace pages: invoices with filters and totals, an invoice's detail and its
actions (credit note, payment recorded and confirmed), the billing run started from a page as
a task and watched, ageing, the export page; who may open them; the same number of queries
whatever the amount of data; finance's landing page."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from djmoney.money import Money

from billing.models import BillingRun, Invoice, Payment
from billing.services import credit_note_issue, payment_record
from contracts.models import Customer
from sla.choices import Impact
from tests.billing.conftest import frozen_now  # noqa: F401  (fixture)
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
    make_staff_user,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]

PAGES = [
    "/workspace/finance/invoices/",
    "/workspace/finance/billing-run/",
    "/workspace/finance/ageing/",
    "/billing/finance-export/",
]


def cop(amount: str) -> Money:
    return Money(amount, "COP")


@pytest.fixture
def finance(client: Client):
    client.force_login(make_finance_user(username="finanzas"))
    return client


def _documents(count: int, batch: str = "") -> list[Invoice]:
    """`count` issued invoices of as many customers in two currencies, half paid, each with a
    credit note on every third."""
    made = []
    for index in range(count):
        dollars = index % 2
        customer = make_customer(
            legal_name=f"Cliente {index} S.A.S.",
            currency="USD" if dollars else "COP",
            country="US" if dollars else "CO",
        )
        price = Money("80", "USD") if dollars else cop("100000")
        invoice = make_invoice(
            customer,
            lines=[("Cuota", price), ("Extra", price)],
            tax_rate=Decimal("0") if dollars else None,
            issue=True,
        )
        if index % 3 == 0:
            credit_note_issue(invoice=invoice, reason="Descuento")
        elif index % 2 == 0:
            payment_record(
                customer=customer,
                amount=invoice.total,
                provider="bank_transfer",
                provider_ref=f"TRF-{batch}{index}",
                received_on=date(2026, 12, 3),
                invoice=invoice,
            )
        made.append(invoice)
    return made


@pytest.mark.parametrize(
    ("make_user", "status"),
    [
        (make_finance_user, 200),
        (lambda: make_staff_user(), 200),
        (make_agent, 403),
        (make_account_manager, 403),
        (lambda: make_portal_user(make_contact()), 403),
    ],
)
def test_only_finance_and_admins_open_the_pages(client, make_user, status):
    invoice = make_invoice(issue=True)
    client.force_login(make_user())
    for url in [*PAGES, f"/workspace/finance/invoices/{invoice.pk}/"]:
        assert client.get(url).status_code == status, url
    posted = client.post("/workspace/finance/billing-run/", {"period": "2026-11"})
    assert posted.status_code in ({302} if status == 200 else {403})


def test_anonymous_visitors_are_sent_to_log_in(client):
    for url in PAGES:
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_finance_lands_on_its_invoices_and_the_navigation_offers_its_pages(finance):
    landing = finance.get("/")
    page = finance.get(landing["Location"]).text

    assert landing["Location"] == "/workspace/finance/invoices/"
    for url in PAGES:
        assert f'href="{url}"' in page
    assert 'href="/workspace/"' in page  # the queue is still a link away


def test_the_list_filters_and_totals_per_currency(finance):
    invoices = _documents(6)

    page = finance.get("/workspace/finance/invoices/").text
    dollars = finance.get("/workspace/finance/invoices/", {"currency": "USD"}).text
    notes = finance.get("/workspace/finance/invoices/", {"kind": "credit_note"}).text
    one = finance.get("/workspace/finance/invoices/", {"customer": "Cliente 4 "}).text
    bad = finance.get("/workspace/finance/invoices/", {"issued_from": "ayer"})

    assert page.count('data-testid="invoice-row"') == 8  # six invoices, two credit notes
    assert 'data-testid="totals-COP"' in page
    assert 'data-testid="totals-USD"' in page
    assert 'data-testid="totals-COP"' not in dollars
    assert dollars.count('data-testid="invoice-row"') == 4  # three invoices, a credit note
    assert notes.count('data-testid="invoice-row"') == 2
    assert one.count('data-testid="invoice-row"') == 1
    assert invoices[4].display_number in one
    assert bad.status_code == 200
    assert "fecha válida" in bad.text or "valid date" in bad.text


def test_the_detail_shows_lines_payments_credit_notes_and_the_pdf_link(finance):
    invoice = make_invoice(lines=[("Cuota Nivel 2", cop("60000"))], issue=True)
    note = credit_note_issue(invoice=invoice, reason="Descuento", amount=cop("11900"))

    page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/").text

    assert "Cuota Nivel 2" in page
    assert note.display_number in page
    assert f"/billing/invoices/{invoice.pk}/pdf/?download=1" in page
    assert "Registrar un pago" in page
    assert "Emitir una nota crédito" in page
    assert finance.get("/workspace/finance/invoices/987654/").status_code == 404


def test_the_detail_prints_amounts_as_the_issued_pdf_after_the_customer_moves(finance):
    """The PDF formats amounts for the buyer's country copied at issue; the page follows it,
    not the customer's country of today."""
    invoice = make_invoice(
        make_customer(country="CO"), lines=[("Cuota", cop("100000"))], issue=True
    )
    Customer.objects.filter(pk=invoice.customer_id).update(country="US")

    page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/").text

    assert invoice.buyer_country == "CO"
    assert "COP 119.000" in page
    assert "COP 119,000" not in page


def test_the_payment_column_and_the_impact_level_keep_their_own_english_words(finance):
    """Both are "Medio" in Spanish: the payment method and the impact level."""
    invoice = make_invoice(lines=[("Cuota", cop("100000"))], issue=True)
    payment_record(
        customer=invoice.customer,
        invoice=invoice,
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="TRF-1",
        amount=cop("50000"),
        received_on=date(2026, 12, 1),
    )

    page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/", HTTP_ACCEPT_LANGUAGE="en")

    assert '<th scope="col">Payment method</th>' in page.text
    with translation.override("en"):
        assert str(Impact.MEDIUM.label) == "Medium"


def test_the_payment_form_offers_the_customers_today_that_the_service_accepts(finance):
    """At 21:00 in Bogotá it is already tomorrow in UTC: the form's date is the customer's
    day, the one `payment_record` accepts, not the server's."""
    invoice = make_invoice(lines=[("Cuota", cop("100000"))], issue=True)
    evening = datetime(2026, 12, 10, 21, 0, tzinfo=ZoneInfo("America/Bogota"))
    with time_machine.travel(evening, tick=False):
        page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/")
        form = page.context["payment_form"]
        assert form.initial["received_on"] == date(2026, 12, 10)
        url = f"/workspace/finance/invoices/{invoice.pk}/record-payment/"
        paid = finance.post(
            url,
            {
                "provider": "bank_transfer",
                "provider_ref": "TRF-EVENING",
                "amount": "119000",
                "received_on": form.initial["received_on"].isoformat(),
                "note": "",
            },
            follow=True,
        )
    assert "la factura está pagada" in paid.text


def test_issuing_a_credit_note_from_the_page(finance):
    invoice = make_invoice(lines=[("Cuota", cop("100000"))], issue=True)
    url = f"/workspace/finance/invoices/{invoice.pk}/credit-note/"

    refused = finance.post(url, {"reason": "Demasiado", "amount": "999999"})
    done = finance.post(url, {"reason": "Descuento pactado", "amount": "11900"}, follow=True)

    assert refused.status_code == 200
    assert "amount" in refused.text
    assert "Emitir nota crédito" in refused.text
    note = invoice.credit_notes.get()
    assert (note.total, note.correction_reason) == (cop("11900"), "Descuento pactado")
    assert f"Nota crédito {note.display_number} emitida." in done.text


def test_recording_transfers_pays_the_invoice_in_parts_and_a_flagged_one_is_confirmed(finance):
    invoice = make_invoice(lines=[("Cuota", cop("100000"))], issue=True)
    url = f"/workspace/finance/invoices/{invoice.pk}/record-payment/"
    form = {"provider": "bank_transfer", "received_on": "2026-12-02", "note": ""}

    # a transfer short of the total is applied; the invoice stays unpaid for the rest
    short = finance.post(url, form | {"amount": "100000", "provider_ref": "TRF-1"}, follow=True)
    payment = Payment.objects.get(provider_ref="TRF-1")
    assert payment.applied_at is not None
    assert not payment.needs_attention
    assert "quedan COP 19.000 por pagar" in short.text
    assert 'data-testid="amount-due">COP 19.000<' in short.text
    assert "Pagos aplicados: COP 100.000" in short.text
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED
    # the ageing owes the rest only
    ageing = finance.get("/workspace/finance/ageing/").text
    assert "COP 19.000" in ageing
    assert "119.000" not in ageing
    # one of more than the rest is kept and flagged
    over = finance.post(url, form | {"amount": "20000", "provider_ref": "TRF-2"}, follow=True)
    flagged = Payment.objects.get(provider_ref="TRF-2")
    assert flagged.needs_attention
    assert flagged.attention_reason == Payment.Attention.OVERPAYMENT
    assert "requiere revisión: Mayor que lo pendiente" in over.text
    # confirming it needs a note, and still does not apply a payment that does not fit
    confirm = f"/workspace/finance/payments/{flagged.pk}/confirm/"
    finance.post(confirm, {"note": ""})
    assert Payment.objects.get(pk=flagged.pk).resolved_at is None
    finance.post(confirm, {"note": "Pagaron de más; se devuelve"})
    assert Payment.objects.get(pk=flagged.pk).resolved_at is not None
    assert Payment.objects.get(pk=flagged.pk).applied_at is None
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED
    # the rest pays it
    paid = finance.post(url, form | {"amount": "19000", "provider_ref": "TRF-3"}, follow=True)
    assert "la factura está pagada" in paid.text
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    # a future date is refused on its field, nothing written
    late = finance.post(
        url, form | {"amount": "1", "provider_ref": "X", "received_on": "2027-01-01"}
    )
    assert late.status_code == 200
    assert not Payment.objects.filter(provider_ref="X").exists()


def test_the_billing_run_starts_as_a_task_shows_its_progress_and_reruns_issue_nothing(
    finance, db_tasks, django_capture_on_commit_callbacks
):
    # given two live contracts with a fee
    make_contract(plan=make_plan(monthly_fee=cop("120900")))
    make_contract(plan=make_plan(monthly_fee=cop("60000")))

    # when finance starts November's run
    with django_capture_on_commit_callbacks(execute=True):
        started = finance.post("/workspace/finance/billing-run/", {"period": "2026-11"})

    # then it waits in the queue, nothing issued yet
    assert started["Location"] == "/workspace/finance/billing-run/?period=2026-11"
    status = "/workspace/finance/billing-run/?period=2026-11&fragment=status"
    assert "En cola desde" in finance.get(status).text
    assert not Invoice.objects.exists()
    # a worker runs it; the page shows the summary
    assert db_tasks() >= 1
    summary = finance.get(status).text
    assert 'data-testid="run-issued">2<' in summary
    assert Invoice.objects.filter(source=Invoice.Source.MONTHLY).count() == 2
    # running it again issues nothing new
    with django_capture_on_commit_callbacks(execute=True):
        finance.post("/workspace/finance/billing-run/", {"period": "2026-11"})
    assert db_tasks() >= 1
    again = finance.get(status).text
    assert 'data-testid="run-issued">2<' in again
    assert 'data-testid="run-already">2<' in again
    assert Invoice.objects.filter(source=Invoice.Source.MONTHLY).count() == 2
    assert BillingRun.objects.get().attempts == 2


def test_a_run_in_progress_shows_how_many_contracts_it_has_seen(finance):
    BillingRun.objects.create(
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        started_at="2026-12-03T14:00:00Z",
        attempts=1,
        contracts_total=1200,
        contracts_seen=500,
    )

    page = finance.get("/workspace/finance/billing-run/", {"period": "2026-11"}).text

    assert "500 de 1200 contratos revisados" in page
    assert 'max="1200" value="500"' in page
    assert "fetch(box.dataset.url" in page  # the page polls while it runs


def test_a_finished_run_says_when_in_words_with_the_zone_named(finance):
    BillingRun.objects.create(
        period_start=date(2026, 11, 1),
        period_end=date(2026, 11, 30),
        started_at="2026-12-03T09:20:00Z",
        finished_at="2026-12-03T09:21:00Z",
        attempts=1,
    )
    status = "/workspace/finance/billing-run/?period=2026-11&fragment=status"

    spanish = finance.get(status).text
    english = finance.get(status, HTTP_ACCEPT_LANGUAGE="en").text

    assert "Terminada el jueves 3 de diciembre, 09:21 (UTC)." in spanish
    # The short format ended in "a.m." and the sentence added its own period.
    assert "Finished on Thursday 3 December, 09:21 (UTC)." in english
    assert ".." not in english


def test_the_page_offers_the_last_month_over_for_every_customer(finance):
    make_contract(make_customer(time_zone="America/Bogota"))
    with time_machine.travel("2026-12-01T03:00:00Z", tick=False):  # 22:00 on 30 November there
        page = finance.get("/workspace/finance/billing-run/").text
    assert 'value="2026-10"' in page


def test_a_month_not_over_is_refused_on_the_field(finance):
    answer = finance.post("/workspace/finance/billing-run/", {"period": "2026-12"})

    assert answer.status_code == 400
    assert "El mes 2026-12 no ha terminado" in answer.text
    assert not BillingRun.objects.exists()


@pytest.mark.parametrize(
    "period", ["9999-12", "1899-12", "0000-01", "2026-13", "\u0662\u0660\u0662\u0666-\u0661\u0661"]
)
def test_a_month_outside_the_accepted_years_is_refused_on_the_field(finance, period):
    # 9999-12 overflowed the day after the month (a 500); 1899-12 started a run.
    started = finance.post("/workspace/finance/billing-run/", {"period": period})
    report = finance.get("/workspace/finance/credits/", {"month": period})

    for answer in (started, report):
        assert answer.status_code == 400
        assert "Indique un mes AAAA-MM entre 1900-01 y 2999-12." in answer.text
    assert not BillingRun.objects.exists()


def test_the_ageing_page_shows_buckets_per_currency_and_the_customers_behind(finance):
    _documents(4)

    page = finance.get("/workspace/finance/ageing/").text

    assert 'data-testid="ageing-COP"' in page
    assert 'data-testid="ageing-USD"' in page
    assert "Más de 90 días" in page
    # the one unpaid and not credited; a fully credited invoice owes nothing
    assert page.count('data-testid="ageing-customer"') == 1
    assert "Cliente 1 S.A.S." in page


def test_the_export_page_speaks_the_users_language_with_date_pickers(finance):
    spanish = finance.get("/billing/finance-export/").text
    english = finance.get("/billing/finance-export/", HTTP_ACCEPT_LANGUAGE="en").text
    finance.cookies["django_language"] = "en"
    english = finance.get("/billing/finance-export/").text

    assert 'type="date" name="date_from" value="2026-11-01"' in spanish
    assert 'name="date_to" value="2026-11-30"' in spanish
    assert "README" not in spanish
    assert "Finance export" not in spanish
    assert "payment_reference" in spanish  # the columns are described on the page
    assert "admin" not in spanish.split("<main", 1)[1].split("</main>", 1)[0].lower()
    assert '<html lang="en">' in english
    reversed_range = finance.get(
        "/billing/finance-export/", {"date_from": "2026-11-30", "date_to": "2026-11-01"}
    )
    assert reversed_range.status_code == 400
    assert "date_to" in reversed_range.text


@pytest.mark.parametrize(
    "url",
    [
        *PAGES,
        "/workspace/finance/invoices/?currency=COP&kind=invoice",
        "/workspace/finance/invoices/{invoice}/",
        "/workspace/finance/billing-run/?period=2026-11&fragment=status",
    ],
)
def test_each_page_costs_the_same_queries_with_more_data(
    finance, url, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(count: int) -> str:
        invoice = _documents(count, batch=f"{count}-")[-1]
        for index in range(count):
            payment_record(
                customer=invoice.customer,
                amount=Money("1", invoice.currency),
                provider="cash",
                provider_ref=f"R-{count}-{index}",
                received_on=date(2026, 12, 3),
                invoice=invoice,
            )
        return url.format(invoice=invoice.pk)

    # given a few documents and payments
    few_url = grow(3)
    with CaptureQueriesContext(connection) as few:
        assert finance.get(few_url).status_code == 200
    # when there are many more
    many_url = grow(30)
    # then the page costs no more
    with django_assert_max_num_queries(len(few)):
        assert finance.get(many_url).status_code == 200


def test_refunding_a_transfer_issues_its_credit_note(finance):
    invoice = make_invoice(lines=[("Cuota", cop("100000"))], issue=True)
    payment = payment_record(
        customer=invoice.customer,
        amount=invoice.total,
        provider="bank_transfer",
        provider_ref="TRF-9",
        received_on=date(2026, 12, 2),
        invoice=invoice,
    )
    url = f"/workspace/finance/invoices/{invoice.pk}/refund/"

    missing_reason = finance.post(url, {"payment": payment.pk, "reason": "", "amount": ""})
    assert missing_reason.status_code == 200
    assert not payment.refunds.exists()

    done = finance.post(
        url, {"payment": payment.pk, "reason": "Cobro doble", "amount": "11900"}, follow=True
    )

    refund = payment.refunds.get()
    assert (refund.status, refund.amount) == ("succeeded", cop("11900"))
    assert refund.credit_note.corrects_id == invoice.pk
    assert f"con la nota crédito {refund.credit_note.display_number}" in done.text


def test_a_reviewed_payment_that_still_does_not_fit_says_why_and_loses_its_button(finance):
    # given an invoice of COP 119.000 and a transfer of more than that, flagged for finance
    invoice = make_invoice(lines=[("Cuota", cop("100000"))], issue=True)
    record = f"/workspace/finance/invoices/{invoice.pk}/record-payment/"
    form = {"provider": "bank_transfer", "received_on": "2026-12-02", "note": ""}
    finance.post(record, form | {"amount": "150000", "provider_ref": "TRF-MAS"})
    payment = Payment.objects.get(provider_ref="TRF-MAS")
    page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/").text
    assert "Marcar revisado, sin aplicar" in page
    assert "Nota de revisión" in page

    # when finance reviews and confirms it
    confirm = f"/workspace/finance/payments/{payment.pk}/confirm/"
    done = finance.post(confirm, {"note": "El cliente pagó de más"}, follow=True)

    # then it is told why it is not applied, in its language, and what to do
    assert "no se puede aplicar" in done.text
    assert "Mayor que lo pendiente" in done.text
    # and the page shows the payment reviewed, without the button that gave the same answer
    page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/").text
    assert "Marcar revisado, sin aplicar" not in page
    assert "revisado" in page
    assert 'data-testid="payment-unfit"' in page
    assert "Devuélvalo al cliente" in page
    assert Payment.objects.get(pk=payment.pk).applied_at is None
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED
    # a second confirmation (an old tab) changes nothing and says the same clear outcome
    again = finance.post(confirm, {"note": ""}, follow=True)
    assert "no se puede aplicar" in again.text
    assert Payment.objects.get(pk=payment.pk).applied_at is None

    # in English the reason reads in English
    translation.activate("en")
    try:
        finance.cookies["django_language"] = "en"
        english = finance.post(confirm, {"note": ""}, follow=True).text
    finally:
        translation.activate("es")
        del finance.cookies["django_language"]
    assert "cannot be applied" in english
    assert "More than is due" in english
