"""Idempotency-Key: the same key and body return the first response and do the work once;
the same key with another body is 422; keys belong to their user."""

from datetime import timedelta

import pytest

from creditdesk.api.models import IdempotencyRecord
from credits.models import LedgerEntry
from tests.api.conftest import assert_error
from tickets.models import ScheduledSession, Ticket


def adjust_url(world) -> str:
    return f"/api/v1/customers/{world.a.customer.pk}/credits/adjustments/"


def adjustments(world) -> int:
    return LedgerEntry.objects.filter(
        account__customer=world.a.customer, kind=LedgerEntry.Kind.ADJUSTMENT
    ).count()


def test_same_key_same_body_answers_the_first_response_and_adjusts_once(world, api):
    client = api(world.finance)
    body = {"credits": "3.00", "reason": "Cortesía por caída"}
    first = client.post(adjust_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(adjust_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert adjustments(world) == 1


def test_same_key_other_body_is_422_and_does_nothing(world, api):
    client = api(world.finance)
    client.post(
        adjust_url(world), {"credits": "3", "reason": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    other = client.post(
        adjust_url(world), {"credits": "4", "reason": "a"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    body = assert_error(other, 422, "idempotency_key_reused")
    assert body["fields"] == {"Idempotency-Key": [body["message"]]}
    assert adjustments(world) == 1


def test_without_a_key_every_request_does_the_work(world, api):
    client = api(world.finance)
    for _ in range(2):
        client.post(adjust_url(world), {"credits": "1", "reason": "a"}, format="json")
    assert adjustments(world) == 2


def test_keys_belong_to_their_user(world, api):
    body = {"credits": "1", "reason": "a"}
    api(world.finance).post(adjust_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    answer = api(world.admin).post(
        adjust_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY="shared"
    )
    assert answer.status_code == 201
    assert "Idempotent-Replayed" not in answer
    assert adjustments(world) == 2


def test_opening_a_ticket_twice_with_one_key_opens_one(world, api):
    client = api(world.a.user)
    body = {"subject": "La VPN no conecta"}
    first = client.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    again = client.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="t-1")
    assert first.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Ticket.objects.filter(subject="La VPN no conecta").count() == 1


def test_a_refusal_is_the_first_response_too(world, api):
    # when a refused request is retried with its key, the same refusal comes back and the
    # intake is not asked again (no second attempt recorded)
    from tickets.models import IntakeAttempt

    client = api(world.agent)  # recording a WhatsApp request the plan does not take
    body = {"subject": "Por WhatsApp", "channel": "whatsapp", "requester": world.a.contact.pk}
    first = client.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="r")
    again = client.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="r")
    assert_error(first, 422, "channel_not_allowed")
    assert again.json() == first.json()
    assert IntakeAttempt.objects.filter(subject="Por WhatsApp").count() == 1


def test_no_show_with_a_key_charges_once_and_replays(world, api, time_machine):
    time_machine.move_to(world.a.session.starts_at + timedelta(minutes=15))
    client = api(world.agent)
    url = f"/api/v1/sessions/{world.a.session.pk}/no-show/"
    first = client.post(url, HTTP_IDEMPOTENCY_KEY="ns")
    again = client.post(url, HTTP_IDEMPOTENCY_KEY="ns")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["entry"]["kind"] == "no_show"
    assert LedgerEntry.objects.filter(kind="no_show").count() == 1
    # without the key, a second call meets the session's own state
    assert_error(client.post(url), 409, "session_not_scheduled")
    assert ScheduledSession.objects.get(pk=world.a.session.pk).status == "no_show"


def test_a_key_still_in_use_is_409(world, api):
    # given a first request with the key that has not finished (its record has no response)
    client = api(world.finance)
    body = {"credits": "1", "reason": "a"}
    from creditdesk.api.idempotency import fingerprint

    class Request:
        method = "POST"
        path = adjust_url(world)
        data = body

    IdempotencyRecord.objects.create(
        user=world.finance,
        key="busy",
        fingerprint=fingerprint(Request),
        method="POST",
        path=Request.path,
    )
    answer = client.post(adjust_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY="busy")
    assert_error(answer, 409, "idempotency_key_in_use")
    assert adjustments(world) == 0


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "ab\x00cd", "a\tb", "clave-ñ"])
def test_unusable_keys_are_400_in_the_readers_language(world, api, key):
    client = api(world.finance)
    body = {"credits": "1", "reason": "a"}
    answer = client.post(adjust_url(world), body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    (spanish,) = assert_error(answer, 400)["fields"]["Idempotency-Key"]
    answer = client.post(
        adjust_url(world),
        body,
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    (english,) = assert_error(answer, 400)["fields"]["Idempotency-Key"]
    assert spanish == "Use de 1 a 255 caracteres ASCII visibles (por ejemplo, un UUID)."
    assert english == "Use 1 to 255 visible ASCII characters (a UUID, for example)."
    assert adjustments(world) == 0
    assert not IdempotencyRecord.objects.exists()


def test_a_throttled_request_is_not_remembered(world, api, settings):
    # a 429 is not the answer to keep: once the rate allows, the same key does the work
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"auth_failure": None, "intake": "1/min"}
    }
    client = api(world.a.user)
    client.post("/api/v1/tickets/", {"subject": "uno"}, format="json")
    throttled = client.post(
        "/api/v1/tickets/", {"subject": "dos"}, format="json", HTTP_IDEMPOTENCY_KEY="later"
    )
    assert_error(throttled, 429, "throttled")
    assert not IdempotencyRecord.objects.filter(key="later").exists()
