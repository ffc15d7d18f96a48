"""Workspace and portal tables at 390 px in a real browser (issue 19): nothing is cut. The
page does not scroll sideways (scrollWidth <= 390) and no table hides columns behind a
scrolling region: wide lists (customers, the queue, a customer's requests and contacts, the
auto top-up attempts) are stacked cards with the columns that matter first, using the one
`table.stack` pattern of templates/base.html, and a card's cell keeps all its content beside
its label. A table that scrolls in its region keeps what it hides for screen readers (the
catalogue's "Acciones" header) inside that region. Screenshots:
phone-<page>-<language>-390.png."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from contracts.models import Channel
from credits.services import credit_account_get_or_create, credits_charge
from tests.factories import make_customer, make_declined_auto_top_up, make_staff_user
from tests.web.conftest import PASSWORD, top_up
from tests.web.test_browser import assert_accessible, browser, log_in, new_page, shot  # noqa: F401
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply

PHONE = {"width": 390, "height": 844}

# What sticks out: the page's own width, and every scrolling table region that is wider
# than its box (its columns are cut off at the right edge until one scrolls).
CUT = """() => {
  const cut = [...document.querySelectorAll(".table-wrap")]
    .filter((e) => e.scrollWidth > e.clientWidth + 1)
    .map((e) => (e.getAttribute("aria-label") || e.getAttribute("aria-labelledby")) + " "
      + e.scrollWidth + ">" + e.clientWidth);
  return {width: document.documentElement.scrollWidth, cut: cut};
}"""


# What sits under a card's labels: a labelled cell shows its label at its left edge and all
# its content to the right; a text run after a link or a line break that starts at the left
# edge has dropped into the label's column.
UNDER_LABEL = """() => {
  const found = [];
  const range = document.createRange();
  for (const cell of document.querySelectorAll("table.stack [data-label]")) {
    const left = cell.getBoundingClientRect().left;
    for (const node of cell.childNodes) {
      if (node.nodeType === Node.TEXT_NODE && !node.textContent.trim()) continue;
      range.selectNode(node);
      if ([...range.getClientRects()].some((r) => r.width > 0 && r.left < left + 4)) {
        found.push(cell.dataset.label + ": " + node.textContent.trim());
      }
    }
  }
  return found;
}"""


def under_labels(page) -> list[str]:
    """Content of a stacked table's cells that lies in the label's column, empty when none."""
    return [f"{page.url}: {what}" for what in page.evaluate(UNDER_LABEL)]


def nothing_cut(page) -> list[str]:
    """What the page cuts at 390 px, empty when nothing."""
    found = page.evaluate(CUT)
    wide = [f"{found['width']}px wide"] if found["width"] > 390 else []
    return [f"{page.url}: {what}" for what in wide + found["cut"]]


def _world(shop):
    """Customers with long names (and no contract), an answered request charged a credit and a
    declined auto top-up charge."""
    top_up(shop.customer, "12")
    for index in range(3):
        make_customer(
            legal_name=f"Distribuidora Regional de Insumos Hospitalarios {index} S.A.S.",
            account_manager=shop.manager,
        )
    ticket = ticket_open(
        channel=Channel.PORTAL,
        requester=shop.contact,
        subject="El correo de recepción no recibe mensajes desde esta mañana",
    ).ticket
    ticket_agent_reply(ticket, by=shop.agent, body="Revisando.")
    # a charge's detail is its request's link followed by a text
    credits_charge(
        account=credit_account_get_or_create(customer=shop.customer),
        credits="1",
        reason="45 min: mínimo 1 crédito",
        reference_type="tickets.ticket",
        reference_id=str(ticket.pk),
    )
    make_declined_auto_top_up(shop.customer, shop.pack, card_last4="4242")
    return ticket


@pytest.mark.django_db(transaction=True)
def test_workspace_and_portal_tables_are_cards_on_a_phone(browser, live_server, shop, settings):  # noqa: F811
    # the auto top-up section shows once card payments are configured; the page calls no Stripe
    settings.STRIPE_SECRET_KEY = "sk_test_phone"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_creditdesk"
    ticket = _world(shop)
    make_staff_user(username="jefa", password=PASSWORD)
    staff_pages = (
        ("queue", "/workspace/"),
        ("ticket", f"/workspace/tickets/{ticket.number}/"),
        ("customers", "/workspace/customers/"),
        ("customer", f"/workspace/customers/{shop.customer.pk}/"),
        ("credit-report", "/workspace/finance/credits/"),
        ("webhooks", "/workspace/webhooks/"),
        ("outcomes", "/workspace/outcomes/"),
        ("knowledge", "/workspace/knowledge/"),
    )
    portal_pages = (("portal-credits", "/portal/credits/"),)
    cut = []
    for language in ("es", "en"):
        for user, pages in (("jefa", staff_pages), ("ana", portal_pages)):
            page = new_page(browser, **PHONE)
            log_in(page, live_server.url, user)
            page.context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            for name, path in pages:
                page.goto(live_server.url + path)
                cut += nothing_cut(page) + under_labels(page)
                if name == "customers":
                    card = page.get_by_test_id("customer-row").first
                    expect(card.locator("td").first).to_be_visible()
                    first = card.locator("td").first.bounding_box()
                    plan = card.locator("td").nth(1).bounding_box()
                    available = card.locator("td").nth(2).bounding_box()
                    assert first["y"] < available["y"] < plan["y"]  # the figures before the plan
                if name == "portal-credits":
                    attempts = page.get_by_test_id("auto-top-up-attempts")
                    status = attempts.locator("tbody tr td").nth(3)
                    expect(status).to_be_visible()
                    box = status.bounding_box()
                    assert box["x"] + box["width"] <= 390
                assert_accessible(page)
                shot(page, f"phone-{name}-{language}-390")
            page.context.close()
    assert not cut, "\n".join(cut)


@pytest.mark.django_db(transaction=True)
def test_a_scrolling_table_keeps_its_hidden_header_inside_on_a_phone(browser, live_server):  # noqa: F811
    # The catalogue scrolls inside its region; its editor's last header is visually hidden
    # (absolutely positioned), and it once made the page 611 px wide.
    call_command("load_presets", "activation-times")
    make_staff_user(username="jefa", password=PASSWORD)
    for language in ("es", "en"):
        page = new_page(browser, **PHONE)
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        log_in(page, live_server.url, "jefa")
        page.goto(live_server.url + "/workspace/activations/products/")
        actions = page.get_by_role("columnheader", name=re.compile("Acciones|Actions"))
        expect(actions).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert_accessible(page)
        shot(page, f"phone-activation-products-{language}-390")
        page.context.close()
