"""What a browser walk as each user group found: a workspace link to the admin answered 403
to agents and account managers (no model permission), the status page offered to publish an
incident with an empty "affected components" list that the service then refused, a plan change
form offered a select with only its placeholder, a refused portal request said its refusal twice,
and the status page's zone select cut its own text at 390 px."""

import pytest

from contracts.models import Channel
from statuspage.models import Component
from tests.clients import signed_in
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_plan,
    make_portal_user,
    make_user,
)
from tests.web.conftest import top_up
from tests.web.test_browser import browser, new_page  # noqa: F401
from tickets.exceptions import UnauthorizedRequester
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def test_admin_links_show_only_to_who_may_open_them(shop):
    top_up(shop.customer, "12")
    opened = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Sin correo")
    ticket = opened.ticket
    admin = make_user(username="raiz", is_staff=True, is_superuser=True)
    for user in (shop.agent, shop.manager):
        client = signed_in(user)
        ticket_page = client.get(f"/workspace/tickets/{ticket.number}/").text
        assert ticket.number in ticket_page
        assert "/admin/" not in ticket_page, user.username
        status_page = client.get("/workspace/status/").text
        assert "/admin/" not in status_page, user.username
    client = signed_in(admin)
    assert (
        f"/admin/tickets/ticket/{ticket.pk}/change/"
        in client.get(f"/workspace/tickets/{ticket.number}/").text
    )
    assert "/admin/statuspage/component/" in client.get("/workspace/status/").text


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("es", "Todavía no hay componentes que marcar como afectados"),
        ("en", "There are no components yet to mark as affected"),
    ],
)
def test_status_authoring_without_components_says_why_instead_of_an_empty_form(language, note):
    agent = make_agent(username="agente")
    html = signed_in(agent, language).get("/workspace/status/").text
    assert note in html
    assert 'name="components"' not in html
    assert "/workspace/status/incidents/" not in html  # no form that can only be refused

    Component.objects.create(code="web", name="Hosting web", name_en="Web hosting")
    html = signed_in(agent, language).get("/workspace/status/").text
    assert note not in html
    assert html.count('name="components"') == 2  # the incident's and the maintenance's


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("es", "No hay otro plan activo en USD al que cambiar este contrato."),
        ("en", "There is no other active plan in USD to move this contract to."),
    ],
)
def test_a_plan_change_with_no_other_plan_says_so(language, note):
    manager = make_account_manager(username="gerente")
    customer = make_customer(legal_name="Posada Caribe C.A.", account_manager=manager)
    make_contract(customer, make_plan(name="Único en dólares", currency="USD"))

    html = signed_in(manager, language).get(f"/workspace/customers/{customer.pk}/").text

    assert note in html
    assert 'name="plan"' not in html

    make_plan(name="Otro en dólares", currency="USD")
    html = signed_in(manager, language).get(f"/workspace/customers/{customer.pk}/").text
    assert note not in html
    assert "Otro en dólares" in html


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_refused_portal_request_says_its_refusal_once(language):
    customer = make_customer(legal_name="Hotel Andino S.A.S.")
    make_contract(customer, make_plan(name="Soporte"))
    contact = make_contact(customer, email="marta@hotel.example", can_request=False)
    user = make_portal_user(contact, username="marta")

    response = signed_in(user, language).post(
        "/portal/tickets/new/", {"subject": "Sin correo", "impact": "", "urgency": "medium"}
    )

    assert response.status_code == 200
    text = response.text
    refusal = UnauthorizedRequester(
        requester="marta@hotel.example", customer=customer.legal_name
    ).message(language)
    assert text.count(refusal) == 1, refusal


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_status_page_zone_select_shows_its_whole_choice_on_a_phone(
    browser,  # noqa: F811
    live_server,
    language,
):
    page = new_page(browser, width=390, height=844)
    cookie = {"name": "django_language", "value": language, "url": live_server.url}
    page.context.add_cookies([cookie])
    page.goto(f"{live_server.url}/status/?tz=America/Argentina/Buenos_Aires")
    room = page.evaluate(
        """() => {
          const select = document.querySelector('#tz');
          const probe = document.createElement('span');
          probe.style.font = getComputedStyle(select).font;
          probe.style.whiteSpace = 'nowrap';
          probe.textContent = select.options[select.selectedIndex].text;
          document.body.append(probe);
          const needed = probe.getBoundingClientRect().width;
          probe.remove();
          return {needed: needed, width: select.clientWidth};
        }"""
    )
    # the select's padding and its arrow take about 40 px of its width
    assert room["width"] - 40 >= room["needed"], room
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.parametrize("language", ["es", "en"])
def test_an_unauthorized_requester_refusal_ends_a_company_name_with_one_period(language):
    refusal = UnauthorizedRequester(
        requester="marta@hotel.example", customer="Hotel Andino S.A.S."
    ).message(language)
    assert ".." not in refusal
    assert "Hotel Andino S.A.S." in refusal
    assert "marta@hotel.example" in refusal
