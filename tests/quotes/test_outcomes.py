"""A resolution's outcome through the one resolve path: each outcome's checks with the
field named and nothing written, a reopen clearing it, and the monthly mix counted in the
database (workspace page and SLA report PDF)."""

import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from core.errors import InvalidInput
from creditdesk.reports.data import sla_report_data
from creditdesk.reports.rendering import sla_report_pdf
from knowledge.models import Article, Category
from quotes.models import Quote
from quotes.services import quote_draft, quote_send
from tests.quotes.conftest import MONEY_LINES, in_days
from tickets.models import Outcome, Ticket
from tickets.outcomes import outcomes_by_month
from tickets.services.lifecycle import ticket_reopen, ticket_resolve, ticket_start_work

pytestmark = pytest.mark.django_db


def article(status=Article.Status.PUBLISHED):
    category = Category.objects.create(name_es="Correo", slug=f"correo-{status}")
    return Article.objects.create(
        category=category, title="Configurar Outlook", body="Pasos.", status=status
    )


def resolve(ticket, agent, **outcome):
    ticket_start_work(ticket, by=agent)
    return ticket_resolve(ticket, by=agent, **outcome)


def test_resolving_without_an_outcome_records_solved(shop, ticket):
    assert resolve(ticket, shop.agent).outcome == Outcome.SOLVED


def test_advice_names_a_published_article(shop, ticket):
    sent = article()
    resolved = resolve(ticket, shop.agent, outcome="advice", outcome_article=sent.pk)
    assert (resolved.outcome, resolved.outcome_article) == (Outcome.ADVICE, sent)


@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        ({"outcome": "advice"}, "outcome_article"),
        ({"outcome": "advice", "outcome_article": "draft"}, "outcome_article"),
        ({"outcome": "advice", "outcome_article": 999999}, "outcome_article"),
        ({"outcome": "out_of_scope", "outcome_alternative": "  "}, "outcome_alternative"),
        ({"outcome": "out_of_scope", "outcome_alternative": "x" * 501}, "outcome_alternative"),
        ({"outcome": "quote"}, "outcome_quote"),
        ({"outcome": "quote", "outcome_quote": "PR999999"}, "outcome_quote"),
        ({"outcome": "magic"}, "outcome"),
    ],
)
def test_each_outcome_refuses_what_it_lacks_naming_the_field(shop, ticket, outcome, field):
    if outcome.get("outcome_article") == "draft":
        outcome["outcome_article"] = article(Article.Status.DRAFT).pk
    ticket_start_work(ticket, by=shop.agent)
    with pytest.raises(InvalidInput) as caught:
        ticket_resolve(ticket, by=shop.agent, **outcome)
    assert field in caught.value.fields
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.outcome == ""


def test_out_of_scope_keeps_the_alternative_and_a_reopen_clears_the_outcome(shop, ticket):
    resolved = resolve(
        ticket, shop.agent, outcome="out_of_scope", outcome_alternative="Un proveedor de VoIP"
    )
    assert resolved.outcome_alternative == "Un proveedor de VoIP"
    reopened = ticket_reopen(resolved, by=shop.agent, reason="No era eso")
    assert (reopened.outcome, reopened.outcome_alternative) == ("", "")


def test_quote_issued_names_a_sent_quote_of_this_ticket(shop, ticket):
    quote = quote_draft(
        ticket=ticket, kind=Quote.Kind.MONEY, lines=MONEY_LINES, valid_until=in_days(5)
    )
    ticket_start_work(ticket, by=shop.agent)
    with pytest.raises(InvalidInput):  # a draft has no number yet
        ticket_resolve(ticket, by=shop.agent, outcome="quote", outcome_quote="PR")
    quote_send(quote, by=shop.agent)
    quote.refresh_from_db()
    resolved = ticket_resolve(
        ticket, by=shop.agent, outcome="quote", outcome_quote=quote.display_number.lower()
    )
    assert resolved.outcome_quote_number == quote.display_number


def test_the_monthly_mix_is_counted_per_outcome(shop, ticket):
    resolve(ticket, shop.agent, outcome="out_of_scope", outcome_alternative="Otro")
    now = timezone.now()
    zone = shop.customer.time_zone_info
    months = outcomes_by_month(
        Ticket.objects.all(),
        start=now - timezone.timedelta(days=40),
        end=now + timezone.timedelta(days=1),
        zone=zone,
    )
    assert len(months) == 1
    assert months[0].counts == {"out_of_scope": 1}
    assert months[0].month == timezone.localtime(now, zone).date().replace(day=1)

    report = sla_report_data(contract=shop.contract)
    assert [m.counts for m in report.outcomes] == [{"out_of_scope": 1}]
    for language, heading, label in (
        ("es", "Resultado de las solicitudes resueltas", "Fuera de alcance"),
        ("en", "Outcome of resolved requests", "Out of scope"),
    ):
        text = "".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(sla_report_pdf(report, language=language))).pages
        )
        assert heading in text
        assert label in text
