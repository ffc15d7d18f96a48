"""Calendars and SLA policies, read only: what an integrator needs to show due times."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.conftest import client_for
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return client_for(make_agent())


def test_a_policy_shows_its_current_targets_matrix_and_calendar(reader):
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())

    policies = {p["slug"]: p for p in reader.get("/api/v1/sla-policies/").json()["results"]}

    always = policies["altomarketing-sla-24h"]
    assert always["calendar"] == "altomarketing-comercial"
    assert {
        (t["priority"], t["first_response_seconds"], t["resolution_seconds"], t["measure"])
        for t in always["targets"]
    } >= {("p1", 7200, None, "always")}
    assert len(always["priority_matrix"]) == 9
    detail = reader.get(f"/api/v1/sla-policies/{always['id']}/")
    assert detail.json() == always


def test_a_calendar_shows_its_weekly_hours_and_holiday_country(reader):
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())

    [calendar] = reader.get("/api/v1/calendars/").json()["results"]

    assert (calendar["slug"], calendar["time_zone"], calendar["holiday_country"]) == (
        "altomarketing-comercial",
        "America/Argentina/Buenos_Aires",
        "AR",
    )
    assert [(h["weekday"], h["starts_at"], h["ends_at"]) for h in calendar["weekly_hours"]] == [
        (day, "10:00", "17:00") for day in range(5)
    ]
    assert reader.get("/api/v1/calendars/987654/").status_code == 404


def test_listing_costs_the_same_queries_with_one_preset_or_all(reader):
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as few:
        reader.get("/api/v1/sla-policies/")
        reader.get("/api/v1/calendars/")
    call_command("load_presets", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as many:
        reader.get("/api/v1/sla-policies/")
        reader.get("/api/v1/calendars/")

    assert len(many.captured_queries) == len(few.captured_queries)
