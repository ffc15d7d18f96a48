"""A report becomes a quote, in Chromium (tests/web/test_browser.py's harness): the agent
drafts a quote from the workspace ticket page and sends it; the customer reads it in the
portal in Spanish and English at 390 px and accepts it; the workspace shows the outcome
mix. Each page is checked with axe-core (no serious or critical violation) and for sideways
scrolling on a phone; screenshots go to WEB_SCREENSHOTS."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from billing.models import Invoice
from contracts.models import Channel
from quotes.models import Quote
from tests.quotes.conftest import in_days
from tests.web.conftest import top_up
from tests.web.test_browser import (  # noqa: F401  (fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)
from tickets.services.intake import ticket_open


@pytest.mark.django_db(transaction=True)
def test_agent_drafts_and_sends_a_quote_and_the_customer_accepts_it(
    browser,  # noqa: F811
    live_server,
    shop,
):
    base = live_server.url
    top_up(shop.customer, "20")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Migrar el correo a otro servidor"
    ).ticket
    page = new_page(browser)
    log_in(page, base, "agente")
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    box = page.get_by_test_id("ticket-quotes")
    expect(box).to_contain_text("No hay presupuestos.")
    box.get_by_role("link", name="Preparar un presupuesto").click()
    expect(page.locator("h1")).to_contain_text("Nuevo presupuesto")
    page.get_by_label("Válido hasta").fill(in_days(10).isoformat())
    page.get_by_label("Línea 1: descripción").fill("Migración de 3 buzones")
    page.get_by_label("Línea 1: cantidad").fill("3")
    page.get_by_label("Línea 1: precio unitario sin impuesto").fill("150000")
    page.get_by_label("Línea 2: descripción").fill("Configuración DNS")
    page.get_by_label("Línea 2: cantidad").fill("1")
    page.get_by_label("Línea 2: precio unitario sin impuesto").fill("80000")
    page.get_by_label("Condiciones").fill("Pago del 50 % al aceptar.")
    assert_accessible(page)
    shot(page, "quote-new")
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.locator(".alert.success")).to_contain_text("Presupuesto guardado como borrador.")
    expect(page.get_by_test_id("quote-totals")).to_contain_text("630.700")
    assert_accessible(page)
    shot(page, "quote-work-draft")
    mail.outbox.clear()
    page.get_by_test_id("quote-send").click()
    expect(page.locator(".alert.success")).to_contain_text("enviado al cliente")
    expect(page.get_by_test_id("quote-status")).to_have_text("Enviado")
    quote = Quote.objects.get()
    assert quote.number is not None
    assert {m.to[0] for m in mail.outbox} >= {"ana@hotel.example"}
    assert_accessible(page)
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "quote-work-sent-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    expect(page.get_by_test_id("ticket-quotes")).to_contain_text(quote.display_number)
    shot(page, "quote-work-ticket")
    page.context.close()

    for language in ("en", "es"):  # the customer, on a phone; accepts in Spanish
        page = new_page(browser, width=390, height=844)
        log_in(page, base, "ana")
        if language == "en":
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page.goto(f"{base}/portal/tickets/{ticket.number}/")
        page.get_by_test_id("ticket-quotes").get_by_role("link", name=quote.display_number).click()
        expect(page.locator("h1")).to_contain_text(quote.display_number)
        expect(page.get_by_test_id("quote-accept")).to_be_visible()
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"quote-portal-{language}-phone")
        if language == "es":
            page.get_by_test_id("quote-accept").click()
            expect(page.locator(".alert.success")).to_contain_text("Presupuesto aceptado")
            expect(page.get_by_test_id("quote-decision")).to_contain_text("Ana Ruiz")
            expect(page.get_by_test_id("quote-status")).to_have_text("Aceptado")
            assert_accessible(page)
            assert_fits_phone(page)
            shot(page, "quote-portal-accepted-es-phone")
        page.context.close()

    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert quote.decided_contact == shop.contact
    assert Invoice.objects.get(pk=quote.invoice_id).total == quote.total

    page = new_page(browser)
    log_in(page, base, "agente")
    page.goto(f"{base}/workspace/outcomes/")
    expect(page.locator("h1")).to_have_text(re.compile("Resultados por mes"))
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "outcomes-workspace")
    page.context.close()


def field(page, label: str):
    """The one form field labelled exactly `label` (Django's label adds a colon); counted,
    so that a hidden field is one that is there, not one that is missing."""
    found = page.get_by_label(re.compile("^" + re.escape(label) + ":?$"))
    expect(found).to_have_count(1)
    return found


@pytest.mark.django_db(transaction=True)
def test_the_new_quote_form_shows_the_line_fields_of_the_chosen_kind(
    browser,  # noqa: F811
    live_server,
    ticket,
):
    """A quote in money takes quantity and unit price, one in credits takes credits: the form
    shows each line only those (creditdesk/static/creditdesk/quote.js), in both languages
    and at 390 px, and a quote in credits drafted through it holds its credits."""
    base = live_server.url
    words = {
        "es": ("Tipo", "En créditos", "En dinero", "Línea {}: {}", "precio unitario sin impuesto"),
        "en": ("Type", "In credits", "In money", "Line {}: {}", "unit price excluding tax"),
    }
    for language, (kind, in_credits, in_money, line, price) in words.items():
        quantity, credits = (
            ("cantidad", "créditos") if language == "es" else ("quantity", "credits")
        )
        page = new_page(browser, width=390, height=844)
        log_in(page, base, "agente")
        if language == "en":
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page.goto(f"{base}/workspace/tickets/{ticket.number}/quotes/new/")
        for row in range(1, 6):
            expect(field(page, line.format(row, quantity))).to_be_visible()
            expect(field(page, line.format(row, price))).to_be_visible()
            expect(field(page, line.format(row, credits))).to_be_hidden()
        field(page, kind).select_option(label=in_credits)
        for row in range(1, 6):
            expect(
                field(page, line.format(row, "descripción" if language == "es" else "description"))
            ).to_be_visible()
            expect(field(page, line.format(row, quantity))).to_be_hidden()
            expect(field(page, line.format(row, price))).to_be_hidden()
            expect(field(page, line.format(row, credits))).to_be_visible()
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"quote-new-credits-{language}-phone")
        field(page, kind).select_option(label=in_money)
        expect(field(page, line.format(1, credits))).to_be_hidden()
        expect(field(page, line.format(1, quantity))).to_be_visible()
        page.context.close()

    page = new_page(browser)
    log_in(page, base, "agente")
    page.goto(f"{base}/workspace/tickets/{ticket.number}/quotes/new/")
    field(page, "Línea 1: cantidad").fill("tres")  # typed before the kind changed: not sent
    field(page, "Tipo").select_option(label="En créditos")
    expect(field(page, "Línea 1: cantidad")).to_be_disabled()
    field(page, "Válido hasta").fill(in_days(10).isoformat())
    field(page, "Línea 1: descripción").fill("Migración de 3 buzones")
    field(page, "Línea 1: créditos").fill("6")
    page.get_by_role("button", name="Guardar borrador").click()
    expect(page.locator(".alert.success")).to_contain_text("Presupuesto guardado como borrador.")
    quote = Quote.objects.get()
    assert quote.kind == Quote.Kind.CREDITS
    assert [(line.description, line.credits) for line in quote.lines.all()] == [
        ("Migración de 3 buzones", 6)
    ]
    page.context.close()
