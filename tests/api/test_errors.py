"""One error shape for everything, in the request's language, with a status for every code."""

import importlib
import pkgutil

import pytest

import core.errors
from core.errors import CreditdeskError, InvalidInput
from creditdesk.api.errors import BASE_CODES, STATUS_BY_CODE, exception_handler, status_for
from tests.api.conftest import assert_error

APPS = ["contracts", "credits", "tickets", "sla", "billing", "statuspage"]


def _all_refusals() -> set[type[CreditdeskError]]:
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    found, todo = set(), [CreditdeskError]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.add(subclass)
            todo.append(subclass)
    return found


def test_every_refusal_code_of_the_apps_has_a_status():
    # A new refusal must be given its HTTP status here, not fall back silently.
    codes = {error.code for error in _all_refusals() if error.__module__.split(".")[0] in APPS}
    unlisted = sorted(codes - set(STATUS_BY_CODE) - BASE_CODES)
    assert unlisted == []
    assert len(codes) > 40


def test_status_of_service_codes():
    assert status_for(InvalidInput({"x": ["bad"]})) == 400
    assert STATUS_BY_CODE["insufficient_credits"] == 402
    assert STATUS_BY_CODE["illegal_transition"] == 409
    assert STATUS_BY_CODE["staff_only"] == 403
    assert STATUS_BY_CODE["payment_provider_error"] == 502


def test_a_bug_is_left_to_django_as_a_500():
    assert exception_handler(RuntimeError("bug"), {}) is None
    assert core.errors  # the one shape lives in core.errors


def test_401_has_the_shape_and_asks_for_a_token(api, db):
    answer = api(None).get("/api/v1/tickets/")
    assert_error(answer, 401, "not_authenticated")
    assert answer["WWW-Authenticate"] == "Token"


def test_wrong_token_is_401_authentication_failed(db):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/tickets/"), 401, "authentication_failed")


def test_404_is_the_same_for_every_missing_object(world, api):
    client = api(world.admin)
    ticket = assert_error(client.get("/api/v1/tickets/987654/"), 404, "not_found")
    customer = assert_error(client.get("/api/v1/customers/987654/"), 404, "not_found")
    assert ticket == customer
    assert ticket["message"] == "No encontrado."
    english = client.get("/api/v1/tickets/987654/", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 404)["message"] == "Not found."


def test_405_and_malformed_json(world, api):
    client = api(world.admin)
    assert_error(
        client.put(f"/api/v1/customers/{world.a.customer.pk}/", {}, format="json"),
        405,
        "method_not_allowed",
    )
    answer = client.post("/api/v1/tickets/", data=b'{"subject": ', content_type="application/json")
    assert_error(answer, 400, "malformed_request")


def test_415_for_an_unknown_media_type(world, api):
    answer = api(world.a.user).post("/api/v1/tickets/", data=b"subject=x", content_type="text/csv")
    assert_error(answer, 415, "unsupported_media_type")


def test_validation_errors_name_fields_in_the_request_language(world, api):
    client = api(world.finance)
    url = f"/api/v1/customers/{world.a.customer.pk}/credits/adjustments/"
    spanish = assert_error(client.post(url, {"credits": "abc"}, format="json"), 400)
    assert spanish["code"] == "invalid_input"
    assert set(spanish["fields"]) == {"credits", "reason"}
    assert spanish["message"].startswith("Los datos no son válidos")
    english = assert_error(
        client.post(url, {"credits": "abc"}, format="json", HTTP_ACCEPT_LANGUAGE="en"), 400
    )
    assert english["message"].startswith("The input is not valid")
    assert english["fields"]["reason"] == ["This field is required."]


def test_service_refusals_keep_their_code_and_field(world, api):
    # an illegal ticket transition, refused by the tickets app's table
    answer = api(world.agent).post(
        f"/api/v1/tickets/{world.a.ticket.pk}/transitions/",
        {"to_status": "closed"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(answer, 409, "illegal_transition")
    assert body["message"] == "A ticket in state Received cannot move to Closed."
    assert body["fields"] == {"to_status": [body["message"]]}


@pytest.mark.parametrize(
    # "localtime" is whatever zone the server runs in, "Factory" the database's placeholder
    "zone",
    ["Mars/Olympus", "localtime", "Factory"],
)
def test_model_validation_becomes_400_with_fields(world, api, zone):
    answer = api(world.a.manager).patch(
        f"/api/v1/customers/{world.a.customer.pk}/", {"time_zone": zone}, format="json"
    )
    assert "time_zone" in assert_error(answer, 400, "invalid_input")["fields"]


@pytest.mark.parametrize(
    "query",
    [
        {"status": "melted"},
        {"opened_after": "yesterday"},
        {"due_before": "soon"},
        {"sla_state": "angry"},
        {"page": "0"},
        {"page_size": "-1"},
        {"ordering": "nonsense"},
    ],
)
def test_bad_list_parameters_never_500(world, api, query):
    answer = api(world.agent).get("/api/v1/tickets/", query)
    assert answer.status_code in (200, 400, 404), answer.content
    if answer.status_code != 200:
        assert_error(answer, answer.status_code)
