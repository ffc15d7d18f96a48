"""Hostile values into every form and every API operation: never a 500.

The pages are found by walking the URL patterns (a new page is fuzzed without anyone adding
it here); each is opened as a user who may use it, its forms are read from the HTML, and
hypothesis fills every field and query parameter with values that once broke something:
NUL bytes, times beyond what SQLite can convert, numbers beyond the columns, 25,000
characters, formulas, nesting. The API's operations come from the served OpenAPI schema,
their query parameters and body properties filled the same way (the sweep as the admin,
who reaches every code path; the random mixes as a customer's contact too). Django's test client
raises a view's exception, so a 500 fails the test with its traceback.
"""

import json
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import client_for
from tests.conftest import world_per_module
from tests.web.routes import page_routes
from tickets.reopen_links import reopen_token

# One world for all the module's tests, which only send requests (see there).
world = world_per_module

HOSTILE_TEXT = [
    "",
    "\x00",
    "A\x00B",
    "0",
    "²",  # a digit to str.isdigit(), none to int()
    "-1",
    "-0.001",
    "1.005",
    "2147483648",
    "-2147483649",
    "9" * 40,
    "1e999",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12",
    "x" * 25_000,
    '=HYPERLINK("http://evil")',
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "💥" * 50,
]
HOSTILE_JSON = [
    *HOSTILE_TEXT,
    None,
    True,
    -(2**63),
    2**64,
    10**30,
    -1,
    0.1,
    [],
    {},
    [[[[[[[[[[]]]]]]]]]],
    {"a": {"b": {"c": "\x00"}}},
]

# One of each kind, given to every field in turn; the others come up in the random mixes.
SWEEP_TEXT = [
    "A\x00B",
    "-1",
    "9" * 40,
    "1e999",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59",
    "9999-12-31",
    "x" * 25_000,
]
SWEEP_JSON = [*SWEEP_TEXT, None, 10**30, [[[[[[[[[[]]]]]]]]]], {"a": {"b": "\x00"}}]

text_values = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=40))
json_values = st.one_of(st.sampled_from(HOSTILE_JSON), st.text(max_size=40), st.integers())

FUZZ = settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


# --- pages ------------------------------------------------------------------------------------


class FormReader(HTMLParser):
    """The forms of a page: method, action and the names of their fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attributes.get("method") or "get").lower(),
                    "action": attributes.get("action") or "",
                    "fields": [],
                }
            )
        elif (
            tag in {"input", "select", "textarea"}
            and self.forms
            and attributes.get("name") not in {None, "csrfmiddlewaretoken"}
            # a group of checkboxes or radio buttons shares one name: one field to fill
            and attributes["name"] not in self.forms[-1]["fields"]
        ):
            self.forms[-1]["fields"].append(attributes["name"])


def _path(route: str, world) -> str:
    values = {
        "number": world.a.ticket.number,
        "pk": world.a.session.pk if "sessions" in route else None,
        "pack_id": world.pack.pk,
        "month": "2026-11",
        "slug": "como-crear-una-cuenta-de-correo",
        # signed, but for a resolution the ticket is not in: the page says the link is spent
        "token": reopen_token(world.a.ticket, world.a.ticket.events.first()),
        "contact_pk": world.a.contact.pk,
        # no subscription in this world: the page answers 404, never 500
        "sub": 999999,
        # an activation's checklist step (tests/activations covers the real ones): a 404
        "step": 999999,
    }
    if "invoices" in route:
        values["pk"] = world.a.invoice.pk
    elif "payments" in route:
        values["pk"] = world.a.payment.pk
    elif "customers" in route:
        values["pk"] = world.a.customer.pk
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def _user_for(path: str, world):
    return world.a.user if path.startswith("/portal/") else world.admin


# Left out: Stripe's webhook (signed bodies, fuzzed in tests/billing/test_topups.py) and the
# pack purchase, which calls Stripe (tests/billing/test_topups.py against localstripe).
PAGE_ROUTES = [
    route
    for route in page_routes()
    if not route.endswith(("webhook/", "/buy/")) and not route.startswith("accounts/")
] + ["accounts/login/", "accounts/password_reset/"]


def test_every_page_route_is_fuzzed():
    assert {"portal/tickets/new/", "workspace/tickets/<ticket:number>/work/"} <= set(PAGE_ROUTES)
    assert len(PAGE_ROUTES) >= 20


@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_forms_and_query_parameters_never_answer_500(world, route):
    browser = Client()
    path = _path(route, world)
    if not route.startswith("accounts/"):
        browser.force_login(_user_for(path, world))
    page = browser.get(path)
    assert page.status_code < 500
    reader = FormReader()
    if page.get("Content-Type", "").startswith("text/html"):
        reader.feed(page.content.decode())
    # A route that only takes POST (reply, assign, ...) is posted its own page's form fields.
    forms = reader.forms or [{"method": "post", "action": path, "fields": ["body", "reason"]}]

    forms = [
        form
        for form in forms
        if not (form["action"] or path).startswith(("http", "/i18n/", "/accounts/logout"))
    ]

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


# --- API --------------------------------------------------------------------------------------

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)


def _operations() -> list[tuple[str, str]]:
    found = []
    for path, item in SCHEMA["paths"].items():
        for method in item:
            calls_stripe = path == "/api/v1/top-ups/" and method == "post"
            if method in {"get", "post", "put", "patch", "delete"} and not calls_stripe:
                found.append((path, method))
    return found


def _body_properties(operation: dict) -> list[str]:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema", {})
    reference = schema.get("$ref", "")
    if reference:
        schema = SCHEMA["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    return list(schema.get("properties", {}))


def _api_path(path: str, world) -> str:
    ids = {
        "tickets": world.a.ticket.pk,
        "contracts": world.a.contract.pk,
        "customers": world.a.customer.pk,
        "contacts": world.a.contact.pk,
        "sessions": world.a.session.pk,
        "invoices": world.a.invoice.pk,
        "payments": world.a.payment.pk,
        "plans": world.plan.pk,
        "credit-packs": world.pack.pk,
        "intake-attempts": world.a.attempt.pk,
    }
    resource = path.split("/")[3]
    path = path.replace("{customer_pk}", str(world.a.customer.pk))
    return path.replace("{id}", str(ids.get(resource, 1)))


@pytest.mark.parametrize(("path", "method"), _operations())
def test_api_operations_never_answer_500(world, path, method):
    operation = SCHEMA["paths"][path][method]
    parameters = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
    properties = _body_properties(operation)
    target = _api_path(path, world)
    admin, contact = client_for(world.admin), client_for(world.a.user)

    def send(query: dict, body: dict, callers=(admin,)) -> None:
        for caller in callers:
            call = getattr(caller, method)
            if method == "get":
                answer = call(target, query)
            else:
                answer = call(target, json.dumps(body), content_type="application/json")
            assert answer.status_code < 500, (method, target, query, body)
            if answer.status_code >= 400 and answer["Content-Type"] == "application/json":
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
