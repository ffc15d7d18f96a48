"""Every portal page in a real browser (issue 19, Customers), in Spanish and English: at
390 px nothing scrolls sideways, the open requests are cards whose first lines are status,
SLA countdown and due time, the charts render; axe-core finds nothing serious. Screenshots
go to WEB_SCREENSHOTS as portal-<page>-<language>-<width>.png."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Channel
from tests.factories import log_finished_work, make_invoice
from tests.web.conftest import top_up
from tests.web.test_browser import assert_accessible, browser, log_in, new_page, shot  # noqa: F401
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_transition

PHONE = {"width": 390, "height": 844}


def _months_of_work(shop) -> Ticket:
    """Three past months of requests worked and charged, then today's: one waiting on the
    customer (paused), one open (counting down). Returns a worked ticket."""
    now = timezone.now()
    worked = None
    for months_back in (3, 2, 1):
        at = now - timedelta(days=30 * months_back)
        with time_machine.travel(at, tick=False):
            top_up(shop.customer, "6")
            for index in range(months_back):
                worked = ticket_open(
                    channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {index}"
                ).ticket
                ticket_agent_reply(worked, by=shop.agent, body="Revisando.")
                log_finished_work(
                    worked, by=shop.agent, minutes=70, started_at=at, note="Diagnóstico"
                )
                ticket_transition(worked, to_status=Ticket.Status.RESOLVED, by=shop.agent)
    top_up(shop.customer, "6")
    waiting = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="La impresora no imprime"
    ).ticket
    ticket_agent_reply(waiting, by=shop.agent, body="¿Qué modelo es?", asks_for_information=True)
    ticket_open(
        channel=Channel.PORTAL,
        requester=shop.contact,
        subject="El correo de recepción no recibe mensajes desde esta mañana",
    )
    make_invoice(shop.customer, contract=shop.contract, issue=True)
    return worked


WIDEST = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > 390)
    .slice(0, 5)
    .map((e) => e.tagName + "." + e.className + " " + e.getBoundingClientRect().right)"""


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{page.url} is {width}px wide at 390px: {page.evaluate(WIDEST)}"


@pytest.mark.django_db(transaction=True)
def test_every_portal_page_fits_a_phone_in_both_languages(browser, live_server, shop):  # noqa: F811
    worked = _months_of_work(shop)
    pages = (
        ("dashboard", "/portal/"),
        ("ticket", f"/portal/tickets/{worked.number}/"),
        ("new-ticket", "/portal/tickets/new/"),
        ("credits", "/portal/credits/"),
        ("invoices", "/portal/invoices/"),
    )
    for language in ("es", "en"):
        page = new_page(browser, **PHONE)
        log_in(page, live_server.url, "ana")
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for name, path in pages:
            page.set_viewport_size(PHONE)
            page.goto(live_server.url + path)
            _fits(page)
            if name == "dashboard":
                card = page.get_by_test_id("open-tickets").locator("tbody tr").first
                sla, due = card.get_by_test_id("sla"), card.get_by_test_id("due")
                expect(sla).to_be_visible()
                expect(due).to_be_visible()
                expect(sla).to_have_text(re.compile(r"vence en|due in|pausado|paused"))
                expect(due).to_have_text(re.compile(r"\((hora de Bogotá|Bogota time)\)"))
                # Status, SLA and due time come first in the card, inside the screen.
                number = card.locator("td").first.bounding_box()
                for cell in (sla, due):
                    box = cell.bounding_box()
                    assert box["y"] < number["y"]
                    assert box["x"] + box["width"] <= 390
                expect(page.get_by_test_id("balance-chart").locator("svg")).to_be_visible()
                expect(page.get_by_test_id("compliance-chart").locator("svg")).to_be_visible()
            if name == "ticket":
                expect(page.get_by_test_id("clock-due").first).to_contain_text(
                    re.compile("Bogotá|Bogota")
                )
            if name == "credits":
                expect(page.get_by_test_id("balance-chart").locator("svg")).to_be_visible()
            assert_accessible(page)
            shot(page, f"portal-{name}-{language}-390")
            page.set_viewport_size({"width": 1280, "height": 900})
            _fits_desktop = page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            )
            assert _fits_desktop, page.url
            if name in ("dashboard", "credits"):
                assert_accessible(page)
                shot(page, f"portal-{name}-{language}-1280")
        page.context.close()
