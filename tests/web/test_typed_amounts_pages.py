"""Amounts typed on the pages as the pages write them ("143.871,00" in Spanish, "143,871.00"
in English) are stored as that amount, through the real forms and services; a refusal of a
service lands on the form's field worded with its label ("Línea 1: créditos"), never as the
service's key ("lines.0.credits") or a Python value ("None")."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from djmoney.money import Money

from billing.models import Invoice, Payment
from billing.services.transfers import transfer_report
from contracts.services import customer_today
from credits.models import LedgerEntry
from quotes.models import Quote, QuoteLine
from tests.billing.transfer_files import pdf_bytes
from tests.factories import (
    make_contact,
    make_customer,
    make_finance_user,
    make_invoice,
    make_portal_user,
)
from tests.quotes.conftest import _quote_series, ticket  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def cop(amount: str) -> Money:
    return Money(amount, "COP")


def logged_in(user, language: str = "es") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def visible_text(html: str) -> str:
    """What a reader sees: the page without its tags (and their attributes, where the
    fields' names live)."""
    return re.sub(r"<[^>]+>", " ", html)


PAYMENT = {"provider": "bank_transfer", "received_on": "2026-12-02", "note": ""}


@pytest.fixture
def finance() -> Client:
    return logged_in(make_finance_user(username="finanzas"))


def test_a_payment_typed_as_the_invoice_page_shows_it_pays_the_invoice(finance):
    # given an invoice of COP 143.871 (120.900 plus 19 % IVA), whose page offers that amount
    invoice = make_invoice(lines=[("Soporte", cop("120900"))], issue=True)
    assert invoice.total == cop("143871")
    page = finance.get(f"/workspace/finance/invoices/{invoice.pk}/").content.decode()
    assert "COP 143.871" in page
    assert 'value="143.871"' in page  # the amount as the page writes it, without its symbol
    assert 'inputmode="decimal"' in page

    # when finance types it back as the page writes it, cents and all
    url = f"/workspace/finance/invoices/{invoice.pk}/record-payment/"
    done = finance.post(url, PAYMENT | {"amount": "143.871,00", "provider_ref": "TRF-1"})

    # then the payment is that amount and pays the invoice
    assert done.status_code == 302
    assert Payment.objects.get(provider_ref="TRF-1").amount == cop("143871.00")
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID


@pytest.mark.parametrize(
    ("language", "typed"),
    [("es", "$ 143.871"), ("es", "143871,00"), ("en", "143,871.00"), ("en", "COP 143,871")],
)
def test_the_payment_amount_reads_the_readers_language(language, typed):
    invoice = make_invoice(lines=[("Soporte", cop("120900"))], issue=True)
    client = logged_in(make_finance_user(username="finanzas"), language)
    url = f"/workspace/finance/invoices/{invoice.pk}/record-payment/"

    client.post(url, PAYMENT | {"amount": typed, "provider_ref": "TRF-1"})

    assert Payment.objects.get(provider_ref="TRF-1").amount == cop("143871")


def test_a_credit_note_amount_typed_with_grouping(finance):
    invoice = make_invoice(lines=[("Soporte", cop("120900"))], issue=True)
    url = f"/workspace/finance/invoices/{invoice.pk}/credit-note/"

    finance.post(url, {"reason": "Descuento pactado", "amount": "11.900,50"})

    assert invoice.credit_notes.get().total == cop("11900.50")


@pytest.mark.parametrize(
    ("language", "typed", "words"),
    [
        ("es", "12,3,4", "Importe recibido: «12,3,4» no es válido"),
        ("en", "12,3,4", "Amount received: '12,3,4' is not valid"),
        ("es", "US$ 5", "Importe recibido: el importe debe estar en COP, no en US$."),
        ("en", "1.000.000.000.000", "is over the maximum of 999,999,999,999.99"),
    ],
)
def test_a_bad_amount_is_refused_on_its_field_and_nothing_is_written(language, typed, words):
    invoice = make_invoice(lines=[("Soporte", cop("120900"))], issue=True)
    client = logged_in(make_finance_user(username="finanzas"), language)
    url = f"/workspace/finance/invoices/{invoice.pk}/record-payment/"

    refused = client.post(url, PAYMENT | {"amount": typed, "provider_ref": "TRF-1"})

    assert refused.status_code == 200
    assert any(words in text for text in refused.context["payment_form"].errors["amount"])
    assert not Payment.objects.exists()


def test_credits_granted_and_adjusted_as_typed_in_spanish(shop):
    url = f"/workspace/customers/{shop.customer.pk}/credits/"
    # an account manager grants 1.500 credits: a thousand and a half, as es-CO writes it
    granted = logged_in(shop.manager).post(
        url, {"kind": "grant", "credits": "1.500", "reason": "Cortesía"}
    )
    assert granted.status_code == 302
    # finance corrects 2,5 of them
    adjusted = logged_in(make_finance_user(username="finanzas")).post(
        url, {"kind": "adjust", "credits": "-2,5", "reason": "Doble cargo"}
    )
    assert adjusted.status_code == 302

    assert list(LedgerEntry.objects.order_by("pk").values_list("kind", "credits")) == [
        ("grant", Decimal("1500.00")),
        ("adjustment", Decimal("-2.50")),
    ]


def test_a_credits_field_takes_no_currency_and_says_so(shop):
    url = f"/workspace/customers/{shop.customer.pk}/credits/"
    refused = logged_in(shop.manager).post(
        url, {"kind": "grant", "credits": "$ 5", "reason": "Cortesía"}
    )
    assert refused.status_code == 200
    assert refused.context["credits_form"].errors["credits"] == [
        "Créditos: «$ 5» no es válido; use un número mayor que cero con hasta dos decimales."
    ]
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(("language", "shown"), [("es", "COP 143.871"), ("en", "COP 143,871")])
def test_one_customers_amount_reads_the_same_on_every_finance_page(
    language, shown, settings, tmp_path
):
    # The invoice list and the transfer queue wrote "COP 143.871" where the invoice's own
    # page, the portal and the PDF wrote "$ 143.871" for a Colombian customer; one form now.
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    customer = make_customer(country="CO")
    invoice = make_invoice(customer, lines=[("Soporte", cop("120900"))], issue=True)
    transfer_report(
        customer=customer,
        by=make_portal_user(make_contact(customer), username="pagos"),
        amount=cop("143871"),
        transferred_on=customer_today(customer),
        reference="REF-1",
        filename="recibo.pdf",
        content=pdf_bytes(),
        invoice=invoice,
    )
    client = logged_in(make_finance_user(username="finanzas"), language)

    for url in (f"/workspace/finance/invoices/{invoice.pk}/", "/workspace/finance/transfers/"):
        page = visible_text(client.get(url).content.decode())
        assert shown in page, url
        assert "$ 143" not in page, url
    # the list: the invoice's row as its page writes it, as the totals of its currency
    rows = client.get("/workspace/finance/invoices/").content.decode()
    (row,) = re.findall(
        r"<tr[^>]*>(?:(?!</tr>).)*?" + invoice.display_number + ".*?</tr>", rows, re.S
    )
    assert shown in visible_text(row)


# --- quotes ---------------------------------------------------------------------------------


def quote_form(**lines) -> dict:
    valid_until = (timezone.localdate() + timedelta(days=3)).isoformat()
    return {"valid_until": valid_until, "terms": ""} | lines


def test_a_quote_line_priced_as_the_page_writes_money(shop, ticket):  # noqa: F811
    url = f"/workspace/tickets/{ticket.number}/quotes/new/"

    created = logged_in(shop.agent).post(
        url,
        quote_form(
            kind="money",
            **{
                "lines.0.description": "Migración de buzones",
                "lines.0.quantity": "1,5",
                "lines.0.unit_price": "143.871,00",
                "lines.1.description": "Configuración DNS",
                "lines.1.unit_price": "$ 80.000,50",
            },
        ),
    )

    assert created.status_code == 302
    first, second = QuoteLine.objects.order_by("position")
    assert (first.quantity, first.unit_price) == (Decimal("1.5"), cop("143871.00"))
    assert (second.quantity, second.unit_price) == (Decimal("1"), cop("80000.50"))


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "es",
            "Línea 1: créditos: no puede quedar vacío; escriba un número mayor que cero con "
            "hasta dos decimales.",
        ),
        (
            "en",
            "Line 1: credits: cannot be empty; write a number greater than zero with at most "
            "two decimals.",
        ),
    ],
)
def test_a_quote_line_without_credits_is_refused_on_its_field_in_words(
    shop,
    ticket,  # noqa: F811
    language,
    words,
):
    url = f"/workspace/tickets/{ticket.number}/quotes/new/"

    line = {"lines.0.description": "Migración", "lines.0.credits": ""}
    page = logged_in(shop.agent, language).post(url, quote_form(kind="credits", **line))

    assert page.status_code == 200
    assert page.context["form"].errors["lines.0.credits"] == [words]
    shown = visible_text(page.content.decode())
    assert words in shown
    assert "lines.0" not in shown
    assert "None" not in shown
    assert not Quote.objects.exists()


def test_a_refusal_of_a_whole_quote_line_names_the_line(shop, ticket):  # noqa: F811
    url = f"/workspace/tickets/{ticket.number}/quotes/new/"

    page = logged_in(shop.agent).post(
        url,
        quote_form(
            kind="money",
            **{
                "lines.0.description": "Una obra enorme",
                "lines.0.quantity": "100.000",
                "lines.0.unit_price": "99.999.999,99",
            },
        ),
    )

    assert page.status_code == 200
    (error,) = page.context["form"].non_field_errors()
    assert error.startswith("Línea 1: el total de la línea con impuesto supera el máximo")
    assert "lines.0" not in visible_text(page.content.decode())
    assert not Quote.objects.exists()
