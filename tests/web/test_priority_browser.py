"""An agent verifies the priority a customer suggested by e-mail (seed 003), in a real
browser: the ticket page says what was suggested and what the matrix gave, the priority form
changes it with a reason, and the note goes; axe-core clean and fitting 390 px, in Spanish
and English (screenshots)."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from contracts.models import Channel
from tests.factories import make_agent, make_contact, make_contract, make_customer, make_plan
from tests.tickets.conftest import build_sla_policy
from tests.web.conftest import PASSWORD, top_up
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)
from tickets.services.mail_intake import mail_ingest

MAIL = (
    "From: Ana Gómez <ana@andino.example>\r\n"
    "To: soporte@creditdesk.example\r\n"
    "Subject: El servidor web no responde\r\n"
    "Message-ID: <prio-browser@andino.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 8bit\r\n\r\n"
    "No podemos facturar desde las 14:30.\n\nImpacto: bajo\nPrioridad sugerida: 1\n"
)


def _check(page, name: str) -> None:
    assert_accessible(page)
    shot(page, f"priority-{name}")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"priority-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_an_agent_verifies_the_suggested_priority(browser, live_server, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    make_agent(username="agente", password=PASSWORD)
    customer = make_customer(legal_name="Hotel Andino S.A.S.")
    plan = make_plan(sla_policy=build_sla_policy(), allowed_channels=[Channel.EMAIL])
    make_contract(customer, plan)
    make_contact(customer, name="Ana Gómez", email="ana@andino.example")
    top_up(customer, "5")
    with time_machine.travel("2026-11-17T14:00:00Z", tick=False):
        ticket = mail_ingest(MAIL.encode()).ticket

    page = new_page(browser)
    log_in(page, live_server.url, "agente")
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    note = page.get_by_test_id("suggested-priority")
    expect(note).to_contain_text("El cliente sugirió la prioridad P1 Crítica")
    _check(page, "es")

    page.get_by_label(re.compile("Idioma|Language")).select_option("en")
    page.get_by_role("button", name=re.compile("Cambiar|Change")).first.click()
    page.goto(f"{live_server.url}/workspace/tickets/{ticket.number}/")
    expect(note).to_contain_text("The customer suggested priority P1")
    _check(page, "en")

    page.get_by_label(re.compile(r"^Priority")).select_option("p1")
    page.get_by_label("Reason for the priority change").fill("Verified: they cannot invoice")
    page.get_by_role("button", name="Change priority").click()
    expect(
        page.get_by_text("It is now P1 Critical; its due times follow that priority.")
    ).to_be_visible()
    expect(note).to_have_count(0)
