"""Quote pages by role and customer: staff in scope read (authors send), the customer's own
contacts read sent quotes and decide; everyone else gets a 404 like a missing id, or 403 for
a role the page is not for. A refused accept shows its reason and changes nothing."""

import pytest
from django.test import Client

from quotes.models import Quote
from quotes.services import quote_draft, quote_send
from tests.factories import (
    make_account_manager,
    make_contact,
    make_customer,
    make_finance_user,
    make_portal_user,
)
from tests.quotes.conftest import CREDIT_LINES, MONEY_LINES, in_days

pytestmark = pytest.mark.django_db


def client(user) -> Client:
    made = Client()
    made.force_login(user)
    return made


def test_who_reads_sends_and_decides(shop, ticket):
    quote = quote_draft(
        ticket=ticket, kind=Quote.Kind.MONEY, lines=MONEY_LINES, valid_until=in_days(3)
    )
    work, portal = f"/workspace/quotes/{quote.pk}/", f"/portal/quotes/{quote.pk}/"
    stranger = make_portal_user(make_contact(make_customer()), username="otro")
    other_manager = make_account_manager(username="otra")
    finance = make_finance_user(username="finanzas")

    assert client(shop.agent).get(work).status_code == 200
    assert client(shop.manager).get(work).status_code == 200
    assert client(other_manager).get(work).status_code == 404
    assert client(shop.user).get(work).status_code == 403
    assert client(shop.user).get(portal).status_code == 404  # a draft is staff's
    assert client(finance).post(f"{work}send/").status_code == 403
    new = f"/workspace/tickets/{ticket.number}/quotes/new/"
    assert client(shop.agent).get(new).status_code == 200
    assert client(other_manager).get(new).status_code == 404

    quote_send(quote, by=shop.agent)
    assert client(shop.user).get(portal).status_code == 200
    assert client(shop.user).get(f"{portal}pdf/")["Content-Type"] == "application/pdf"
    assert client(stranger).get(portal).status_code == 404
    assert client(stranger).post(f"{portal}accept/").status_code == 404
    assert client(shop.agent).post(f"{portal}accept/").status_code == 403
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT

    rejected = client(shop.user).post(f"{portal}reject/", {"reason": "x" * 1001})
    assert rejected.status_code == 200  # the form again, with the field's error
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT
    done = client(shop.user).post(f"{portal}reject/", {"reason": "Muy caro"}, follow=True)
    assert "Presupuesto rechazado." in done.content.decode()
    again = client(shop.user).post(f"{portal}accept/", follow=True)
    assert "ya fue rechazado" in again.content.decode()
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.REJECTED


def test_a_draft_form_refusal_lands_on_its_field(shop, ticket):
    page = client(shop.agent).post(
        f"/workspace/tickets/{ticket.number}/quotes/new/",
        {"kind": "money", "valid_until": in_days(3).isoformat(), "lines.0.description": "A"},
    )
    assert page.status_code == 200
    assert "lines.0.unit_price" in page.context["form"].errors
    assert not Quote.objects.exists()


def test_the_workspace_resolve_form_records_the_outcome(shop, ticket):
    from tickets.services.lifecycle import ticket_start_work

    ticket_start_work(ticket, by=shop.agent)
    url = f"/workspace/tickets/{ticket.number}/status/"
    refused = client(shop.agent).post(url, {"to_status": "resolved", "outcome": "out_of_scope"})
    assert "outcome_alternative" in refused.context["transition_form"].errors
    client(shop.agent).post(
        url,
        {"to_status": "resolved", "outcome": "out_of_scope", "outcome_alternative": "Un ISP"},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.outcome_alternative) == ("resolved", "Un ISP")


@pytest.mark.parametrize(
    ("language", "notice"),
    [
        ("es", "Como la solicitud ya está resuelta, se reabre para hacer el trabajo."),
        ("en", "As the request is already resolved, it is reopened for the work."),
    ],
)
def test_a_credit_quote_on_a_resolved_ticket_says_accepting_reopens_it(
    shop, ticket, language, notice
):
    from tickets.models import Ticket
    from tickets.services.lifecycle import ticket_resolve, ticket_start_work

    quote = quote_send(
        quote_draft(
            ticket=ticket,
            kind=Quote.Kind.CREDITS,
            lines=CREDIT_LINES,
            valid_until=in_days(3),
        ),
        by=shop.agent,
    )
    portal = client(shop.user)
    portal.cookies["django_language"] = language
    page = f"/portal/quotes/{quote.pk}/"
    assert notice not in portal.get(page).content.decode()  # the ticket is still open
    ticket_start_work(ticket, by=shop.agent)
    ticket_resolve(ticket, by=shop.agent, outcome="quote", outcome_quote=quote.display_number)
    assert notice in portal.get(page).content.decode()

    portal.post(f"{page}accept/")
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.ACCEPTED
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS
    assert notice not in portal.get(page).content.decode()
