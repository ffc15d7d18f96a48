"""Agents' tools through the pages and the API: attachments (portal, workspace, API) with
downloads and previews behind the ticket's access rules, canned replies in the reply box,
"Asignarme" and an assignee list of agents only."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.api.conftest import Side, World, assert_error, client_for, world  # noqa: F401
from tests.api.test_access_matrix import role_user
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tickets.models import Attachment, CannedReply, Message, Ticket
from tickets.services.attachments import message_with_attachments
from tickets.services.canned import canned_reply_save
from tickets.services.lifecycle import ticket_agent_reply, ticket_customer_reply

ROLES = ["contact", "manager", "agent", "finance", "admin"]


def png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, "PNG")
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def attach(side: Side, *, internal=False, by=None, name="captura.png", content=None) -> Attachment:
    write = (
        (lambda: ticket_agent_reply(side.ticket, by=by, body="Nota", public=False))
        if internal
        else (lambda: ticket_customer_reply(side.ticket, contact=side.contact, body="Adjunto"))
    )
    message = message_with_attachments(files=[upload(name, content or png())], write=write)
    return message.attachments.get()


@pytest.fixture
def files(world):  # noqa: F811
    return {
        "own": attach(world.a),
        "own_internal": attach(
            world.a, internal=True, by=world.agent, name="nota.txt", content=b"solo personal\n"
        ),
        "other": attach(world.b),
    }


# role -> (own customer's, own internal note's, other customer's)
DOWNLOADS = {
    "contact": (200, 404, 404),
    "manager": (200, 200, 404),
    "agent": (200, 200, 200),
    "finance": (200, 200, 200),
    "admin": (200, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_downloads_follow_the_tickets_access_rules(world, files, role):  # noqa: F811
    browser = Client()
    browser.force_login(role_user(world, role))
    for key, expected in zip(("own", "own_internal", "other"), DOWNLOADS[role], strict=True):
        answer = browser.get(f"/attachments/{files[key].pk}/")
        assert answer.status_code == expected, (role, key)
        if expected == 200:
            assert answer["Content-Disposition"].startswith("attachment;")
            assert answer["X-Content-Type-Options"] == "nosniff"
            assert b"".join(answer.streaming_content) == files[key].file.open("rb").read()
    assert browser.get("/attachments/987654/").status_code == 404


def test_previews_are_small_images_only_for_images_and_checked_the_same(world, files):  # noqa: F811
    contact = Client()
    contact.force_login(world.a.user)
    answer = contact.get(f"/attachments/{files['own'].pk}/preview/")
    assert answer.status_code == 200
    assert answer["Content-Type"] in {"image/png", "image/jpeg"}
    assert Image.open(io.BytesIO(answer.content)).size == (64, 48)
    assert contact.get(f"/attachments/{files['other'].pk}/preview/").status_code == 404
    agent = Client()
    agent.force_login(world.agent)
    assert agent.get(f"/attachments/{files['own_internal'].pk}/preview/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world, files):  # noqa: F811
    answer = Client().get(f"/attachments/{files['own'].pk}/")
    assert answer.status_code == 302
    assert "/accounts/login/" in answer["Location"]
    assert Client().get(f"/attachments/{files['own'].pk}/preview/").status_code == 302


def test_the_portal_reply_and_the_new_request_take_files(world):  # noqa: F811
    browser = Client()
    browser.force_login(world.a.user)
    ticket = world.a.ticket
    answer = browser.post(
        f"/portal/tickets/{ticket.number}/reply/",
        {"body": "Adjunto la captura", "attachments": [upload("pantalla.png", png())]},
    )
    assert answer.status_code == 302
    message = ticket.messages.order_by("pk").last()
    assert message.attachments.get().filename == "pantalla.png"
    page = browser.get(f"/portal/tickets/{ticket.number}/")
    assert f"/attachments/{message.attachments.get().pk}/preview/" in page.content.decode()

    answer = browser.post(
        "/portal/tickets/new/",
        {
            "subject": "Correo caído",
            "description": "Adjunto el registro",
            "urgency": "medium",
            "attachments": [upload("registro.txt", b"550 rejected\n")],
        },
    )
    assert answer.status_code == 302, answer.content[:2000]
    new = Ticket.objects.filter(customer=world.a.customer).order_by("-pk").first()
    assert new.messages.get().attachments.get().content_type == "text/plain"


def test_a_refused_file_is_shown_on_the_field_and_nothing_is_written(world):  # noqa: F811
    browser = Client()
    browser.force_login(world.a.user)
    before = Message.objects.count()
    answer = browser.post(
        f"/portal/tickets/{world.a.ticket.number}/reply/",
        {"body": "Adjunto", "attachments": [upload("factura.pdf", png())]},
    )
    assert answer.status_code == 200
    assert "no corresponde a su extensión" in answer.content.decode()
    assert Message.objects.count() == before
    assert not Attachment.objects.exists()


def test_the_workspace_reply_takes_files_and_inserts_canned_replies(world):  # noqa: F811
    reply = canned_reply_save(
        CannedReply(title="Acuse", body="Hola {cliente}, su solicitud {ticket}.", language="es")
    )
    canned_reply_save(CannedReply(title="Ack", body="Hi {customer}", language="en"))
    browser = Client()
    browser.force_login(world.agent)
    ticket = world.a.ticket
    page = browser.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    expected = f"Hola {world.a.customer.legal_name}, su solicitud {ticket.number}."
    assert f'data-insert-text="{expected}"' in page
    assert 'data-insert-target="id_body" data-insert-from="id_canned"' in page
    assert page.index("Acuse") < page.index("Ack")  # the customer's language first

    # without JavaScript, "Insertar" posts the form and comes back with the text inserted
    answer = browser.post(
        f"/workspace/tickets/{ticket.number}/reply/",
        {"body": "Buenos días.", "kind": "public", "canned": reply.pk, "insert_canned": "1"},
    )
    assert answer.status_code == 200
    assert f"Buenos días.\n\n{expected}</textarea>" in answer.content.decode()
    assert not ticket.messages.filter(author_user=world.agent).exists()

    answer = browser.post(
        f"/workspace/tickets/{ticket.number}/reply/",
        {"body": expected, "kind": "public", "attachments": [upload("captura.png", png())]},
    )
    assert answer.status_code == 302
    sent = ticket.messages.get(author_user=world.agent)
    assert sent.attachments.get().is_image


def test_assign_to_me_from_the_queue_and_the_ticket(world):  # noqa: F811
    browser = Client()
    browser.force_login(world.agent)
    ticket = world.a.ticket
    queue = browser.get("/workspace/").content.decode()
    assert f"Asignarme {ticket.number}" in queue
    answer = browser.post(
        f"/workspace/tickets/{ticket.number}/assign/", {"me": "1", "back": "queue"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == "/workspace/"
    ticket.refresh_from_db()
    assert ticket.assignee == world.agent
    assert f"Asignarme {ticket.number}" not in browser.get("/workspace/").content.decode()

    # an account manager answers tickets but works none: not offered, and refused
    manager = Client()
    manager.force_login(world.a.manager)
    assert "Asignarme" not in manager.get("/workspace/").content.decode()
    answer = manager.post(f"/workspace/tickets/{ticket.number}/assign/", {"me": "1"})
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == world.agent


def test_the_assignee_list_offers_agents_only(world):  # noqa: F811
    browser = Client()
    browser.force_login(world.admin)
    page = browser.get(f"/workspace/tickets/{world.a.ticket.number}/").content.decode()
    select = page[
        page.index('name="assignee"') : page.index("</select>", page.index('name="assignee"'))
    ]
    assert f'value="{world.agent.pk}"' in select
    assert f'value="{world.admin.pk}"' in select
    for user in (world.finance, world.a.manager, world.a.user):
        assert f'value="{user.pk}"' not in select
    answer = browser.post(
        f"/workspace/tickets/{world.a.ticket.number}/assign/", {"assignee": world.finance.pk}
    )
    assert answer.status_code == 200
    world.a.ticket.refresh_from_db()
    assert world.a.ticket.assignee is None


# The API.


def test_api_multipart_upload_by_staff_and_contact_and_download(world):  # noqa: F811
    agent = client_for(world.agent)
    ticket = world.a.ticket
    answer = agent.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"body": "Vea la captura", "attachments": [upload("captura.png", png())]},
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    [attachment] = answer.json()["attachments"]
    assert attachment["filename"] == "captura.png"
    assert attachment["content_type"] == "image/png"
    assert attachment["is_image"] is True

    contact = client_for(world.a.user)
    answer = contact.post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {
            "body": "Y el registro",
            "attachments": [upload("a.txt", b"uno\n"), upload("b.log", b"dos\n")],
        },
        format="multipart",
    )
    assert answer.status_code == 201, answer.content
    assert [a["filename"] for a in answer.json()["attachments"]] == ["a.txt", "b.log"]
    download = contact.get(attachment["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png()

    listed = contact.get(f"/api/v1/tickets/{ticket.pk}/messages/").json()["results"]
    assert sum(len(m["attachments"]) for m in listed) == 3

    # another customer's contact: 404 as for a missing id
    other = client_for(world.b.user)
    assert other.get(attachment["download"]).status_code == 404
    assert other.get(f"/api/v1/attachments/{attachment['id']}/").status_code == 404
    assert client_for(world.finance).get(attachment["download"]).status_code == 200
    assert client_for(None).get(attachment["download"]).status_code == 401


def test_api_refuses_bad_files_with_their_code_and_writes_nothing(world, settings):  # noqa: F811
    settings.ATTACHMENT_MAX_BYTES = 1000
    contact = client_for(world.a.user)
    url = f"/api/v1/tickets/{world.a.ticket.pk}/messages/"
    before = Message.objects.count()
    cases = [
        ("programa.exe", b"MZ\x90\x00" + b"\x00" * 40, "attachment_type_refused"),
        ("foto.png", b"%PDF-1.4\n", "attachment_type_mismatch"),
        ("grande.txt", b"a" * 1001, "attachment_too_large"),
    ]
    for name, content, code in cases:
        answer = contact.post(
            url,
            {"body": "x", "attachments": [upload(name, content)]},
            format="multipart",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        body = assert_error(answer, 400, code)
        assert body["fields"]["attachments"]
    assert Message.objects.count() == before


def test_api_lists_canned_replies_to_staff_only(world):  # noqa: F811
    canned_reply_save(CannedReply(title="Acuse", body="Hola {cliente}", language="es"))
    canned_reply_save(CannedReply(title="Ack", body="Hi {customer}", language="en"))
    agent = client_for(world.agent)
    assert [r["title"] for r in agent.get("/api/v1/canned-replies/").json()["results"]] == [
        "Ack",
        "Acuse",
    ]
    spanish = agent.get("/api/v1/canned-replies/?language=es").json()["results"]
    assert [r["body"] for r in spanish] == ["Hola {cliente}"]
    assert client_for(world.a.user).get("/api/v1/canned-replies/").status_code == 403
    assert client_for(world.finance).get("/api/v1/canned-replies/").status_code == 403


def test_api_assignee_must_be_an_agent(world):  # noqa: F811
    staff = client_for(world.a.manager)
    url = f"/api/v1/tickets/{world.a.ticket.pk}/assign/"
    assert staff.post(url, {"assignee": world.finance.pk}, format="json").status_code == 400
    assert staff.post(url, {"assignee": world.agent.pk}, format="json").status_code == 200
