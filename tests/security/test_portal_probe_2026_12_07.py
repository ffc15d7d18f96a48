"""A signed-in customer contact attacks the portal and the API a contact's token reaches
(probe of 2026-12-07): another customer's objects by their ids, malformed input, what a
contact the customer has not authorised may not do, and staff's own words.

The holes it found, each kept as its failing-then-passing test:
- a contact not authorised to ask (`can_request` off) reopened a resolved request from the
  portal, the API, the resolution notice's link and by replying to it on the API or by
  mail (`tickets.services.lifecycle._reopen`; mail intake answers the refusal);
- such a contact accepted a quote, which issues its invoice (`quotes.services._decider`);
- on PostgreSQL, an idempotent API request refused with its bad value quoted (a NUL) was a
  500: jsonb cannot store the NUL (`creditdesk.api.idempotency`).
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from djmoney.money import Money

from billing.models import AutoTopUp, BankTransferReport, Invoice, Payment
from billing.services.transfers import transfer_report
from contracts.models import Contact
from contracts.services import customer_today
from creditdesk.api.models import IdempotencyRecord
from quotes.models import Quote, QuoteSeries
from quotes.services import quote_draft, quote_send
from tests.api.conftest import client_for, world  # noqa: F401  (fixture)
from tests.billing.transfer_files import pdf_bytes
from tests.clients import signed_in
from tests.factories import make_contact, make_customer, make_portal_user, make_service
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tickets.models import Attachment, IntakeAttempt, Message, Ticket
from tickets.reopen_links import reopen_token, resolution_event
from tickets.services.attachments import message_with_attachments
from tickets.services.lifecycle import (
    ticket_agent_reply,
    ticket_transition,
)
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
REPLY_MAIL = (Path(__file__).parents[1] / "tickets/mail/reply_with_ticket_number.eml").read_bytes()


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture(autouse=True)
def _quote_series():
    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})


def unauthorized_user(side):
    """A login of the side's customer whose contact may not open requests."""
    return make_portal_user(make_contact(side.customer, can_request=False))


def resolved(ticket, agent):
    ticket_transition(ticket, to_status=Ticket.Status.IN_PROGRESS, by=agent)
    ticket_transition(ticket, to_status=Ticket.Status.RESOLVED, by=agent)
    ticket.refresh_from_db()
    return ticket


def sent_quote(ticket, agent):
    quote = quote_draft(
        ticket=ticket,
        kind=Quote.Kind.MONEY,
        lines=[{"description": "Migración", "quantity": "1", "unit_price": "150000"}],
        valid_until=timezone.localdate() + timedelta(days=10),
        by=agent,
    )
    return quote_send(quote, by=agent)


def text_file(name="nota.txt"):
    return SimpleUploadedFile(name, b"registro del servidor\n", content_type="text/plain")


def yesterday() -> str:
    return (timezone.localdate() - timedelta(days=1)).isoformat()


# 1. Another customer's objects, by their ids


