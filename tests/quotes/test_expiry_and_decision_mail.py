"""A quote's end without a decision, and the mail its author gets for a decision.

- The daily `expire_quotes` job marks a sent quote expired once its validity date ended in
  the customer's day (not in UTC's), and nothing else; a second run marks nothing. An
  expired quote is refused by the service, the portal and the API alike, and a credit quote
  that expired never becomes a hold.
- When the customer accepts or rejects, the staff member who drafted the quote is mailed,
  once, in the language they drafted it in, after the decision commits."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client

from credits.models import CreditHold
from operations.schedule import JOBS_BY_NAME
from quotes.exceptions import QuoteExpired
from quotes.models import Quote
from quotes.services import (
    quote_accept,
    quote_draft,
    quote_reject,
    quote_send,
    quotes_expire,
)
from quotes.tasks import send_quote_decided
from tests.api.conftest import client_for
from tests.quotes.conftest import CREDIT_LINES, MONEY_LINES, in_days

pytestmark = pytest.mark.django_db


def sent(ticket, by, *, valid_until, kind=Quote.Kind.MONEY, language="es"):
    quote = quote_draft(
        ticket=ticket,
        kind=kind,
        lines=MONEY_LINES if kind == Quote.Kind.MONEY else CREDIT_LINES,
        valid_until=valid_until,
        by=by,
        language=language,
    )
    return quote_send(quote, by=by)


def bogota(*args) -> datetime:
    """A Bogotá wall-clock moment (UTC-5, the shop's customer) in UTC."""
    return datetime(*args, tzinfo=UTC) + timedelta(hours=5)


def test_the_job_marks_a_quote_expired_after_its_last_day_in_the_customers_zone(shop, ticket):
    with time_machine.travel(bogota(2027, 3, 2, 10), tick=False):
        quote = sent(ticket, shop.agent, valid_until="2027-03-10")
        later = sent(ticket, shop.agent, valid_until="2027-03-20")
        accepted = sent(ticket, shop.agent, valid_until="2027-03-05")
        quote_accept(accepted, contact=shop.contact)
        draft = quote_draft(
            ticket=ticket, kind=Quote.Kind.MONEY, lines=MONEY_LINES, valid_until="2027-03-04"
        )

    # 03:00 UTC on the 11th is still the 10th in Bogotá: its last day counts.
    assert quotes_expire(now=bogota(2027, 3, 10, 22)) == 0
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.SENT

    midnight = bogota(2027, 3, 11, 0, 1)
    assert quotes_expire(now=midnight) == 1
    assert quotes_expire(now=midnight + timedelta(hours=1)) == 0  # idempotent
    marked = Quote.objects.get(pk=quote.pk)
    assert marked.status == Quote.Status.EXPIRED
    assert marked.expired_at == midnight
    assert marked.is_expired
    assert not marked.is_decidable
    assert Quote.objects.get(pk=later.pk).status == Quote.Status.SENT
    assert Quote.objects.get(pk=accepted.pk).status == Quote.Status.ACCEPTED
    assert Quote.objects.get(pk=draft.pk).status == Quote.Status.DRAFT


def test_the_daily_job_runs_the_command(shop, ticket):
    job = JOBS_BY_NAME["expire_quotes"]
    assert (job.command, job.every) == ("expire_quotes", "day")
    with time_machine.travel(bogota(2027, 3, 2, 10), tick=False):
        sent(ticket, shop.agent, valid_until="2027-03-03")
    with time_machine.travel(bogota(2027, 3, 5, 1), tick=False):
        out = io.StringIO()
        call_command(job.command, stdout=out)
        call_command(job.command, stdout=out)
    assert out.getvalue().splitlines() == [
        "expire_quotes: 1 quotes expired",
        "expire_quotes: 0 quotes expired",
    ]


def test_an_expired_credit_quote_is_refused_everywhere_and_never_holds(shop, ticket):
    with time_machine.travel(bogota(2027, 3, 2, 10), tick=False):
        quote = sent(ticket, shop.agent, valid_until="2027-03-03", kind=Quote.Kind.CREDITS)
    holds = CreditHold.objects.count()
    with time_machine.travel(bogota(2027, 3, 4, 9), tick=False):
        # Before the job runs: the same rule refuses it.
        with pytest.raises(QuoteExpired):
            quote_accept(quote, contact=shop.contact, by=shop.user)
        quotes_expire()
        with pytest.raises(QuoteExpired):
            quote_accept(quote, contact=shop.contact, by=shop.user)
        with pytest.raises(QuoteExpired):
            quote_reject(quote, contact=shop.contact, by=shop.user)

        portal = Client()
        portal.force_login(shop.user)
        page = portal.get(f"/portal/quotes/{quote.pk}/").content.decode()
        assert "Este presupuesto venció" in page
        assert f"/portal/quotes/{quote.pk}/accept/" not in page  # no buttons to decide
        refused = portal.post(f"/portal/quotes/{quote.pk}/accept/", follow=True)
        assert "venció el 03/03/2027" in refused.content.decode()  # the reader's short date

        api = client_for(shop.user).post(f"/api/v1/quotes/{quote.pk}/accept/")
        assert api.status_code == 409
        assert api.json()["code"] == "quote_expired"
        assert "venció el 03/03/2027" in api.json()["message"]
        english = client_for(shop.user).post(
            f"/api/v1/quotes/{quote.pk}/accept/", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert "expired on 3 Mar 2027;" in english.json()["message"]
        shown = client_for(shop.user).get(f"/api/v1/quotes/{quote.pk}/").json()
        assert (shown["status"], shown["expired"]) == ("expired", True)

    assert CreditHold.objects.count() == holds
    quote.refresh_from_db()
    assert (quote.status, quote.hold_id, quote.decided_at) == ("expired", None, None)


def test_an_acceptance_mails_the_author_once_in_the_language_they_drafted_in(
    shop, ticket, django_capture_on_commit_callbacks
):
    shop.agent.email = "agente@proveedor.example"
    shop.agent.save()
    quote = sent(ticket, shop.agent, valid_until=in_days(5), language="en")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        quote_accept(quote, contact=shop.contact, by=shop.user)
    assert callbacks  # the mail waits for the commit

    [message] = [m for m in mail.outbox if m.to == ["agente@proveedor.example"]]
    quote.refresh_from_db()
    assert message.subject == (
        f"Hotel Andino S.A.S. accepted quote {quote.display_number} ({ticket.number})"
    )
    assert "Decided by Ana Ruiz on" in message.body
    assert f"Invoice {quote.invoice.display_number} was issued for its lines." in message.body
    assert f"/workspace/quotes/{quote.pk}/" in message.body
    assert "COP" in message.body  # the total, as an English reader reads it

    sent_now = len(mail.outbox)
    assert send_quote_decided.func(quote.pk) == 0  # a retried task sends nothing more
    assert len(mail.outbox) == sent_now


def test_a_rejection_mails_the_author_in_spanish_with_the_reason(
    shop, ticket, django_capture_on_commit_callbacks
):
    with time_machine.travel(bogota(2027, 3, 2, 10), tick=False):
        quote = sent(ticket, shop.manager, valid_until="2027-03-20", kind=Quote.Kind.CREDITS)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            quote_reject(quote, contact=shop.contact, by=shop.user, reason="Muy caro")

    [message] = mail.outbox
    assert message.to == ["gerente@proveedor.example"]
    assert message.subject.startswith("Hotel Andino S.A.S. rechazó el presupuesto PR")
    assert "Decidió: Ana Ruiz, el 02/03/2027 10:00" in message.body
    assert "Motivo: Muy caro" in message.body
    assert "Total: 6,00 créditos" in message.body
