"""What the staff walk of 7 December 2026 found (agents, account managers, finance; Spanish and
English; 1280 and 390 px):

- the monthly outcomes and the decided bank transfers hid columns behind a scrolling region on
  a phone, and once stacked a long label ran over the number beside it;
- a ticket number broke over two lines in the queue, and "Quitar filtros" beside its button;
  the finance export's "Tipo" showed "Facturas y notas cr";
- a draft quote was listed on its ticket as "Borrador · ... · Borrador";
- the customer's history and the outcomes page told staff reading English of "requests" where
  the workspace says "ticket", and the customer's tickets showed a bare "Cobrado 1,00"
  without saying it counts credits;
- the plans an account manager moves a contract to (or starts one on) showed no monthly fee
  (listed under the select: in its options the fee was cut on a phone);
- a contact's language offered a blank "- Elija una opción -" without saying what it means;
- no page linked to the monthly outcomes (the queue now leads to both reports)."""

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from djmoney.money import Money

from billing.services.transfers import transfer_confirm, transfer_report
from contracts.models import Channel
from contracts.services import customer_today
from quotes.services import quote_draft
from tests.billing.transfer_files import pdf_bytes
from tests.clients import signed_in
from tests.factories import (
    make_contact,
    make_contract,
    make_credit_pack,
    make_customer,
    make_finance_user,
    make_plan,
    make_portal_user,
)
from tests.quotes.conftest import _quote_series  # noqa: F401  (autouse fixture: the series)
from tests.web.conftest import PASSWORD, top_up
from tests.web.test_browser import browser, log_in, new_page  # noqa: F401
from tests.web.test_workspace_phone_browser import CUT, PHONE, under_labels
from tickets.models import Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _section(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"(.*?)</section>', page, flags=re.S)
    assert found, testid
    return _text(found[1])


@pytest.mark.parametrize(
    ("language", "draft"),
    [
        ("es", "Presupuesto en borrador · COP 535.500 · válido hasta"),
        ("en", "Draft quote · COP 535,500 · valid until"),
    ],
)
def test_a_draft_quote_is_listed_on_its_ticket_without_saying_draft_twice(shop, language, draft):
    top_up(shop.customer, "10")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Migrar").ticket
    quote_draft(
        ticket=ticket,
        kind="money",
        lines=[{"description": "Migración", "quantity": "3", "unit_price": "150000"}],
        valid_until=timezone.localdate() + timedelta(days=10),
        by=shop.agent,
    )

    quotes = _section(
        signed_in(shop.agent, language).get(f"/workspace/tickets/{ticket.number}/").text,
        "ticket-quotes",
    )

    assert draft in quotes
    assert quotes.lower().count("borrador" if language == "es" else "draft") == 1, quotes


@pytest.mark.parametrize(
    ("language", "opened", "header"),
    [
        ("es", "Solicitud {number} abierta: Correo caído", "Créditos cobrados"),
        ("en", "Ticket {number} opened: Correo caído", "Credits charged"),
    ],
)
def test_the_customer_page_says_ticket_to_staff_and_what_was_charged(
    shop, language, opened, header
):
    top_up(shop.customer, "10")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Correo caído"
    ).ticket

    page = signed_in(shop.manager, language).get(f"/workspace/customers/{shop.customer.pk}/").text

    assert opened.format(number=ticket.number) in _text(page)
    assert f'<th scope="col" class="num">{header}</th>' in page
    assert f'data-label="{header}"' in page
    assert "Request " + ticket.number not in page


@pytest.mark.parametrize(
    ("language", "fees"),
    [
        ("es", ("Cuota mensual de cada plan, sin impuestos:", "Soporte Nivel 2: COP 350.000")),
        ("en", ("Monthly fee of each plan, before tax:", "Soporte Nivel 2: COP 350,000")),
    ],
)
def test_the_plans_an_account_manager_sells_show_their_monthly_fee(shop, language, fees):
    make_plan(name="Soporte Nivel 2", monthly_fee=Money("350000", "COP"))
    without_contract = make_customer(legal_name="Posada Nueva S.A.S.", account_manager=shop.manager)
    client = signed_in(shop.manager, language)

    for customer in (shop.customer, without_contract):  # a plan change; a contract to start
        page = client.get(f"/workspace/customers/{customer.pk}/").text
        listed = re.search(r'data-testid="plan-fees">(.*?)</div>', page, flags=re.S)
        assert listed, customer
        text = _text(listed[1])
        assert text.startswith(fees[0])
        assert fees[1] in text


# A card's labels that run past their column into the value beside them: a label as wide as
# its text that does not wrap (it inherited td.num's nowrap) and is wider than its column.
LABEL_OVERRUNS = """() => [...document.querySelectorAll('table.stack [data-label]')]
.filter((cell) => {
  const label = getComputedStyle(cell, '::before');
  const probe = document.createElement('span');
  probe.textContent = cell.dataset.label;
  probe.style.cssText = `position:absolute; visibility:hidden; white-space:nowrap;
    font:${label.font}`;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  const room = parseFloat(label.width) - parseFloat(label.paddingRight);
  return label.whiteSpace.startsWith('nowrap') && needed > room + 0.5;
}).map((cell) => cell.dataset.label)"""


