"""One request per submitted form: the portal's form carries a key (`submission_key`), and a
second submit of it (a double click, a browser retrying) gets the request the first opened,
with no second ticket, hold or refusal recorded, even when the first took the last credits;
submits racing each other meet at the ticket's unique key."""

import re
import uuid
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Channel
from credits.models import CreditAccount, CreditHold
from credits.selectors import ledger_verify
from tests.clients import signed_in
from tests.factories import make_contact, make_portal_user
from tests.threads import run_together
from tests.tickets.conftest import top_up
from tickets.models import Attachment, IntakeAttempt, Ticket
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def open_with(requester, key, subject="Correo caído"):
    return ticket_open(
        channel=Channel.PORTAL, requester=requester, subject=subject, submission_key=key
    )


def held(customer) -> Decimal:
    return CreditAccount.objects.get(customer=customer).held


def test_a_second_submit_of_one_form_gets_the_first_request(funded, tuesday_morning):
    key = uuid.uuid4()
    first = open_with(funded, key)
    second = open_with(funded, key)

    assert first.accepted
    assert not first.replayed
    assert second.accepted
    assert second.replayed
    assert second.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1
    assert held(funded.customer) == Decimal("1.00")


def test_a_form_sent_again_after_editing_says_its_changes_were_not_kept(funded, tuesday_morning):
    client = signed_in(make_portal_user(funded))
    key = str(uuid.uuid4())
    form = {"subject": "Servidor caído", "urgency": "high", "submission_key": key}
    client.post("/portal/tickets/new/", form)

    # back in the browser, the same form edited and sent again
    edited = client.post("/portal/tickets/new/", form | {"subject": "Otro problema"}, follow=True)

    ticket = Ticket.objects.get()
    assert ticket.subject == "Servidor caído"
    assert f"ya se había enviado como la solicitud {ticket.number}" in edited.text
    assert "no se guardó" in edited.text
    assert open_with(funded, uuid.UUID(key), subject="Servidor caído").replay_differs is False


def test_other_keys_and_no_key_open_requests_of_their_own(funded, tuesday_morning):
    top_up(funded.customer, 10)
    key = uuid.uuid4()
    open_with(funded, key)
    colleague = make_contact(customer=funded.customer, email="luis@andino.example")

    others = [
        open_with(funded, uuid.uuid4()),
        open_with(colleague, key),  # a key is the requester's own
        open_with(funded, None),
        open_with(funded, None),
    ]

    assert [(r.accepted, r.replayed) for r in others] == [(True, False)] * 4
    assert Ticket.objects.count() == 5


def test_the_second_submit_is_not_refused_when_the_first_took_the_last_credits(
    requester, tuesday_morning
):
    top_up(requester.customer, 2)  # a minimum of 2 to ask, 1 held per request
    key = uuid.uuid4()
    first = open_with(requester, key)

    assert open_with(requester, uuid.uuid4()).refusal.code == "insufficient_credits"
    second = open_with(requester, key)

    assert second.accepted
    assert second.replayed
    assert second.ticket == first.ticket
    assert IntakeAttempt.objects.count() == 1  # the other key's refusal only
    assert held(requester.customer) == Decimal("1.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_submits_of_one_form_racing_each_other_open_one_request(funded, tuesday_morning):
    key = uuid.uuid4()

    outcomes = run_together(lambda i: open_with(funded, key), threads=6)

    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert len({o.ticket.pk for o in outcomes}) == 1
    assert sum(not o.replayed for o in outcomes) == 1
    assert Ticket.objects.count() == 1
    assert CreditHold.objects.filter(status="active").count() == 1
    assert held(funded.customer) == Decimal("1.00")
    assert IntakeAttempt.objects.count() == 0
    assert ledger_verify().ok


def test_the_portal_form_posted_twice_opens_one_request_with_its_files_once(
    funded, tuesday_morning
):
    client = signed_in(make_portal_user(funded))
    form = client.get("/portal/tickets/new/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', form).group(1)
    assert key != re.search(
        r'name="submission_key" value="([0-9a-f-]+)"',
        client.get("/portal/tickets/new/").content.decode(),
    ).group(1)  # each blank form its own

    def post():
        data = {
            "subject": "Servidor caído",
            "description": "No responde desde las 8.",
            "urgency": "high",
            "submission_key": key,
            "attachments": SimpleUploadedFile("log.txt", b"error 500", "text/plain"),
        }
        return client.post("/portal/tickets/new/", data)

    first, second = post(), post()

    ticket = Ticket.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/portal/tickets/{ticket.number}/"
    assert Attachment.objects.count() == 1
    assert held(funded.customer) == Decimal("1.00")


def test_the_portal_follow_up_posted_twice_opens_one_follow_up(funded, tuesday_morning):
    client = signed_in(make_portal_user(funded))
    closed = ticket_open(channel=Channel.PORTAL, requester=funded, subject="DNS").ticket
    Ticket.objects.filter(pk=closed.pk).update(status=Ticket.Status.CLOSED)
    page = client.get(f"/portal/tickets/{closed.number}/").content.decode()
    key = re.search(r'name="submission_key" value="([0-9a-f-]+)"', page).group(1)
    data = {"subject": "Volvió a fallar", "submission_key": key}

    first = client.post(f"/portal/tickets/{closed.number}/follow-up/", data)
    second = client.post(f"/portal/tickets/{closed.number}/follow-up/", data)

    follow_up = Ticket.objects.get(follows_up=closed)
    assert first["Location"] == second["Location"] == f"/portal/tickets/{follow_up.number}/"


def test_a_malformed_form_key_is_refused_on_the_form_and_opens_nothing(funded, tuesday_morning):
    client = signed_in(make_portal_user(funded))

    refused = client.post(
        "/portal/tickets/new/", {"subject": "Caído", "urgency": "high", "submission_key": "x" * 40}
    )

    assert refused.status_code == 200
    assert 'name="subject" value="Caído"' in refused.text  # the form shown again
    assert "El formulario llegó dañado" in refused.text  # saying why
    assert not Ticket.objects.exists()
    assert held(funded.customer) == Decimal("0.00")

    # with a new key of its own, so that sending it again opens the request
    (key,) = re.findall(r'name="submission_key" value="([^"]*)"', refused.text)
    assert str(uuid.UUID(key)) == key
    opened = client.post(
        "/portal/tickets/new/", {"subject": "Caído", "urgency": "high", "submission_key": key}
    )
    assert opened.status_code == 302
    assert Ticket.objects.count() == 1
