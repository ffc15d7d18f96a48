"""What a browser walk of the queue, the portal's credits and transfers and the quotes found:
the queue's times did not say whose clock they follow (Caracas beside Bogotá), a request
waiting on the customer showed a due time no one is held to, the "Asignada a" filter offered
users who may not be assigned, the bank-transfer box did not lead to the page where a transfer
is reported, reversed ledger dates said only "No hay movimientos.", the transfers form cut its
choice at 390 px, the quote's totals were indented under their labels, and the agent read the
charge of an included-support request worded to the customer ("incluidos en su plan")."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from djmoney.money import Money

from contracts.models import Channel, Plan
from quotes.services import quote_draft, quote_send
from tests.clients import signed_in
from tests.factories import (
    log_finished_work,
    make_account_manager,
    make_agent,
    make_contact,
    make_contract,
    make_credit_pack,
    make_customer,
    make_finance_user,
    make_plan,
    make_portal_user,
    make_user,
)
from tests.quotes.conftest import _quote_series  # noqa: F401  (autouse fixture: the series)
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import PASSWORD, top_up
from tests.web.test_browser import browser, log_in, new_page  # noqa: F401
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-testid="queue-row">(.*?)</tr>', page, flags=re.S)


def _due_cell(row: str) -> str:
    cell = re.search(r'<td[^>]*data-label="(?:Vence|Due)"[^>]*>(.*?)</td>', row, flags=re.S)
    return _text(cell[1])


def _customer_with_ticket(name: str, zone: str, policy, subject: str) -> Ticket:
    customer = make_customer(legal_name=name, time_zone=zone)
    make_contract(customer, make_plan(sla_policy=policy))
    top_up(customer, "10")
    contact = make_contact(customer, email=f"{zone.split('/')[-1].lower()}@example.com")
    return ticket_open(channel=Channel.PORTAL, requester=contact, subject=subject).ticket


@pytest.mark.parametrize(
    ("language", "caracas", "bogota"), [("es", "Caracas", "Bogotá"), ("en", "Caracas", "Bogota")]
)
def test_each_queue_row_names_the_zone_of_its_time(sla_policy, language, caracas, bogota):  # noqa: F811
    in_caracas = _customer_with_ticket("Posada Caribe C.A.", "America/Caracas", sla_policy, "A")
    in_bogota = _customer_with_ticket("Hotel Andino S.A.S.", "America/Bogota", sla_policy, "B")

    page = signed_in(make_agent(username="agente"), language).get("/workspace/").text

    cells = {
        row_number: _due_cell(row)
        for row in _rows(page)
        for row_number in (in_caracas.number, in_bogota.number)
        if row_number in row
    }
    assert cells[in_caracas.number].endswith(caracas), cells
    assert cells[in_bogota.number].endswith(bogota), cells
    # compact for a phone's card: the city, not "Caracas (UTC-04:00)" after every time
    assert "UTC" not in cells[in_caracas.number]


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_request_waiting_on_the_customer_shows_no_due_time_in_queue_or_portal(shop, language):
    top_up(shop.customer, "10")
    waiting = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="La impresora no imprime"
    ).ticket
    ticket_agent_reply(waiting, by=shop.agent, body="¿Qué modelo es?", asks_for_information=True)
    waiting.refresh_from_db()
    assert waiting.waits_on_customer
    assert waiting.next_due_at is not None

    queue = signed_in(shop.agent, language).get("/workspace/").text
    (row,) = [row for row in _rows(queue) if waiting.number in row]
    assert _due_cell(row) == "—"
    assert {"es": "SLA en pausa", "en": "SLA paused"}[language] in _text(row)

    portal = signed_in(shop.user, language).get("/portal/").text
    due = re.search(r'data-testid="due">(.*?)</td>', portal, flags=re.S)[1]
    assert _text(due) == "—"


def test_the_assignee_filter_offers_only_who_may_be_assigned(shop):
    admin = make_user(username="raiz", is_staff=True, is_superuser=True)
    finance = make_finance_user(username="finanzas")
    other_manager = make_account_manager(username="gerente2")

    page = signed_in(shop.agent).get("/workspace/").text

    select = re.search(r'<select name="assignee".*?</select>', page, flags=re.S)[0]
    offered = set(re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select))
    assert offered == {shop.agent.username, admin.username}
    assert finance.username not in offered
    assert shop.manager.username not in offered
    assert other_manager.username not in offered
    # a refused choice is not taken as a filter either
    refused = signed_in(shop.agent).get(f"/workspace/?assignee={finance.pk}")
    assert refused.status_code == 200


@pytest.mark.parametrize(
    ("language", "words"), [("es", "Informe la transferencia"), ("en", "Report the transfer")]
)
def test_the_bank_transfer_box_leads_to_the_transfers_page(shop, settings, language, words):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.SELLER_PAYMENT_INSTRUCTIONS = "Banco Andino, cuenta 987-654."

    page = signed_in(shop.user, language).get("/portal/credits/").text

    box = re.search(r'<div class="card mt-8" id="bank-transfer">(.*?)</div>', page, flags=re.S)[1]
    link = re.search(r'<a href="/portal/transfers/">(.*?)</a>', box, flags=re.S)
    assert link is not None, box
    assert words in _text(link[1])


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", "«Hasta» es anterior a «Desde»: las fechas están al revés."),
        ("en", "“To” is before “From”: the dates are the wrong way round."),
    ],
)
def test_reversed_ledger_dates_say_so_on_the_field(shop, language, words):
    top_up(shop.customer, "5")

    response = signed_in(shop.user, language).get(
        "/portal/credits/?after=2026-12-01&before=2026-01-01"
    )

    assert response.status_code == 200
    assert response.context["filter"].errors["before"] == [words]
    assert words in _text(response.text)


@pytest.mark.parametrize(
    ("language", "plan_words"),
    [("es", "incluidos en el plan «Nivel 1»"), ("en", "included in the “Nivel 1” plan")],
)
def test_the_agent_reads_an_included_charge_about_the_customers_plan(language, plan_words):
    plan = make_plan(name="Nivel 1", support_model=Plan.SupportModel.INCLUDED)
    customer = make_customer(legal_name="Tienda Andina S.A.S.")
    make_contract(customer, plan)
    contact = make_contact(customer, email="ana@tienda.example")
    make_portal_user(contact, username="ana")
    agent = make_agent(username="agente")
    ticket = ticket_open(channel=Channel.PORTAL, requester=contact, subject="DNS").ticket
    log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=95, note="Zona")
    ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=agent)
    ticket_resolve(ticket, by=agent, reason="resuelto")

    staff = _text(signed_in(agent, language).get(f"/workspace/tickets/{ticket.number}/").text)
    customer_page = _text(
        signed_in(contact.user, language).get(f"/portal/tickets/{ticket.number}/").text
    )

    for page in (staff, customer_page):
        assert plan_words in page
        assert "su plan" not in page
        assert "your plan" not in page


# --- at 390 px ------------------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}

OPTION_ROOM = """() => {
  const select = document.querySelector('#id_pays');
  const probe = document.createElement('span');
  probe.style.font = getComputedStyle(select).font;
  probe.style.whiteSpace = 'nowrap';
  probe.textContent = select.options[select.selectedIndex].text;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  return {needed: needed, width: select.clientWidth, text: probe.textContent};
}"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_transfer_form_shows_its_whole_choice_on_a_phone(
    browser,  # noqa: F811
    live_server,
    language,
):
    plan = make_plan(name="Créditos", currency="USD")
    customer = make_customer(
        legal_name="Inversiones Caribe C.A.",
        country="VE",
        currency="USD",
        time_zone="America/Caracas",
    )
    make_contract(customer, plan)
    make_credit_pack(plan, name="10 horas", price=Money("450", "USD"))
    contact = make_contact(customer, email="luis@caribe.example")
    make_portal_user(contact, username="luis", password=PASSWORD)

    page = new_page(browser, **PHONE)
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    log_in(page, live_server.url, "luis")
    page.goto(f"{live_server.url}/portal/transfers/")
    room = page.evaluate(OPTION_ROOM)
    # the select's padding and its arrow take about 40 px of its width
    assert room["width"] - 40 >= room["needed"], room
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


TOTALS = """() => [...document.querySelectorAll('[data-testid=quote-totals] > *')].map(
  (e) => ({tag: e.tagName, left: e.getBoundingClientRect().left}))"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_quote_totals_sit_under_their_labels_on_a_phone(
    browser,  # noqa: F811
    live_server,
    shop,
    language,
):
    top_up(shop.customer, "10")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Migrar el correo"
    ).ticket
    quote = quote_draft(
        ticket=ticket,
        kind="money",
        lines=[{"description": "Migración", "quantity": "2", "unit_price": "150000"}],
        valid_until=timezone.localdate() + timedelta(days=10),
        by=shop.agent,
    )
    quote_send(quote, by=shop.agent)

    pages = (("agente", f"/workspace/quotes/{quote.pk}/"), ("ana", f"/portal/quotes/{quote.pk}/"))
    for username, url in pages:
        page = new_page(browser, **PHONE)
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        log_in(page, live_server.url, username)
        page.goto(f"{live_server.url}{url}")
        items = page.evaluate(TOTALS)
        assert len(items) == 6, items
        assert {round(item["left"]) for item in items} == {round(items[0]["left"])}, items
        page.context.close()
