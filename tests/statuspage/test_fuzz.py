"""Hostile values into every form and query parameter of the status pages: never a 500.
The shared sweep (tests/creditdesk/test_fuzz_inputs.py) reaches these routes with ids that
do not exist; here they get a real incident, update and maintenance."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from statuspage import services
from statuspage.models import Component, Impact
from tests.api.conftest import client_for, world  # noqa: F401  (fixture)
from tests.creditdesk.test_fuzz_inputs import (
    FUZZ,
    SCHEMA,
    SWEEP_JSON,
    SWEEP_TEXT,
    FormReader,
    _body_properties,
    _operations,
    json_values,
    text_values,
)
from tests.web.routes import page_routes

ROUTES = [
    route
    for route in page_routes()
    if route.startswith(("status", "workspace/status/")) or route.endswith("/incident/")
]


def test_the_status_routes_are_found():
    assert "status/" in ROUTES
    assert "workspace/tickets/<ticket:number>/incident/" in ROUTES
    assert len(ROUTES) >= 11


@pytest.mark.parametrize("route", ROUTES)
def test_status_forms_and_parameters_never_answer_500(world, route):  # noqa: F811
    component = Component.objects.create(code="web", name="Web")
    incident = services.incident_open(
        title="Caída", body="Investigamos.", impact=Impact.MAJOR, components=[component]
    )
    maintenance = services.maintenance_schedule(
        title="Ventana",
        components=[component],
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    services.incident_ticket_link(incident, world.a.ticket)
    values = {"number": world.a.ticket.number}
    if "updates/<int:pk>/send" in route:
        values["pk"] = incident.updates.get().pk
    elif "maintenance" in route:
        values["pk"] = maintenance.pk
    else:
        values["pk"] = incident.pk
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    browser = Client()
    browser.force_login(world.admin)
    page = browser.get(path, {"tz": "\x00"})
    assert page.status_code < 500
    reader = FormReader()
    if page.get("Content-Type", "").startswith("text/html"):
        reader.feed(page.content.decode())
    forms = [
        form
        for form in reader.forms
        if not (form["action"] or path).startswith(("http", "/i18n/", "/accounts/logout"))
    ] or [{"method": "post", "action": path, "fields": ["incident", "unlink", "tz", "body"]}]

    def send(form: dict, values: dict) -> None:
        target = form["action"] or path
        answer = (browser.get if form["method"] == "get" else browser.post)(target, values)
        assert answer.status_code < 500, (target, values)

    for form in forms:
        for name in form["fields"]:
            for value in SWEEP_TEXT:
                send(form, {name: value})

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        for form in forms:
            send(form, {name: data.draw(text_values, label=name) for name in form["fields"]})

    fuzz()


API_OPERATIONS = [(path, method) for path, method in _operations() if "/status" in path]


def test_the_status_api_operations_are_found():
    assert ("/api/v1/status/incidents/{id}/updates/", "post") in API_OPERATIONS
    assert len(API_OPERATIONS) >= 10


@pytest.mark.parametrize(("path", "method"), API_OPERATIONS)
def test_status_api_operations_never_answer_500(world, path, method):  # noqa: F811
    component = Component.objects.create(code="web", name="Web")
    incident = services.incident_open(
        title="Caída", body="Investigamos.", impact=Impact.MAJOR, components=[component]
    )
    maintenance = services.maintenance_schedule(
        title="Ventana",
        components=[component],
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    ids = {"incidents": incident.pk, "maintenance": maintenance.pk, "components": component.pk}
    target = path.replace("{id}", str(ids.get(path.split("/")[4], 1)))
    operation = SCHEMA["paths"][path][method]
    parameters = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    properties = _body_properties(operation)
    admin, contact = client_for(world.admin), client_for(world.a.user)

    def send(query: dict, body: dict, callers=(admin,)) -> None:
        for caller in callers:
            call = getattr(caller, method)
            if method == "get":
                answer = call(target, query)
            else:
                answer = call(target, json.dumps(body), content_type="application/json")
            assert answer.status_code < 500, (method, target, query, body)
            if answer.status_code >= 400:
                assert set(answer.json()) == {"code", "message", "fields"}

    for name in parameters:
        for value in SWEEP_TEXT:
            send({name: value}, {})
    for name in properties:
        for value in SWEEP_JSON:
            send({}, {name: value})

    @FUZZ
    @given(data=st.data())
    def fuzz(data):
        query = {name: data.draw(text_values, label=name) for name in parameters}
        body = {name: data.draw(json_values, label=name) for name in properties}
        send(query, body, callers=(admin, contact))

    fuzz()
