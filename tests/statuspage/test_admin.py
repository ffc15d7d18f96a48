"""The status page in the admin, with Spanish labels: publishing goes through the services
(a refusal lands on the form, nothing is saved), updates are posted and never edited,
maintenance is cancelled by an action."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from statuspage import services
from statuspage.models import Component, Impact, Incident, IncidentUpdate, Maintenance, State
from tests.factories import make_staff_user

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture
def admin_client(db) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(make_staff_user(username="raiz"))
    return client


def _text(answer) -> str:
    return re.sub(r"\s+", " ", answer.content.decode())


def test_the_admin_lists_the_status_page_in_spanish(admin_client, catalogue):
    index = _text(admin_client.get("/admin/"))
    assert "Estado del servicio" in index
    assert "Mantenimientos programados" in index
    form = _text(admin_client.get("/admin/statuspage/incident/add/"))
    assert "Componentes afectados" in form
    assert "Primer mensaje" in form


def _incident_data(catalogue, **changes) -> dict:
    return {
        "title": "Correo lento",
        "title_en": "",
        "impact": Impact.DEGRADED,
        "state": State.INVESTIGATING,
        "components": [catalogue.mail_component.pk],
        "started_at_0": "2026-03-10",
        "started_at_1": "10:00:00",
        "body": "Revisamos las colas.",
        "body_en": "",
        "ticket_links-TOTAL_FORMS": "0",
        "ticket_links-INITIAL_FORMS": "0",
        "updates-TOTAL_FORMS": "0",
        "updates-INITIAL_FORMS": "0",
    } | changes


def test_a_component_text_with_a_control_character_is_refused_on_the_field(admin_client):
    # the page, the portal's banner and the JSON print it: the services' bound on texts
    answer = admin_client.post(
        "/admin/statuspage/component/add/",
        {
            "code": "dns",
            "name": "DNS\x0b",
            "name_en": "",
            "description": "Resolución\x01 de nombres",
            "description_en": "",
            "position": "5",
            "is_active": "on",
        },
    )

    assert answer.status_code == 200
    assert "Sin caracteres de control" in _text(answer)
    assert not Component.objects.exists()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("component", ["9223372036854775808", "²"])
def test_a_component_that_is_no_row_is_refused_on_the_field(admin_client, catalogue, component):
    answer = admin_client.post(
        "/admin/statuspage/incident/add/", _incident_data(catalogue, components=[component])
    )

    assert answer.status_code == 200
    assert "no es un valor válido" in _text(answer)
    assert not Incident.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_nothing_is_published_when_the_form_comes_back_with_an_inlines_errors(
    admin_client, catalogue
):
    """The form's clean runs the service; the inlines are checked after it. A request
    without their management data (only a hand-made one) came back with errors, and the
    incident was published all the same."""
    data = _incident_data(catalogue)
    for name in [name for name in data if name.startswith(("updates-", "ticket_links-"))]:
        del data[name]

    answer = admin_client.post("/admin/statuspage/incident/add/", data)

    assert answer.status_code == 200
    assert "ManagementForm" in _text(answer)
    assert not Incident.objects.exists()


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/admin/statuspage/incident/", "started_at__year=9223372036854775808"),
        ("/admin/statuspage/incident/", "started_at__year=0"),
        ("/admin/statuspage/incident/", "started_at__year=10000"),
        ("/admin/statuspage/incident/", "impact__exact=x%00"),
        ("/admin/statuspage/incident/", "components__id__exact=99999999999999999999"),
        ("/admin/statuspage/incident/", "id__in=-9223372036854775809"),
        ("/admin/statuspage/incident/", "id__in=1,99999999999999999999"),
        ("/admin/tickets/ticket/", "status__exact=open%00"),
        ("/admin/contracts/customer/", "q=" + "a" * 55_000),
    ],
)
def test_a_filter_the_database_could_not_take_lists_without_filters(admin_client, url, query):
    """As Django's admin does for a filter it cannot apply; before, these reached the
    database and failed there: a 500."""
    answer = admin_client.get(f"{url}?{query}")

    assert answer.status_code == 302
    assert answer["Location"] == f"{url}?e=1"
    assert admin_client.get(answer["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/admin/statuspage/incident/", "started_at__year=2026"),
        ("/admin/statuspage/incident/", "impact__exact=degraded"),
        ("/admin/contracts/customer/", "q=12345678901234567890123"),
    ],
)
def test_filters_and_searches_within_bounds_are_applied(admin_client, url, query):
    assert admin_client.get(f"{url}?{query}").status_code == 200


@time_machine.travel(NOW, tick=False)
def test_an_incident_is_published_through_the_service_and_a_refusal_lands_on_the_form(
    admin_client, catalogue
):
    data = _incident_data(catalogue, started_at_0="2026-01-01")

    refused = admin_client.post("/admin/statuspage/incident/add/", data)
    assert refused.status_code == 200
    assert "La hora debe estar entre" in _text(refused)
    assert not Incident.objects.exists()

    saved = admin_client.post(
        "/admin/statuspage/incident/add/", data | {"started_at_0": "2026-03-10"}
    )
    assert saved.status_code == 302, _text(saved)[-2000:]
    incident = Incident.objects.get()
    assert incident.started_at == datetime(2026, 3, 10, 10, tzinfo=UTC)
    assert incident.updates.get().body == "Revisamos las colas."
    assert incident.opened_by.username == "raiz"


@time_machine.travel(NOW, tick=False)
def test_an_update_is_posted_in_the_admin_and_is_then_read_only(admin_client, catalogue):
    incident = services.incident_open(
        title="Correo lento",
        body="Revisamos.",
        impact=Impact.DEGRADED,
        components=[catalogue.mail_component],
    )

    answer = admin_client.post(
        "/admin/statuspage/incidentupdate/add/",
        {
            "incident": incident.pk,
            "state": State.RESOLVED,
            "impact": Impact.DEGRADED,
            "body": "Listo.",
            "body_en": "Done.",
        },
    )

    assert answer.status_code == 302
    incident.refresh_from_db()
    assert incident.state == State.RESOLVED
    update = IncidentUpdate.objects.get(state=State.RESOLVED)
    page = _text(admin_client.get(f"/admin/statuspage/incidentupdate/{update.pk}/change/"))
    assert 'name="body"' not in page
    again = admin_client.post(
        "/admin/statuspage/incidentupdate/add/",
        {
            "incident": incident.pk,
            "state": State.MONITORING,
            "impact": Impact.DEGRADED,
            "body": "x",
        },
    )
    assert again.status_code == 200  # the incident is no longer open: not a valid choice
    assert IncidentUpdate.objects.count() == 2


@time_machine.travel(NOW, tick=False)
def test_maintenance_is_scheduled_and_cancelled_by_the_action(admin_client, catalogue):
    answer = admin_client.post(
        "/admin/statuspage/maintenance/add/",
        {
            "title": "Discos",
            "components": [catalogue.hosting_component.pk],
            "starts_at_0": "2026-03-12",
            "starts_at_1": "10:00:00",
            "ends_at_0": "2026-03-12",
            "ends_at_1": "12:00:00",
        },
    )
    assert answer.status_code == 302
    maintenance = Maintenance.objects.get()
    assert maintenance.scheduled_at == NOW

    admin_client.post(
        "/admin/statuspage/maintenance/",
        {"action": "cancel", "_selected_action": [maintenance.pk]},
    )
    maintenance.refresh_from_db()
    assert maintenance.cancelled_at == NOW
    assert maintenance.starts_at == NOW + timedelta(days=1, hours=19)