def test_the_portal_answers_404_for_another_customers_objects_and_changes_nothing(
    world,  # noqa: F811
):
    b = world.b
    report = transfer_report(
        customer=b.customer,
        by=b.user,
        amount=Money("1071000", "COP"),
        transferred_on=customer_today(b.customer),
        reference="REF-B",
        filename="recibo.pdf",
        content=pdf_bytes(),
        credit_pack=world.pack,
    )
    attachment_message = message_with_attachments(
        files=[text_file()],
        write=lambda: ticket_agent_reply(b.ticket, by=world.agent, body="Adjunto registro"),
    )
    attachment = Attachment.objects.get(message=attachment_message)
    client = signed_in(world.a.user)
    for url in (
        f"/portal/tickets/{b.ticket.number}/",
        f"/portal/invoices/{b.invoice.pk}/pdf/",
        f"/portal/payments/{b.payment.pk}/",
        f"/transfers/{report.pk}/proof/",
        f"/attachments/{attachment.pk}/",
        f"/attachments/{attachment.pk}/preview/",
    ):
        assert client.get(url).status_code == 404, url
    messages = b.ticket.messages.count()
    for url, data in (
        (f"/portal/tickets/{b.ticket.number}/reply/", {"body": "Hola"}),
        (f"/portal/tickets/{b.ticket.number}/reopen/", {"reason": "Sigue"}),
        (f"/portal/tickets/{b.ticket.number}/follow-up/", {"subject": "Otra vez"}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert b.ticket.messages.count() == messages
    assert not Ticket.objects.filter(follows_up=b.ticket).exists()


def test_the_api_answers_404_for_another_customers_objects_and_changes_nothing(
    world,  # noqa: F811
):
    b = world.b
    api = client_for(world.a.user)
    for url in (
        f"{TICKETS}{b.ticket.pk}/",
        f"{TICKETS}{b.ticket.pk}/messages/",
        f"{TICKETS}{b.ticket.pk}/work-logs/",
        f"{TICKETS}{b.ticket.pk}/sessions/",
        f"/api/v1/sessions/{b.session.pk}/",
        f"/api/v1/customers/{b.customer.pk}/",
        f"/api/v1/customers/{b.customer.pk}/credits/",
        f"/api/v1/customers/{b.customer.pk}/credits/entries/",
        f"/api/v1/customers/{b.customer.pk}/credits/holds/",
        f"/api/v1/contacts/{b.contact.pk}/",
        f"/api/v1/contracts/{b.contract.pk}/",
        f"/api/v1/contracts/{b.contract.pk}/sla-compliance/",
        f"/api/v1/contracts/{b.contract.pk}/sla-report/csv/",
        f"/api/v1/invoices/{b.invoice.pk}/",
        f"/api/v1/invoices/{b.invoice.pk}/pdf/",
        f"/api/v1/payments/{b.payment.pk}/",
    ):
        assert api.get(url).status_code == 404, url
    messages = b.ticket.messages.count()
    for url, body in (
        (f"{TICKETS}{b.ticket.pk}/messages/", {"body": "Hola"}),
        (f"{TICKETS}{b.ticket.pk}/transitions/", {"to_status": "closed"}),
        (f"{TICKETS}{b.ticket.pk}/follow-up/", {"subject": "Otra vez"}),
    ):
        assert api.post(url, body, format="json").status_code == 404, url
    assert b.ticket.messages.count() == messages
    b.ticket.refresh_from_db()
    assert b.ticket.status == Ticket.Status.ACKNOWLEDGED
    # a filter naming another customer is refused as one naming no customer
    assert api.get(f"{TICKETS}?customer={b.customer.pk}").status_code == 400
    listed = api.get(TICKETS).json()["results"]
    assert {row["customer"] for row in listed} == {world.a.customer.pk}
    contacts = api.get("/api/v1/contacts/").json()["results"]
    assert {row["customer"] for row in contacts} == {world.a.customer.pk}


def test_a_contact_names_no_other_customer_in_api_bodies(world):  # noqa: F811
    api = client_for(world.a.user)
    opened = api.post(TICKETS, {"subject": "Caída", "requester": world.b.contact.pk}, format="json")
    assert opened.status_code == 400, opened.json()
    assert "requester" in opened.json()["fields"]
    top_up = api.post(
        "/api/v1/top-ups/",
        {"customer": world.b.customer.pk, "credit_pack": world.pack.pk},
        format="json",
    )
    assert top_up.status_code == 400, top_up.json()
    assert not Payment.objects.filter(customer=world.b.customer, provider="stripe").exists()
    assert not Ticket.objects.filter(customer=world.b.customer, subject="Caída").exists()


def test_a_contact_neither_reads_nor_writes_webhooks_nor_edits_contacts(world):  # noqa: F811
    user = unauthorized_user(world.a)
    api = client_for(user)
    assert api.get("/api/v1/webhook-endpoints/").status_code == 403
    created = api.post(
        "/api/v1/webhook-endpoints/",
        {"url": "https://example.com/hook", "events": ["ticket.created"]},
        format="json",
    )
    assert created.status_code == 403
    assert api.get("/api/v1/webhook-deliveries/").status_code == 403
    contact = Contact.objects.get(user=user)
    # a contact the customer did not authorise may not authorise itself
    patched = api.patch(f"/api/v1/contacts/{contact.pk}/", {"can_request": True}, format="json")
    assert patched.status_code == 403
    contact.refresh_from_db()
    assert contact.can_request is False


def test_a_transfer_pays_only_the_customers_own_invoices_and_packs_on_sale(world):  # noqa: F811
    client = signed_in(world.a.user)
    for pays in (f"invoice:{world.b.invoice.pk}", "pack:99999"):
        response = client.post(
            "/portal/transfers/",
            {
                "pays": pays,
                "amount": "119000",
                "transferred_on": yesterday(),
                "reference": "BANCO-B",
                "proof": SimpleUploadedFile("recibo.pdf", pdf_bytes(), "application/pdf"),
            },
        )
        assert response.status_code == 400, pays
    assert not BankTransferReport.objects.exists()


# 3. What a contact without the right flag may not do


def test_a_contact_not_authorised_to_ask_does_not_reopen_from_the_portal(world):  # noqa: F811
    ticket = resolved(world.a.ticket, world.agent)
    response = signed_in(unauthorized_user(world.a)).post(
        f"/portal/tickets/{ticket.number}/reopen/", {"reason": "Sigue fallando"}, follow=True
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert "no autorizó" in response.text


def test_the_portal_offers_reopen_and_follow_up_only_to_a_contact_who_may_ask(world):  # noqa: F811
    ticket = resolved(world.a.ticket, world.agent)
    page = f"/portal/tickets/{ticket.number}/"
    reopen, follow_up = (
        f"/portal/tickets/{ticket.number}/{action}/" for action in ("reopen", "follow-up")
    )

    unauthorised = signed_in(unauthorized_user(world.a)).get(page).text
    authorised = signed_in(world.a.user).get(page).text

    assert reopen not in unauthorised
    assert reopen in authorised
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.CLOSED)
    assert follow_up not in signed_in(unauthorized_user(world.a)).get(page).text
    assert follow_up in signed_in(world.a.user).get(page).text


def test_a_contact_not_authorised_to_ask_does_not_reopen_through_the_api(world):  # noqa: F811
    ticket = resolved(world.a.ticket, world.agent)
    response = client_for(unauthorized_user(world.a)).post(
        f"{TICKETS}{ticket.pk}/transitions/", {"to_status": "reopened"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "unauthorized_requester"
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_a_contact_not_authorised_to_ask_does_not_reopen_by_replying(world):  # noqa: F811
    ticket = resolved(world.a.ticket, world.agent)
    messages = ticket.messages.count()
    response = client_for(unauthorized_user(world.a)).post(
        f"{TICKETS}{ticket.pk}/messages/", {"body": "Sigue igual"}, format="json"
    )
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.messages.count() == messages


def test_a_mail_reply_from_a_contact_not_authorised_reopens_nothing_and_is_answered(
    world,  # noqa: F811
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    ticket = resolved(world.a.ticket, world.agent)
    contact = make_contact(world.a.customer, can_request=False, email="visita@cliente.example")
    raw = REPLY_MAIL.replace(b"ana@andino.example", contact.email.encode()).replace(
        b"T-2026-000001", ticket.number.encode()
    )
    messages = ticket.messages.count()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = mail_ingest(raw)
    assert (outcome.action, outcome.detail) == ("refused", "unauthorized_requester")
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.messages.count() == messages
    assert IntakeAttempt.objects.filter(contact=contact, reason="unauthorized_requester").exists()
    assert any(sent.to == [contact.email] for sent in mail.outbox)


def test_the_reopen_link_of_a_requester_no_longer_authorised_reopens_nothing(
    world,  # noqa: F811
):
    ticket = resolved(world.a.ticket, world.agent)
    token = reopen_token(ticket, resolution_event(ticket))
    Contact.objects.filter(pk=world.a.contact.pk).update(can_request=False)
    page = signed_in(world.a.user).post(f"/reopen/{token}/", {"reason": ""})
    assert page.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED


def test_authorised_contacts_and_staff_still_reopen(world):  # noqa: F811
    ticket = resolved(world.a.ticket, world.agent)
    response = client_for(world.a.user).post(
        f"{TICKETS}{ticket.pk}/transitions/", {"to_status": "reopened"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Ticket.Status.IN_PROGRESS
    other = resolved(world.b.ticket, world.agent)
    # staff reopen on behalf of a contact the customer no longer authorises
    Contact.objects.filter(pk=world.b.contact.pk).update(can_request=False)
    ticket_transition(other, to_status=Ticket.Status.REOPENED, by=world.agent, reason="llamó")
    other.refresh_from_db()
    assert other.status == Ticket.Status.IN_PROGRESS


def test_a_contact_not_authorised_does_not_decide_a_quote_on_the_portal(world):  # noqa: F811
    quote = sent_quote(world.a.ticket, world.agent)
    client = signed_in(unauthorized_user(world.a))
    page = client.get(f"/portal/quotes/{quote.pk}/")
    assert page.status_code == 200
    assert f"/portal/quotes/{quote.pk}/accept/" not in page.text
    invoices = Invoice.objects.count()
    refused = client.post(f"/portal/quotes/{quote.pk}/accept/", follow=True)
    assert "no autorizó" in refused.text
    client.post(f"/portal/quotes/{quote.pk}/reject/", {"reason": "caro"})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    assert Invoice.objects.count() == invoices


def test_a_contact_not_authorised_does_not_decide_a_quote_through_the_api(world):  # noqa: F811
    quote = sent_quote(world.a.ticket, world.agent)
    api = client_for(unauthorized_user(world.a))
    for action in ("accept", "reject"):
        response = api.post(f"/api/v1/quotes/{quote.pk}/{action}/")
        assert response.status_code == 403, response.json()
        assert response.json()["code"] == "quote_decider_unauthorized"
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT
    accepted = client_for(world.a.user).post(f"/api/v1/quotes/{quote.pk}/accept/")
    assert accepted.status_code == 200, accepted.json()


def test_a_contact_not_authorised_opens_no_request_nor_follow_up(world):  # noqa: F811
    user = unauthorized_user(world.a)
    before = Ticket.objects.count()
    opened = client_for(user).post(TICKETS, {"subject": "Caída"}, format="json")
    assert opened.status_code == 403
    assert opened.json()["code"] == "unauthorized_requester"
    page = signed_in(user).post("/portal/tickets/new/", {"subject": "Caída", "urgency": "medium"})
    assert page.status_code == 200
    closed = resolved(world.a.ticket, world.agent)
    ticket_transition(closed, to_status=Ticket.Status.CLOSED, by=world.agent)
    follow = signed_in(user).post(
        f"/portal/tickets/{closed.number}/follow-up/", {"subject": "Otra vez"}
    )
    assert follow.status_code == 200
    assert Ticket.objects.count() == before


@pytest.mark.parametrize("status", ["suspended", "cancelled"])
def test_a_contact_of_a_suspended_or_ended_contract_neither_asks_nor_reopens(
    world,  # noqa: F811
    status,
):
    ticket = resolved(world.a.ticket, world.agent)
    world.a.contract.status = status
    world.a.contract.save(update_fields=["status"])
    before = Ticket.objects.count()
    api = client_for(world.a.user)
    opened = api.post(TICKETS, {"subject": "Caída"}, format="json")
    assert opened.status_code == 409, opened.json()
    reopened = api.post(
        f"{TICKETS}{ticket.pk}/transitions/", {"to_status": "reopened"}, format="json"
    )
    assert reopened.status_code == 409, reopened.json()
    signed_in(world.a.user).post(f"/portal/tickets/{ticket.number}/reopen/", {"reason": "Sigue"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    assert Ticket.objects.count() == before


def test_a_contact_only_closes_or_reopens(world):  # noqa: F811
    api = client_for(world.a.user)
    for to_status in ("in_progress", "resolved", "abandoned", "waiting_on_customer"):
        response = api.post(
            f"{TICKETS}{world.a.ticket.pk}/transitions/", {"to_status": to_status}, format="json"
        )
        assert response.status_code == 403, to_status
    for action, body in (
        ("priority", {"priority": "p1", "reason": "urgente"}),
        ("assign", {"assignee": world.agent.pk}),
        ("escalate", {"to_level": 2, "reason": "urgente"}),
        ("work-logs", {"started_at": timezone.now().isoformat(), "minutes": 600}),
        ("sessions", {"starts_at": timezone.now().isoformat(), "minutes": 60}),
    ):
        response = api.post(f"{TICKETS}{world.a.ticket.pk}/{action}/", body, format="json")
        assert response.status_code == 403, action
    internal = api.post(
        f"{TICKETS}{world.a.ticket.pk}/messages/", {"body": "x", "public": False}, format="json"
    )
    assert internal.status_code == 400
    world.a.ticket.refresh_from_db()
    assert world.a.ticket.status == Ticket.Status.ACKNOWLEDGED
    assert world.a.ticket.work_logs.count() == 0


# 4. Staff's own words


def test_a_contact_never_reads_internal_notes_nor_their_attachments(world):  # noqa: F811
    note = message_with_attachments(
        files=[text_file("interno.txt")],
        write=lambda: ticket_agent_reply(
            world.a.ticket, by=world.agent, body="El cliente no paga a tiempo", public=False
        ),
    )
    assert note.direction == Message.Direction.INTERNAL
    attachment = Attachment.objects.get(message=note)
    page = signed_in(world.a.user).get(f"/portal/tickets/{world.a.ticket.number}/")
    assert page.status_code == 200
    assert "El cliente no paga a tiempo" not in page.text
    assert "interno.txt" not in page.text
    assert signed_in(world.a.user).get(f"/attachments/{attachment.pk}/").status_code == 404
    api = client_for(world.a.user)
    messages = api.get(f"{TICKETS}{world.a.ticket.pk}/messages/").json()["results"]
    assert all(row["direction"] != "internal" for row in messages)
    assert api.get(f"/api/v1/attachments/{attachment.pk}/download/").status_code == 404
    # an agent reads both
    assert client_for(world.agent).get(f"/api/v1/attachments/{attachment.pk}/").status_code == 200
    assert not any("no paga" in message.body for message in mail.outbox)


# 2. Malformed input


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-00", "2026-13"])
def test_a_report_month_out_of_range_is_a_404_or_a_report(world, month):  # noqa: F811
    client = signed_in(world.a.user)
    for document in ("pdf", "csv"):
        response = client.get(f"/portal/sla-reports/{month}/{document}/")
        assert response.status_code in (200, 404), (month, document)


@pytest.mark.parametrize("pk", ["0", "9223372036854775808", "99999999999999999999"])
def test_ids_past_any_row_are_404s(world, pk):  # noqa: F811
    client = signed_in(world.a.user)
    for url in (
        f"/portal/payments/{pk}/",
        f"/portal/invoices/{pk}/pdf/",
        f"/portal/credits/auto-top-up/attempts/{pk}/",
        f"/portal/quotes/{pk}/",
        f"/attachments/{pk}/",
        f"/transfers/{pk}/proof/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/portal/credits/packs/{pk}/buy/",
        f"/portal/subscription/{pk}/cancel/",
        f"/portal/quotes/{pk}/accept/",
        f"/portal/quotes/{pk}/reject/",
    ):
        assert client.post(url).status_code == 404, url
    api = client_for(world.a.user)
    for url in (f"{TICKETS}{pk}/", f"/api/v1/invoices/{pk}/", f"/api/v1/quotes/{pk}/"):
        assert api.get(url).status_code == 404, url


@pytest.mark.parametrize(
    "query",
    [
        "date_from=0001-01-01&date_to=9999-12-31",
        "date_from=99999-01-01",
        "date_from=2026-02-30",
        "date_from=%00",
        "kind=%00",
        "kind=nonsense",
        "page=-1",
        "page=99999999999999999999",
        "page=%00",
        "date_from=2026-12-01&date_to=2026-01-01",
    ],
)
def test_the_ledger_takes_any_filter_without_failing(world, query):  # noqa: F811
    response = signed_in(world.a.user).get(f"/portal/credits/?{query}")
    assert response.status_code in (200, 400, 404), query


def _form_post(client, url: str, body: bytes):
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize(
    "fields",
    [
        {"subject": "x" * 5000},
        {"subject": "caída\x00"},
        {"subject": "ok", "description": "a\x00b"},
        {"subject": "ok", "description": "x" * 200_000},
        {"subject": "ok", "impact": "catastrophic"},
        {"subject": "ok", "urgency": "\x00"},
        {"subject": "ok", "service": "99999999999999999999"},
        {"subject": "ok", "service": "-1"},
        {"subject": "ok", "service": "abc"},
        {"subject": "ok", "suggested_priority": "p0"},
        {"subject": "\u202e\u200b\ufeff"},
        {},
    ],
)
def test_a_malformed_request_form_writes_nothing(world, fields):  # noqa: F811
    before = Ticket.objects.count()
    response = signed_in(world.a.user).post("/portal/tickets/new/", fields)
    assert response.status_code == 200
    assert Ticket.objects.count() == before


def test_a_request_form_in_broken_utf8_writes_nothing(world):  # noqa: F811
    before = Ticket.objects.count()
    response = _form_post(
        signed_in(world.a.user), "/portal/tickets/new/", b"subject=%ED%A0%80%FF&urgency=medium"
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert Ticket.objects.get(customer=world.a.customer, pk__gt=world.b.ticket.pk)
    else:
        assert Ticket.objects.count() == before


@pytest.mark.parametrize("body", ["a\x00b", "x" * 200_000, "", "   "])
def test_a_malformed_reply_writes_nothing(world, body):  # noqa: F811
    ticket = world.a.ticket
    count = ticket.messages.count()
    response = signed_in(world.a.user).post(
        f"/portal/tickets/{ticket.number}/reply/", {"body": body}
    )
    assert response.status_code == 200
    assert ticket.messages.count() == count


@pytest.mark.parametrize(
    "name", ["a" * 1000 + ".txt", "../../etc/passwd.txt", "nota\u202etxt.exe", ".txt", "..."]
)
def test_an_attachment_name_is_cleaned_or_refused(world, name):  # noqa: F811
    ticket = world.a.ticket
    response = signed_in(world.a.user).post(
        f"/portal/tickets/{ticket.number}/reply/",
        {"body": "Adjunto", "attachments": [text_file(name)]},
    )
    assert response.status_code in (200, 302)
    for attachment in Attachment.objects.filter(message__ticket=ticket):
        assert "/" not in attachment.filename
        assert len(attachment.filename) <= Attachment._meta.get_field("filename").max_length


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "-5"},
        {"amount": "0"},
        {"amount": "1e400"},
        {"amount": "99999999999999999999999999"},
        {"amount": "1.071.000,123456"},
        {"amount": "\x00"},
        {"transferred_on": "0001-01-01"},
        {"transferred_on": "9999-12-31"},
        {"transferred_on": "2026-02-30"},
        {"transferred_on": "\x00"},
        {"reference": "\x00"},
        {"reference": "x" * 5000},
        {"reference": "   "},
        {"pays": "invoice:99999999999999999999"},
        {"pays": "pack:abc"},
        {"pays": "\x00"},
    ],
)
def test_a_malformed_transfer_report_writes_nothing(world, changes):  # noqa: F811
    fields = {
        "pays": f"pack:{world.pack.pk}",
        "amount": "1071000",
        "transferred_on": yesterday(),
        "reference": "BANCO-PROBE",
        "proof": SimpleUploadedFile("recibo.pdf", pdf_bytes(), content_type="application/pdf"),
    } | changes
    response = signed_in(world.a.user).post("/portal/transfers/", fields)
    assert response.status_code == 400
    assert not BankTransferReport.objects.exists()


def test_a_transfer_reported_twice_is_one_report(world):  # noqa: F811
    client = signed_in(world.a.user)

    def post():
        return client.post(
            "/portal/transfers/",
            {
                "pays": f"pack:{world.pack.pk}",
                "amount": "1071000",
                "transferred_on": yesterday(),
                "reference": "BANCO-DOS-VECES",
                "proof": SimpleUploadedFile("recibo.pdf", pdf_bytes(), "application/pdf"),
            },
        )

    assert post().status_code == 302
    assert post().status_code == 400
    assert BankTransferReport.objects.filter(reference="BANCO-DOS-VECES").count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"enabled": "on", "threshold_credits": "-1"},
        {"enabled": "on", "threshold_credits": "1e400"},
        {"enabled": "on", "threshold_credits": "0,001"},
        {"enabled": "on", "threshold_credits": "\x00"},
        {"enabled": "on", "threshold_credits": "5", "credit_pack": "99999999999999999999"},
        {"enabled": "on", "threshold_credits": "5", "credit_pack": "\x00"},
        {"enabled": "on"},
    ],
)
def test_a_malformed_auto_top_up_writes_nothing(world, fields, settings):  # noqa: F811
    settings.STRIPE_SECRET_KEY = "sk_test_probe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_probe"
    response = signed_in(world.a.user).post("/portal/credits/auto-top-up/", fields)
    assert response.status_code == 400
    assert not AutoTopUp.objects.filter(customer=world.a.customer, enabled=True).exists()


@pytest.mark.parametrize(
    "body",
    [
        [],
        "texto",
        123,
        None,
        {"subject": ["a"]},
        {"subject": {"a": 1}},
        {"subject": "ok", "service": "99999999999999999999"},
        {"subject": "ok", "service": 99999999999999999999},
        {"subject": "ok", "service": 1.5},
        {"subject": "ok", "service": True},
        {"subject": "ok", "urgency": None},
        {"subject": "ok", "existing_ticket_number": "T-\x00"},
        {"subject": "ok", "channel": "phone"},
        {"subject": "a\x00b"},
        {"subject": "ok", "description": "x" * 300_000},
        {"subject": "ok", "impact": ["high"]},
    ],
)
def test_a_malformed_api_request_is_a_4xx_and_writes_nothing(world, body):  # noqa: F811
    before = Ticket.objects.count()
    response = client_for(world.a.user).post(TICKETS, body, format="json")
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert Ticket.objects.count() == before


def test_a_service_the_contract_does_not_cover_is_refused(world):  # noqa: F811
    service = make_service()
    world.a.contract.services.add(make_service())  # the contract names its services
    response = client_for(world.a.user).post(
        TICKETS, {"subject": "ok", "service": service.pk}, format="json"
    )
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == "out_of_scope"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (TICKETS, {"subject": "ok", "urgency": "\x00"}),
        (TICKETS, {"subject": "ok", "impact": "a\x00"}),
    ],
)
def test_an_idempotent_refusal_quoting_a_nul_is_a_400_every_time(
    world,  # noqa: F811
    path,
    body,
):
    """On PostgreSQL the refusal, which quotes the bad value, could not be stored as the key's
    answer (jsonb takes no NUL): a 500. It is not stored; the same request is refused again."""
    api = client_for(world.a.user)
    for _attempt in range(2):
        response = api.post(path, body, format="json", headers={"Idempotency-Key": "nul-1"})
        assert response.status_code == 400, (response.status_code, response.content[:300])
    assert not IdempotencyRecord.objects.filter(key="nul-1").exists()
    assert Ticket.objects.count() == 2  # the world's own two


def test_an_idempotent_transition_quoting_a_nul_is_a_400(world):  # noqa: F811
    response = client_for(world.a.user).post(
        f"{TICKETS}{world.a.ticket.pk}/transitions/",
        {"to_status": "\x00"},
        format="json",
        headers={"Idempotency-Key": "nul-2"},
    )
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert not IdempotencyRecord.objects.filter(key="nul-2").exists()


def test_an_idempotent_refusal_is_still_replayed(world):  # noqa: F811
    api = client_for(world.a.user)
    first = api.post(TICKETS, {"subject": ""}, format="json", headers={"Idempotency-Key": "k-3"})
    again = api.post(TICKETS, {"subject": ""}, format="json", headers={"Idempotency-Key": "k-3"})
    assert first.status_code == again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize(
    "query",
    [
        "number=%00",
        "status=%00",
        "ordering=%00",
        "search=%00",
        "opened_after=%00",
        "opened_after=0001-01-01T00:00:00Z",
        "opened_after=9999-12-31T23:59:59Z",
        "customer=99999999999999999999",
        "requester=-1",
        "page=%00",
        "page_size=%00",
    ],
)
def test_the_api_ticket_list_takes_any_filter_without_failing(world, query):  # noqa: F811
    response = client_for(world.a.user).get(f"{TICKETS}?{query}")
    assert response.status_code in (200, 400, 404), query
    if response.status_code == 200:
        customers = {row["customer"] for row in response.json()["results"]}
        assert customers <= {world.a.customer.pk}


PORTAL_PAGES = [
    "/portal/",
    "/portal/tickets/new/",
    "/portal/credits/",
    "/portal/invoices/",
    "/portal/transfers/",
    "/portal/subscription/",
    "/portal/activations/",
    "/help/",
]


@pytest.mark.parametrize("state", ["suspended", "cancelled", "draft", "none", "free"])
def test_every_portal_page_answers_whatever_the_contract(world, state):  # noqa: F811
    """A contact whose contract is suspended, ended, not started or missing, or whose
    customer is on the free membership, reads every page (nothing to do there is said, not
    failed)."""
    a = world.a
    pages = [*PORTAL_PAGES, f"/portal/tickets/{a.ticket.number}/"]
    user = a.user
    if state == "none":
        user = make_portal_user(make_contact(make_customer()))
        pages = PORTAL_PAGES
    elif state == "free":
        type(a.customer).objects.filter(pk=a.customer.pk).update(membership="free")
    else:
        type(a.contract).objects.filter(pk=a.contract.pk).update(status=state)
    client = signed_in(user)
    for url in pages:
        assert client.get(url).status_code == 200, (state, url)
    for url in ("/portal/sla-reports/2026-11/pdf/", "/portal/sla-reports/2026-11/csv/"):
        assert client.get(url).status_code in (200, 404), (state, url)


def test_a_signed_in_contact_whose_login_was_deactivated_reads_nothing(world):  # noqa: F811
    client = signed_in(world.a.user)
    type(world.a.user).objects.filter(pk=world.a.user.pk).update(is_active=False)
    for url in PORTAL_PAGES[:5]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response["Location"]
    assert client_for(world.a.user).get(TICKETS).status_code in (401, 403)


def test_staff_only_api_resources_refuse_a_contact(world):  # noqa: F811
    api = client_for(world.a.user)
    for url in (
        "/api/v1/intake-attempts/",
        f"/api/v1/intake-attempts/{world.a.attempt.pk}/",
        "/api/v1/canned-replies/",
        "/api/v1/invoices/export/?date_from=2026-01-01&date_to=2026-12-31",
    ):
        assert api.get(url).status_code == 403, url
    for url, body in (
        ("/api/v1/customers/", {"legal_name": "Otra"}),
        (f"/api/v1/customers/{world.a.customer.pk}/credits/adjustments/", {"credits": "100"}),
        (f"/api/v1/contracts/{world.a.contract.pk}/cancel/", {}),
        ("/api/v1/payments/", {"customer": world.a.customer.pk}),
        (f"/api/v1/sessions/{world.a.session.pk}/no-show/", {}),
        ("/api/v1/quotes/", {"ticket": world.a.ticket.number}),
    ):
        assert api.post(url, body, format="json").status_code == 403, url
    assert (
        api.patch(
            f"/api/v1/customers/{world.a.customer.pk}/", {"tax_exempt": True}, format="json"
        ).status_code
        == 403
    )
    world.a.customer.refresh_from_db()
    assert world.a.customer.tax_exempt is False


def test_a_pack_another_plan_sells_is_not_bought(world, settings):  # noqa: F811
    from tests.factories import make_credit_pack, make_plan

    settings.STRIPE_SECRET_KEY = "sk_test_probe"  # the pack is refused before Stripe is asked
    elsewhere = make_credit_pack(make_plan(), name="Paquete de otro plan")
    invoices = Invoice.objects.count()
    response = client_for(world.a.user).post(
        "/api/v1/top-ups/", {"credit_pack": elsewhere.pk}, format="json"
    )
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "pack_not_for_sale"
    page = signed_in(world.a.user).post(f"/portal/credits/packs/{elsewhere.pk}/buy/")
    assert page.status_code == 302
    assert not Payment.objects.filter(credit_pack=elsewhere).exists()
    assert Invoice.objects.count() == invoices


@pytest.mark.parametrize("status", ["closed", "abandoned"])
def test_a_finished_request_takes_no_reply(world, status):  # noqa: F811
    ticket = world.a.ticket
    if status == "closed":
        resolved(ticket, world.agent)
        ticket_transition(ticket, to_status=Ticket.Status.CLOSED, by=world.agent)
    else:
        ticket_agent_reply(ticket, by=world.agent, body="¿Datos?", asks_for_information=True)
        ticket_transition(ticket, to_status=Ticket.Status.ABANDONED, by=world.agent)
    messages = ticket.messages.count()
    page = signed_in(world.a.user).post(f"/portal/tickets/{ticket.number}/reply/", {"body": "Hola"})
    assert page.status_code == 200
    api = client_for(world.a.user).post(
        f"{TICKETS}{ticket.pk}/messages/", {"body": "Hola"}, format="json"
    )
    assert api.status_code == 409, api.json()
    assert ticket.messages.count() == messages


def test_an_odd_page_size_is_no_failure(world):  # noqa: F811
    response = client_for(world.a.user).get(f"{TICKETS}?page_size=99999999999999999999")
    assert response.status_code == 200
    response = client_for(world.a.user).get(f"{TICKETS}?page_size=-5")
    assert response.status_code == 200


def test_no_mail_the_portal_triggers_carries_an_internal_note(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    ticket = world.a.ticket
    secret = "Nota interna: el cliente debe dos facturas"
    ticket_agent_reply(ticket, by=world.agent, body=secret, public=False)
    with django_capture_on_commit_callbacks(execute=True):
        resolved(ticket, world.agent)
    ticket_transition(ticket, to_status=Ticket.Status.CLOSED, by=world.agent)
    client = signed_in(world.a.user)
    with django_capture_on_commit_callbacks(execute=True):
        follow = client.post(
            f"/portal/tickets/{ticket.number}/follow-up/", {"subject": "Volvió a fallar"}
        )
        assert follow.status_code == 302
        opened = client.post("/portal/tickets/new/", {"subject": "Otra", "urgency": "medium"})
        assert opened.status_code == 302
    sent = [message for message in mail.outbox if world.a.contact.email in message.to]
    assert len(sent) == 3  # the resolution notice and two acknowledgements
    assert all(secret not in message.body for message in mail.outbox)