# Selects whose chosen option is wider than the box shows (its padding and arrow take ~40 px).
SELECTS_CUT = """() => [...document.querySelectorAll('main select')].filter((select) => {
  const probe = document.createElement('span');
  probe.style.font = getComputedStyle(select).font;
  probe.style.whiteSpace = 'nowrap';
  probe.textContent = select.options[select.selectedIndex].text;
  document.body.append(probe);
  const needed = probe.getBoundingClientRect().width;
  probe.remove();
  return select.clientWidth - 40 < needed;
}).map((select) => select.name + ': ' + select.options[select.selectedIndex].text)"""

FILTER_LINK_LINES = """() => [...document.querySelectorAll('form.filters p:last-child a')]
  .map((a) => a.getClientRects().length)"""

NUMBER_LINES = """() => [...document.querySelectorAll('[data-testid=queue-row] td:nth-child(3) a')]
  .map((a) => a.getClientRects().length)"""


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_staff_tables_read_whole_on_a_phone_and_numbers_stay_on_one_line(
    browser,  # noqa: F811
    live_server,
    shop,
    language,
):
    base = live_server.url
    top_up(shop.customer, "10")
    for subject in ("Copia de seguridad incompleta", "Lector de carnets no funciona"):
        ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=subject)
    ticket_transition(ticket.ticket, to_status=Ticket.Status.IN_PROGRESS, by=shop.agent)
    ticket_resolve(ticket.ticket, by=shop.agent, reason="Listo", outcome="solved")
    # a decided bank transfer, for the finance page's second table
    caribe = make_customer(
        legal_name="Inversiones Caribe C.A.",
        country="VE",
        currency="USD",
        time_zone="America/Caracas",
    )
    plan = make_plan(name="Créditos", currency="USD")
    make_contract(caribe, plan)
    pack = make_credit_pack(plan, name="10 horas", price=Money("450", "USD"))
    luis = make_portal_user(make_contact(caribe, email="luis@caribe.example"), username="luis")
    report = transfer_report(
        customer=caribe,
        by=luis,
        amount=Money("522", "USD"),
        transferred_on=customer_today(caribe),
        reference="TRF-1207",
        filename="recibo.pdf",
        content=pdf_bytes(),
        credit_pack=pack,
    )
    premium = make_plan(name="Soporte Nivel 3 (Premium)", monthly_fee=Money("1190000", "COP"))
    finance = make_finance_user(username="finanzas", password=PASSWORD)
    transfer_confirm(report=report, by=finance)

    for username, path in (
        ("agente", "/workspace/"),
        ("agente", "/workspace/outcomes/"),
        ("finanzas", "/workspace/finance/transfers/"),
        ("gerente", "/workspace/customers/"),
        ("finanzas", "/workspace/finance/invoices/"),
        ("finanzas", "/billing/finance-export/"),
        ("gerente", f"/workspace/customers/{shop.customer.pk}/"),
    ):
        page = new_page(browser)
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
        log_in(page, base, username)
        page.goto(f"{base}{path}")
        if path == "/workspace/":
            # at desktop width "T-2026-000001" broke after its hyphen
            assert set(page.evaluate(NUMBER_LINES)) == {1}
        # "Quitar filtros" beside its button broke into "Quitar" and "filtros"
        assert set(page.evaluate(FILTER_LINK_LINES)) <= {1}, path
        # the export's "Tipo: Facturas y notas crédito" showed "Facturas y notas cr"
        assert not page.evaluate(SELECTS_CUT), path
        page.set_viewport_size(PHONE)
        if path.startswith("/workspace/customers/") and path != "/workspace/customers/":
            # a plan chosen shows its name and fee whole
            page.locator("#plan-plan").select_option(str(premium.pk))
        assert set(page.evaluate(FILTER_LINK_LINES)) <= {1}, path
        assert not page.evaluate(SELECTS_CUT), path
        seen = page.evaluate(CUT)
        assert seen == {"width": 390, "cut": []}, (path, seen)
        assert not under_labels(page)
        assert not page.evaluate(LABEL_OVERRUNS), path
        page.context.close()


@pytest.mark.parametrize(
    ("language", "blank"), [("es", "El idioma del cliente"), ("en", "The customer's language")]
)
def test_a_contacts_blank_language_says_it_is_the_customers(shop, language, blank):
    client = signed_in(shop.manager, language)
    pages = (
        f"/workspace/customers/{shop.customer.pk}/contacts/new/",
        f"/workspace/customers/{shop.customer.pk}/contacts/{shop.contact.pk}/",
    )
    for path in pages:
        page = client.get(path).text
        option = f'<option value="" selected>{html.escape(blank)}</option>'
        assert option in page, path
        assert "- Select an option -" not in page
        assert "- Elija una opción -" not in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("es", ("Informes:", "Resultados por mes", "Informe de la base de conocimiento")),
        ("en", ("Reports:", "Results by month", "Knowledge base report")),
    ],
)
def test_the_queue_leads_to_the_reports_no_page_linked_before(shop, language, words):
    page = signed_in(shop.agent, language).get("/workspace/").text
    reports = re.search(r'data-testid="queue-reports">(.*?)</p>', page, flags=re.S)
    assert reports, "no reports line"
    assert _text(reports[1]) == f"{words[0]} {words[1]} · {words[2]}"
    assert 'href="/workspace/outcomes/"' in reports[1]
    assert 'href="/workspace/knowledge/"' in reports[1]


def test_the_outcomes_page_says_ticket_to_staff_reading_english(shop):
    page = _text(signed_in(shop.agent, "en").get("/workspace/outcomes/").text)

    assert "Outcomes of tickets resolved in the last twelve months." in page
    assert "There are no resolved tickets with an outcome yet." in page
    assert "request" not in page.lower().replace("requester", "")
