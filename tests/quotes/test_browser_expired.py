"""The quote pages this test_browser.py does not show, in Chromium: the workspace quote in
English (desktop and 390 px), and a quote past its validity in the portal, in Spanish and
English at 390 px, marked "expired" by the daily job and with nothing left to decide.
Each page passes axe-core (no serious or critical violation) and fits a phone; screenshots
go to WEB_SCREENSHOTS."""

import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Channel
from quotes.models import Quote
from quotes.services import quote_draft, quote_send, quotes_expire
from tests.quotes.conftest import MONEY_LINES, in_days
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


def english(page, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


@pytest.mark.django_db(transaction=True)
def test_the_workspace_quote_in_english_and_an_expired_quote_in_the_portal(
    browser,  # noqa: F811
    live_server,
    shop,
):
    from quotes.models import QuoteSeries

    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})
    base = live_server.url
    top_up(shop.customer, "20")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Migrar el correo a otro servidor"
    ).ticket
    quote = quote_send(
        quote_draft(
            ticket=ticket,
            kind=Quote.Kind.MONEY,
            lines=MONEY_LINES,
            valid_until=in_days(1),
            terms="Pago del 50 % al aceptar.",
            by=shop.agent,
        ),
        by=shop.agent,
    )

    page = new_page(browser)
    log_in(page, base, "agente")
    english(page, base)
    page.goto(f"{base}/workspace/quotes/{quote.pk}/")
    expect(page.locator("h1")).to_contain_text(quote.display_number)
    expect(page.get_by_test_id("quote-status")).to_have_text("Sent")
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "quote-work-sent-en")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "quote-work-sent-en-phone")
    page.context.close()

    assert quotes_expire(now=timezone.now() + timezone.timedelta(days=3)) == 1
    with time_machine.travel(timezone.now() + timezone.timedelta(days=3)):
        # The quote's own "Vencido" (msgctxt "presupuesto") is "Expired"; the invoices' is
        # "Overdue".
        for language, status, note in (
            ("es", re.compile("^Vencido$"), "venció"),
            ("en", re.compile("^Expired$"), "expired"),
        ):
            page = new_page(browser, width=390, height=844)
            log_in(page, base, "ana")
            if language == "en":
                english(page, base)
            page.goto(f"{base}/portal/quotes/{quote.pk}/")
            expect(page.locator("h1")).to_contain_text(quote.display_number)
            expect(page.get_by_test_id("quote-status")).to_have_text(status)
            expect(page.get_by_role("note")).to_contain_text(note)
            expect(page.get_by_test_id("quote-accept")).to_have_count(0)
            assert_accessible(page)
            assert_fits_phone(page)
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, f"quote-portal-expired-{language}-phone")
            page.context.close()
