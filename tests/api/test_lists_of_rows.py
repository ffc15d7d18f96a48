"""A list of rows named in a write (a contract's services, an incident's or a maintenance's
components) is bounded and read once per distinct row: DRF's `many=True` reads each item with
its own query, so one id repeated 20,000 times (about 100 KB of JSON, under the body limit)
held a web process for 7 s before any check ran."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from creditdesk.api.serializers.common import ROWS_PER_LIST
from statuspage.models import Component, Incident, Maintenance
from tests.api.conftest import assert_error, client_for, world  # noqa: F401  (fixture)
from tests.factories import make_service
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _contract(world, services):  # noqa: F811
    return client_for(world.a.manager).post(
        "/api/v1/contracts/",
        {
            "customer": world.a.customer.pk,
            "plan": world.plan.pk,
            "starts_on": "2027-01-01",
            "services": services,
        },
        format="json",
    )


def test_a_service_named_many_times_is_read_once_and_kept_once(world):  # noqa: F811
    service = make_service()
    assert _contract(world, [service.pk]).status_code == 201  # the customer's first contract
    with CaptureQueriesContext(connection) as once:
        assert _contract(world, [service.pk]).status_code == 201
    with CaptureQueriesContext(connection) as repeated:
        answer = _contract(world, [service.pk] * ROWS_PER_LIST)

    assert answer.status_code == 201, answer.content
    assert answer.json()["services"] == [service.pk]
    assert len(repeated) == len(once)


def test_more_services_than_a_list_holds_are_refused_naming_the_field(world):  # noqa: F811
    service = make_service()
    before = Contract.objects.count()

    with CaptureQueriesContext(connection) as queries:
        answer = _contract(world, [service.pk] * (ROWS_PER_LIST + 1))

    body = assert_error(answer, 400, "invalid_input")
    assert str(ROWS_PER_LIST) in body["fields"]["services"][0]
    assert Contract.objects.count() == before
    assert not [q for q in queries if "contracts_service" in q["sql"]]


def test_services_given_as_an_object_are_refused_as_no_list(world):  # noqa: F811
    """DRF takes any iterable but a string: an object's keys would pass every bound."""
    service = make_service()
    keys = {"0" * n + str(service.pk): 0 for n in range(ROWS_PER_LIST * 2)}

    with CaptureQueriesContext(connection) as queries:
        answer = _contract(world, keys)

    assert "services" in assert_error(answer, 400, "invalid_input")["fields"]
    assert not [q for q in queries if "contracts_service" in q["sql"]]


def test_an_unknown_service_is_still_refused_by_its_id(world):  # noqa: F811
    service = make_service()

    answer = _contract(world, [service.pk, 999999, service.pk])

    body = assert_error(answer, 400, "invalid_input")
    assert "999999" in body["fields"]["services"][0]


@pytest.fixture
def component(db):
    return Component.objects.create(code="web", name="Hosting web", name_en="Web hosting")


def test_an_incidents_components_are_bounded_and_read_once_each(world, component):  # noqa: F811
    body = {"title": "Caído", "impact": "major_outage", "body": "Investigamos."}
    agent = client_for(world.agent)

    too_many = agent.post(
        "/api/v1/status/incidents/",
        body | {"components": ["web"] * (ROWS_PER_LIST + 1)},
        format="json",
    )
    repeated = agent.post(
        "/api/v1/status/incidents/", body | {"components": ["web"] * 3}, format="json"
    )

    assert "components" in assert_error(too_many, 400, "invalid_input")["fields"]
    assert repeated.status_code == 201, repeated.content
    assert repeated.json()["components"] == ["web"]
    assert Incident.objects.count() == 1


def test_a_maintenances_components_are_bounded(world, component):  # noqa: F811
    answer = client_for(world.agent).post(
        "/api/v1/status/maintenance/",
        {
            "title": "Discos",
            "components": ["web"] * (ROWS_PER_LIST + 1),
            "starts_at": "2030-01-01T10:00:00Z",
            "ends_at": "2030-01-01T12:00:00Z",
        },
        format="json",
    )

    assert "components" in assert_error(answer, 400, "invalid_input")["fields"]
    assert not Maintenance.objects.exists()
