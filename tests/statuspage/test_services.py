"""Publishing incidents and maintenance: bounds checked before anything is written, each
refusal with its code and both languages; updates move the state; sending an update to the
linked tickets posts one agent message per open ticket, once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from contracts.models import Channel
from core.errors import CreditdeskError
from statuspage import services
from statuspage.models import Impact, Incident, IncidentUpdateMessage, Maintenance, State
from tests.factories import make_contact
from tests.web.conftest import top_up
from tickets.models import Message, Ticket
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_resolve, ticket_transition

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
NAIVE = NOW.replace(tzinfo=None)


def _open(catalogue, **overrides):
    fields = {
        "title": "Correo caído",
        "title_en": "Email down",
        "body": "Investigamos fallas de envío.",
        "body_en": "We are looking into failed sends.",
        "impact": Impact.MAJOR,
        "components": [catalogue.mail_component],
    } | overrides
    return services.incident_open(**fields)


def _refusal(call) -> CreditdeskError:
    with pytest.raises(CreditdeskError) as caught:
        call()
    return caught.value


@time_machine.travel(NOW, tick=False)
def test_an_incident_is_published_with_its_first_update(catalogue, shop):
    incident = _open(catalogue, by=shop.agent)

    assert incident.state == State.INVESTIGATING
    assert incident.started_at == NOW
    assert incident.opened_by == shop.agent
    [update] = incident.updates.all()
    assert (update.state, update.impact, update.at) == (State.INVESTIGATING, Impact.MAJOR, NOW)
    assert update.body_in("en") == "We are looking into failed sends."
    assert list(incident.components.all()) == [catalogue.mail_component]


@pytest.mark.parametrize(
    ("overrides", "code", "field", "english"),
    [
        ({"title": "   "}, "text_required", "title", "Write the text."),
        ({"title": "x" * 201}, "text_too_long", "title", "At most 200 characters (it has 201)."),
        ({"body": "y" * 5001}, "text_too_long", "body", "At most 5000 characters"),
        ({"body": "A\x00B"}, "text_control_characters", "body", "invisible control"),
        ({"title": "Caída\x0bparcial"}, "text_control_characters", "title", "invisible control"),
        ({"body_en": "Down\x01"}, "text_control_characters", "body_en", "invisible control"),
        ({"impact": "apocalypse"}, "unknown_choice", "impact", "'apocalypse' is not valid"),
        ({"state": State.RESOLVED}, "unknown_choice", "state", "'resolved' is not valid"),
        ({"components": []}, "components_required", "components", "at least one visible"),
        ({"started_at": NOW + timedelta(hours=1)}, "instant_out_of_window", "started_at", "must"),
        ({"started_at": NOW - timedelta(days=31)}, "instant_out_of_window", "started_at", "must"),
        ({"started_at": NAIVE}, "naive_datetime", "started_at", "no time"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_bounds_are_refused_naming_the_field_in_both_languages(
    catalogue, overrides, code, field, english
):
    error = _refusal(lambda: _open(catalogue, **overrides))

    assert (error.code, error.field) == (code, field)
    assert english in error.message("en")
    assert error.message("es") != error.message("en")
    assert not Incident.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_hidden_component_cannot_be_named(catalogue):
    catalogue.vps_component.is_active = False
    catalogue.vps_component.save()

    error = _refusal(lambda: _open(catalogue, components=[catalogue.vps_component]))

    assert error.code == "components_required"
    assert "componente visible" in error.message("es")


def test_updates_move_the_state_and_impact_and_resolving_stamps_the_end(catalogue, shop):
    with time_machine.travel(NOW, tick=False):
        incident = _open(catalogue)
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        services.incident_update_post(
            incident, state=State.IDENTIFIED, impact=Impact.PARTIAL, body="Disco lleno."
        )
    incident.refresh_from_db()
    assert (incident.state, incident.impact, incident.resolved_at) == (
        State.IDENTIFIED,
        Impact.PARTIAL,
        None,
    )
    with time_machine.travel(NOW + timedelta(minutes=40), tick=False):
        services.incident_update_post(incident, state=State.MONITORING, body="Sigue igual.")
        services.incident_update_post(incident, state=State.IDENTIFIED, body="No alcanzó.")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        services.incident_update_post(incident, state=State.RESOLVED, body="Resuelto.")

    incident.refresh_from_db()
    assert incident.state == State.RESOLVED
    assert incident.impact == Impact.PARTIAL  # an update without impact keeps it
    assert incident.resolved_at == NOW + timedelta(hours=1)
    assert incident.updates.count() == 5


@time_machine.travel(NOW, tick=False)
def test_a_resolved_incident_takes_no_more_updates(catalogue):
    incident = _open(catalogue)
    services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")

    error = _refusal(
        lambda: services.incident_update_post(incident, state=State.MONITORING, body="¿Otra vez?")
    )

    assert error.code == "incident_resolved"
    assert error.field == "state"
    assert error.message("es").startswith("El incidente «Correo caído» ya está resuelto")
    assert error.message("en").startswith("Incident 'Correo caído' is already resolved")
    assert incident.updates.count() == 2


def test_an_update_with_a_bad_state_writes_nothing(catalogue):
    incident = _open(catalogue)

    error = _refusal(lambda: services.incident_update_post(incident, state="gone", body="x"))

    assert error.code == "unknown_choice"
    assert incident.updates.count() == 1


def test_linking_twice_is_one_link_and_unlinking_removes_it(catalogue, shop):
    top_up(shop.customer, "5")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Sin correo"
    ).ticket
    incident = _open(catalogue)

    first = services.incident_ticket_link(incident, ticket, by=shop.agent)
    again = services.incident_ticket_link(incident, ticket, by=shop.agent)

    assert first.pk == again.pk
    assert list(incident.tickets.all()) == [ticket]
    assert services.incident_ticket_unlink(incident, ticket) is True
    assert services.incident_ticket_unlink(incident, ticket) is False
    assert not incident.tickets.exists()


def _tickets(shop, count: int) -> list[Ticket]:
    top_up(shop.customer, str(2 * count + 2))
    return [
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {n}").ticket
        for n in range(count)
    ]


def test_an_update_is_sent_once_to_every_open_linked_ticket_as_an_agent_message(
    catalogue, shop, django_capture_on_commit_callbacks
):
    english = make_contact(shop.customer, name="Bob", email="bob@hotel.example", language="en")
    first, second, done = _tickets(shop, 3)
    in_english = ticket_open(channel=Channel.PORTAL, requester=english, subject="No mail").ticket
    ticket_transition(done, to_status=Ticket.Status.IN_PROGRESS, by=shop.agent)
    ticket_resolve(done, by=shop.agent, reason="Otro asunto")
    incident = _open(catalogue)
    for ticket in (first, second, done, in_english):
        services.incident_ticket_link(incident, ticket, by=shop.agent)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        update = services.incident_update_post(
            incident,
            state=State.IDENTIFIED,
            body="El servidor de correo se reinicia.",
            body_en="The mail server is restarting.",
            send_to_tickets=True,
            by=shop.agent,
        )

    sent = IncidentUpdateMessage.objects.filter(update=update)
    assert {row.ticket_id for row in sent} == {first.pk, second.pk, in_english.pk}
    message = Message.objects.get(ticket=first, pk__in=sent.values("message"))
    assert message.direction == Message.Direction.OUTBOUND
    assert message.author_user == shop.agent
    assert "Correo caído" in message.body
    assert "El servidor de correo se reinicia." in message.body
    assert f"/status/incidents/{incident.pk}/" in message.body
    english_message = Message.objects.get(ticket=in_english, pk__in=sent.values("message"))
    assert english_message.body.startswith("Service status: Email down")
    assert "The mail server is restarting." in english_message.body
    assert not Message.objects.filter(ticket=done, body__contains="reinicia").exists()
    # each requester is mailed, as a task, like any agent reply
    recipients = sorted(address for sent_mail in mail.outbox for address in sent_mail.to)
    assert recipients == ["ana@hotel.example", "ana@hotel.example", "bob@hotel.example"]
    first.refresh_from_db()
    assert first.first_response_at is not None  # a public reply, as any other

    # sending the same update again tells nobody twice
    with django_capture_on_commit_callbacks(execute=True):
        again = services.incident_update_send(update, by=shop.agent)
    assert again == []
    assert IncidentUpdateMessage.objects.filter(update=update).count() == 3
    assert len(mail.outbox) == 3

    # a ticket linked later gets it when it is sent again
    late = _tickets(shop, 1)[0]
    services.incident_ticket_link(incident, late, by=shop.agent)
    [told] = services.incident_update_send(update, by=shop.agent)
    assert told.ticket_id == late.pk


@time_machine.travel(NOW, tick=False)
def test_maintenance_is_scheduled_within_its_bounds(catalogue, shop):
    maintenance = services.maintenance_schedule(
        title="Cambio de discos",
        components=[catalogue.hosting_component],
        starts_at=NOW + timedelta(days=2),
        ends_at=NOW + timedelta(days=2, hours=2),
        by=shop.agent,
    )
    assert maintenance.scheduled_at == NOW
    assert list(maintenance.components.all()) == [catalogue.hosting_component]


@pytest.mark.parametrize(
    ("starts", "ends", "code", "field"),
    [
        (timedelta(hours=2), timedelta(hours=1), "maintenance_ends_before_start", "ends_at"),
        (timedelta(hours=2), timedelta(hours=2), "maintenance_ends_before_start", "ends_at"),
        (timedelta(hours=1), timedelta(days=8, hours=1), "maintenance_too_long", "ends_at"),
        (timedelta(hours=-3), timedelta(hours=-1), "instant_out_of_window", "ends_at"),
        (timedelta(days=400), timedelta(days=400, hours=1), "instant_out_of_window", "starts_at"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_maintenance_bounds_are_refused(catalogue, starts, ends, code, field):
    error = _refusal(
        lambda: services.maintenance_schedule(
            title="Ventana",
            components=[catalogue.hosting_component],
            starts_at=NOW + starts,
            ends_at=NOW + ends,
        )
    )
    assert (error.code, error.field) == (code, field)
    assert error.message("es") != error.message("en")
    assert not Maintenance.objects.exists()


def test_maintenance_is_cancelled_once_and_not_after_it_ended(catalogue, shop):
    with time_machine.travel(NOW, tick=False):
        maintenance = services.maintenance_schedule(
            title="Ventana",
            components=[catalogue.hosting_component],
            starts_at=NOW + timedelta(hours=1),
            ends_at=NOW + timedelta(hours=2),
        )
        services.maintenance_cancel(maintenance, by=shop.agent)
        cancelled_at = maintenance.cancelled_at
        services.maintenance_cancel(maintenance, by=shop.agent)
        assert maintenance.cancelled_at == cancelled_at == NOW
        other = services.maintenance_schedule(
            title="Otra",
            components=[catalogue.hosting_component],
            starts_at=NOW + timedelta(hours=1),
            ends_at=NOW + timedelta(hours=2),
        )
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        error = _refusal(lambda: services.maintenance_cancel(other))
    assert error.code == "maintenance_over"
    assert "already over" in error.message("en")


def test_a_ticket_is_not_linked_to_a_resolved_incident_and_linking_again_changes_nothing(
    catalogue, shop
):
    linked, late = _tickets(shop, 2)
    incident = _open(catalogue)
    first = services.incident_ticket_link(incident, linked, by=shop.agent)
    services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")

    error = _refusal(lambda: services.incident_ticket_link(incident, late, by=shop.agent))

    assert (error.code, error.field) == ("incident_resolved", "incident")
    assert "Correo caído" in error.message("es")
    assert "already resolved" in error.message("en")
    assert list(incident.tickets.all()) == [linked]
    assert services.incident_ticket_link(incident, linked, by=shop.agent).pk == first.pk


def test_only_the_latest_update_is_sent_and_sending_it_again_tells_nobody_twice(catalogue, shop):
    with time_machine.travel(NOW, tick=False):
        [ticket] = _tickets(shop, 1)
        incident = _open(catalogue)
        services.incident_ticket_link(incident, ticket, by=shop.agent)
        investigating = incident.updates.get()
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        resolved = services.incident_update_post(incident, state=State.RESOLVED, body="Listo.")

    error = _refusal(lambda: services.incident_update_send(investigating, by=shop.agent))

    assert (error.code, error.field) == ("incident_update_superseded", "update")
    assert "Correo caído" in error.message("es")
    assert error.message("es") != error.message("en")
    assert not IncidentUpdateMessage.objects.exists()
    assert not Message.objects.filter(ticket=ticket, body__contains="Investigamos").exists()
    [told] = services.incident_update_send(resolved, by=shop.agent)
    assert told.ticket_id == ticket.pk
    assert services.incident_update_send(resolved, by=shop.agent) == []


def test_an_update_may_name_when_the_change_happened(catalogue, shop):
    started = NOW - timedelta(days=3)
    with time_machine.travel(NOW, tick=False):
        [ticket] = _tickets(shop, 1)
        incident = _open(catalogue, started_at=started)
        services.incident_ticket_link(incident, ticket, by=shop.agent)
        identified = services.incident_update_post(
            incident, state=State.IDENTIFIED, body="Disco.", at=started + timedelta(hours=1)
        )
        resolved = services.incident_update_post(
            incident,
            state=State.RESOLVED,
            body="Listo.",
            at=started + timedelta(hours=2),
            send_to_tickets=True,
            by=shop.agent,
        )

    incident.refresh_from_db()
    # the first update is of the incident's start, when the state it names began
    assert [u.at for u in incident.updates.all()] == [
        started,
        started + timedelta(hours=1),
        started + timedelta(hours=2),
    ]
    assert identified.at == started + timedelta(hours=1)
    assert resolved.at == started + timedelta(hours=2)
    assert incident.resolved_at == started + timedelta(hours=2)
    # the requester is told now, not when the change happened
    sent = IncidentUpdateMessage.objects.get(update=resolved, ticket=ticket)
    assert sent.at == NOW
    assert Message.objects.get(pk=sent.message_id).created_at == NOW


@pytest.mark.parametrize(
    ("at", "english"),
    [
        (NOW + timedelta(minutes=5), "must be between"),
        (NOW - timedelta(days=4), "must be between"),  # before the incident started
        (NOW - timedelta(days=3) + timedelta(minutes=30), "must be between"),  # before the last
        (datetime(1800, 1, 1, tzinfo=UTC), "must be between"),
        (NAIVE, "no time"),
    ],
)
def test_an_updates_time_out_of_bounds_is_refused_naming_it_and_writes_nothing(
    catalogue, at, english
):
    started = NOW - timedelta(days=3)
    with time_machine.travel(NOW, tick=False):
        incident = _open(catalogue, started_at=started)
        services.incident_update_post(
            incident, state=State.IDENTIFIED, body="Disco.", at=started + timedelta(hours=1)
        )

        error = _refusal(
            lambda: services.incident_update_post(
                incident, state=State.RESOLVED, body="Listo.", at=at
            )
        )

    assert error.field == "at"
    assert english in error.message("en")
    assert error.message("es") != error.message("en")
    incident.refresh_from_db()
    assert (incident.state, incident.resolved_at) == (State.IDENTIFIED, None)
    assert incident.updates.count() == 2


def test_an_updates_time_a_moment_ahead_is_read_as_now(catalogue):
    with time_machine.travel(NOW, tick=False):
        incident = _open(catalogue)
        update = services.incident_update_post(
            incident, state=State.RESOLVED, body="Listo.", at=NOW + timedelta(seconds=20)
        )
    assert update.at == NOW
