"""The status page in the API: everyone signed in reads it, `STATUS_AUTHORS` write it;
refusals in the one error shape; ticket links only to tickets the caller may see."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from statuspage.models import Component, Incident, IncidentUpdateMessage, Maintenance
from tests.api.conftest import assert_error, client_for, world  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def component(db):
    return Component.objects.create(code="web", name="Hosting web", name_en="Web hosting")


def _publish(user, component, **overrides):
    body = {
        "title": "Hosting caído",
        "title_en": "Hosting down",
        "impact": "major_outage",
        "components": [component.code],
        "body": "Investigamos.",
    } | overrides
    return client_for(user).post("/api/v1/status/incidents/", body, format="json")


def test_every_role_reads_the_status_document_and_components(world, component):  # noqa: F811
    for user in (world.a.user, world.agent, world.finance, world.admin):
        answer = client_for(user).get("/api/v1/status/")
        assert answer.status_code == 200
        assert answer.json()["status"] == "operational"
        components = client_for(user).get("/api/v1/status/components/")
        assert [c["code"] for c in components.json()["results"]] == ["web"]
    assert client_for(None).get("/api/v1/status/").status_code == 401


def test_an_agent_publishes_updates_and_resolves_through_the_api(world, component):  # noqa: F811
    answer = _publish(world.agent, component)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["state"], body["components"], body["title_es"]) == (
        "investigating",
        ["web"],
        "Hosting caído",
    )
    agent = client_for(world.agent)
    url = f"/api/v1/status/incidents/{body['id']}/"

    updated = agent.post(
        url + "updates/", {"state": "identified", "impact": "partial_outage", "body": "Disco."}
    )
    assert updated.status_code == 201
    assert (updated.json()["state"], updated.json()["impact"]) == ("identified", "partial_outage")
    resolved = agent.post(url + "updates/", {"state": "resolved", "body": "Listo."})
    assert resolved.json()["resolved_at"] is not None
    assert len(resolved.json()["updates"]) == 3

    again = agent.post(url + "updates/", {"state": "monitoring", "body": "¿Otra vez?"})
    refusal = assert_error(again, 409, "incident_resolved")
    assert "state" in refusal["fields"]


@pytest.mark.parametrize("role", ["contact", "finance"])
def test_contacts_and_finance_may_not_write(world, component, role):  # noqa: F811
    user = world.a.user if role == "contact" else world.finance
    assert_error(_publish(user, component), 403)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"components": ["nope"]}, "components", "invalid_input"),
        ({"components": []}, "components", "components_required"),
        ({"impact": "huge"}, "impact", "invalid_input"),
        ({"state": "resolved"}, "state", "invalid_input"),
        ({"title": "x" * 201}, "title", "invalid_input"),
        ({"started_at": "9999-12-31T23:59:59-14:00"}, "started_at", "invalid_input"),
        ({"started_at": "2020-01-01T00:00:00Z"}, "started_at", "instant_out_of_window"),
    ],
)
def test_bad_input_is_400_naming_the_field(world, component, overrides, field, code):  # noqa: F811
    body = assert_error(_publish(world.agent, component, **overrides), 400, code)
    assert field in body["fields"]
    assert not Incident.objects.exists()


def test_refusals_speak_english_when_asked(world, component):  # noqa: F811
    answer = client_for(world.agent).post(
        "/api/v1/status/incidents/",
        {"title": "X", "impact": "major_outage", "components": [], "body": "Y"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(answer, 400, "components_required")
    assert body["message"] == "Choose at least one visible component of the status page."


def test_tickets_are_linked_within_the_callers_scope(world, component):  # noqa: F811
    incident_id = _publish(world.agent, component).json()["id"]
    url = f"/api/v1/status/incidents/{incident_id}/"
    manager = client_for(world.a.manager)

    other = manager.post(url + "link-ticket/", {"ticket": world.b.ticket.pk})
    assert "ticket" in assert_error(other, 400)["fields"]
    own = manager.post(url + "link-ticket/", {"ticket": world.a.ticket.pk})
    assert own.status_code == 200
    assert own.json()["linked_tickets"] == [world.a.ticket.number]
    client_for(world.agent).post(url + "link-ticket/", {"ticket": world.b.ticket.pk})

    # each reader sees only the linked tickets it may see
    assert client_for(world.a.user).get(url).json()["linked_tickets"] == [world.a.ticket.number]
    assert client_for(world.b.user).get(url).json()["linked_tickets"] == [world.b.ticket.number]
    assert sorted(client_for(world.agent).get(url).json()["linked_tickets"]) == sorted(
        [world.a.ticket.number, world.b.ticket.number]
    )
    assert_error(client_for(world.a.user).post(url + "link-ticket/", {"ticket": 1}), 403)

    unlinked = manager.post(url + "unlink-ticket/", {"ticket": world.a.ticket.pk})
    assert unlinked.json()["linked_tickets"] == []


def test_an_update_is_sent_to_the_linked_tickets_once(world, component):  # noqa: F811
    agent = client_for(world.agent)
    incident = _publish(world.agent, component).json()
    url = f"/api/v1/status/incidents/{incident['id']}/"
    agent.post(url + "link-ticket/", {"ticket": world.a.ticket.pk})
    agent.post(url + "link-ticket/", {"ticket": world.b.ticket.pk})
    update_id = incident["updates"][0]["id"]

    sent = agent.post(url + "send-update/", {"update": update_id})
    again = agent.post(url + "send-update/", {"update": update_id})

    assert sent.status_code == 200
    assert sorted(sent.json()["sent_to"]) == sorted([world.a.ticket.number, world.b.ticket.number])
    assert again.json() == {"sent_to": []}
    assert IncidentUpdateMessage.objects.count() == 2
    other = _publish(world.agent, component).json()
    foreign = agent.post(url + "send-update/", {"update": other["updates"][0]["id"]})
    assert "update" in assert_error(foreign, 400)["fields"]


def test_incidents_are_filtered_by_state(world, component):  # noqa: F811
    first = _publish(world.agent, component).json()
    _publish(world.agent, component)
    client_for(world.agent).post(
        f"/api/v1/status/incidents/{first['id']}/updates/", {"state": "resolved", "body": "Ok."}
    )
    reader = client_for(world.a.user)

    resolved = reader.get("/api/v1/status/incidents/", {"state": "resolved"}).json()
    assert [row["id"] for row in resolved["results"]] == [first["id"]]
    assert_error(reader.get("/api/v1/status/incidents/", {"state": "\x00"}), 400)


@time_machine.travel(NOW, tick=False)
def test_maintenance_is_scheduled_and_cancelled(world, component):  # noqa: F811
    agent = client_for(world.agent)
    body = {
        "title": "Discos",
        "components": ["web"],
        "starts_at": (NOW + timedelta(days=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=1, hours=2)).isoformat(),
    }

    refused = agent.post(
        "/api/v1/status/maintenance/", body | {"ends_at": body["starts_at"]}, format="json"
    )
    assert_error(refused, 400, "maintenance_ends_before_start")
    created = agent.post("/api/v1/status/maintenance/", body, format="json")
    assert created.status_code == 201, created.json()
    cancelled = agent.post(f"/api/v1/status/maintenance/{created.json()['id']}/cancel/")
    assert cancelled.json()["cancelled_at"] is not None
    assert_error(client_for(world.a.user).post("/api/v1/status/maintenance/", body), 403)
    listed = client_for(world.a.user).get("/api/v1/status/maintenance/").json()
    assert [row["title"] for row in listed["results"]] == ["Discos"]
    assert Maintenance.objects.count() == 1


def test_a_ticket_is_not_linked_to_a_resolved_incident(world, component):  # noqa: F811
    agent = client_for(world.agent)
    incident_id = _publish(world.agent, component).json()["id"]
    url = f"/api/v1/status/incidents/{incident_id}/"
    agent.post(url + "link-ticket/", {"ticket": world.a.ticket.pk})
    agent.post(url + "updates/", {"state": "resolved", "body": "Listo."})

    refused = agent.post(url + "link-ticket/", {"ticket": world.b.ticket.pk})
    again = agent.post(url + "link-ticket/", {"ticket": world.a.ticket.pk})

    assert "incident" in assert_error(refused, 409, "incident_resolved")["fields"]
    assert again.status_code == 200
    assert again.json()["linked_tickets"] == [world.a.ticket.number]


def test_only_the_latest_update_is_sent(world, component):  # noqa: F811
    agent = client_for(world.agent)
    incident = _publish(world.agent, component).json()
    url = f"/api/v1/status/incidents/{incident['id']}/"
    agent.post(url + "link-ticket/", {"ticket": world.a.ticket.pk})
    resolved = agent.post(url + "updates/", {"state": "resolved", "body": "Listo."}).json()

    old = agent.post(url + "send-update/", {"update": incident["updates"][0]["id"]})
    latest = agent.post(url + "send-update/", {"update": resolved["updates"][-1]["id"]})

    assert "update" in assert_error(old, 409, "incident_update_superseded")["fields"]
    assert latest.json() == {"sent_to": [world.a.ticket.number]}
    assert IncidentUpdateMessage.objects.get().update_id == resolved["updates"][-1]["id"]


@time_machine.travel(NOW, tick=False)
def test_an_update_takes_the_time_of_the_change(world, component):  # noqa: F811
    started = NOW - timedelta(days=3)
    incident = _publish(world.agent, component, started_at=started.isoformat()).json()
    url = f"/api/v1/status/incidents/{incident['id']}/updates/"
    agent = client_for(world.agent)

    future = agent.post(
        url, {"state": "resolved", "body": "Listo.", "at": "2026-03-10T16:00:00Z"}, format="json"
    )
    early = agent.post(
        url, {"state": "resolved", "body": "Listo.", "at": "2026-03-06T10:00:00Z"}, format="json"
    )
    garbage = agent.post(url, {"state": "resolved", "body": "Listo.", "at": "ayer"}, format="json")
    resolved = agent.post(
        url, {"state": "resolved", "body": "Listo.", "at": "2026-03-07T17:00:00Z"}, format="json"
    )

    assert "at" in assert_error(future, 400, "instant_out_of_window")["fields"]
    assert "at" in assert_error(early, 400, "instant_out_of_window")["fields"]
    assert "at" in assert_error(garbage, 400, "invalid_input")["fields"]
    assert resolved.status_code == 201, resolved.json()
    assert resolved.json()["resolved_at"] == "2026-03-07T17:00:00Z"
    assert [u["at"] for u in resolved.json()["updates"]] == [
        "2026-03-07T15:00:00Z",
        "2026-03-07T17:00:00Z",
    ]
