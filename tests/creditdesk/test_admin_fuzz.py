"""Hostile values into every admin, Django's and ours: never a 500.

The admins come from the admin site's registry and their pages from each admin's own URL
patterns (the custom ones too: a transfer recorded, credits adjusted, a policy published), so a
new admin or view is fuzzed without anyone adding it here. Each is opened as a superuser, who
reaches every form, and as finance, staff whose group grants part of the back office. The lists
get hostile searches, orderings, pages, filters and dates; the object views ids that name no
row; the actions a selection that names none; the forms, read from the page's HTML, are posted
back with every field hostile at once, then one field at a time (hypothesis picks which) while
the others keep what the page filled in, so a value reaches the save. Django's test client
raises a view's exception, so a 500 fails the test with its traceback. Runs on SQLite and on
PostgreSQL, which fail differently (SQLite overflows integers, PostgreSQL refuses NUL bytes).
"""

import importlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import world_per_module

_finance_grants = importlib.import_module("creditdesk.api.migrations.0003_finance_permissions")

# One world for all the module's tests, which only send requests (see there).
world = world_per_module

# test_fuzz_inputs.py's kinds of value, and the numbers and dates past what the admin's
# fields and columns hold.
HOSTILE_FIELD = [
    "A\x00B",
    "\x01",
    "x" * 25_000,
    "1e30",
    "NaN",
    "Infinity",
    "-0",
    "99999999999999999999",
    "9223372036854775808",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31 23:59:59",
]
# Given to every field at once: one of each kind (the others come up one field at a time).
EVERY_FIELD = ["A\x00B", "\x01", "x" * 25_000, "1e30", "9" * 20, "9999-12-31 23:59:59"]
HOSTILE_QUERY = [
    "abc",
    "-1",
    "1.5",
    "99999",
    "²",
    "%_",
    "A\x00B",
    "9223372036854775808",
    "-9223372036854775809",
    "1,9" + "9" * 20,
]
NOT_IDS = ["²", "9223372036854775808", "A\x00B"]
MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
# An inline's form counts. A huge one builds the rows and a save's new ones
# (`core.forms.RowsBoundFormSet`, tested in test_admin_inlines.py and for the SLA forms in
# tests/sla/test_admin_authoring.py): here it would cost every form 100 forms, 25 s a run.
HOSTILE_COUNTS = ["-1", "A\x00B"]

FUZZ = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


class AdminPage(HTMLParser):
    """An admin page's POST form (its fields with what the page filled in, and which of them
    a person types into) and the query strings of its links (the list's filters)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.typed: list[str] = []
        self.queries: list[str] = []
        self._in_post_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name", "")
        if tag == "a" and attributes.get("href", "").startswith("?"):
            self.queries.append(attributes["href"][1:])
        elif tag == "form":
            self._in_post_form = attributes.get("method", "").lower() == "post"
        elif not self._in_post_form or (not name and tag != "option"):
            return
        elif tag == "input" and name != "csrfmiddlewaretoken":
            kind = attributes.get("type", "text")
            if kind in {"checkbox", "radio"}:
                values = [attributes.get("value", "on")] if "checked" in attributes else []
                self.fields.setdefault(name, []).extend(values)
            elif kind not in {"submit", "button", "file"}:
                self.fields[name] = [attributes.get("value", "")]
                if kind != "hidden":
                    self.typed.append(name)
        elif tag == "select":
            self._select = name
            self.fields.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in attributes:
            self.fields[self._select].append(attributes.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = [""]
            self.typed.append(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_post_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][0] += data


def _registered() -> dict[str, admin.ModelAdmin]:
    return {
        model._meta.label_lower: model_admin for model, model_admin in admin.site._registry.items()
    }


ADMINS = sorted(_registered())
# What finance may open: the back office its group is granted (the migration's list). On
# the other admins finance meets the lookups the superuser's run meets, then a 403.
FINANCE_ADMINS = [
    f"{app_label}.{model_name}"
    for app_label, codenames in _finance_grants.FINANCE_PERMISSIONS.items()
    for model_name in sorted({codename.split("_", 1)[1] for codename in codenames})
    if f"{app_label}.{model_name}" in ADMINS
]


def test_every_registered_admin_is_fuzzed():
    assert {"contracts.contract", "auth.user", "billing.payment"} <= set(ADMINS)


def _object_routes(model_admin: admin.ModelAdmin) -> list[str]:
    """The admin's views of one row ("<path:object_id>/change/", a custom "…/adjust/"), but
    the bare "<path:object_id>/", which only redirects to the change view; the deletion last,
    as it may delete the row the others show."""
    routes = [
        str(pattern.pattern)
        for pattern in model_admin.urls
        if isinstance(pattern, URLPattern)
        and "object_id" in str(pattern.pattern)
        and str(pattern.pattern) != "<path:object_id>/"
    ]
    return sorted(routes, key=lambda route: route.endswith("delete/"))


def _other_routes(model_admin: admin.ModelAdmin) -> list[str]:
    """The admin's views of no row: the list, the add form, a custom one ("record-transfer/")."""
    return [
        str(pattern.pattern)
        for pattern in model_admin.urls
        if isinstance(pattern, URLPattern) and "<" not in str(pattern.pattern)
    ]


def _ok(answer, what) -> None:
    assert answer.status_code < 500, what


def _fuzz_form(client: Client, url: str) -> None:
    page = client.get(url)
    _ok(page, url)
    if page.status_code != 200:
        return
    form = AdminPage(page.content.decode())
    if not form.fields:
        return
    filled = {name: values for name, values in form.fields.items() if "__prefix__" not in name}
    counts = [name for name in filled if name.endswith(MANAGEMENT)]
    for value in EVERY_FIELD:
        hostile = {name: value for name in filled if name not in counts}
        _ok(client.post(url, {**filled, **hostile}), (url, "every field", value))
    for value in HOSTILE_COUNTS:
        _ok(client.post(url, {**filled, **dict.fromkeys(counts, value)}), (url, counts, value))
    # the first of an inline's forms stands for the others
    typed = [name for name in form.typed if not re.search(r"-(__prefix__|[1-9][0-9]*)-", name)]
    if not typed:
        return

    @FUZZ
    @given(name=st.sampled_from(typed), value=st.sampled_from(HOSTILE_FIELD))
    def one_field(name, value):
        _ok(client.post(url, {**filled, name: value}), (url, name, value))

    one_field()


def _fuzz_list(client: Client, url: str, model_admin: admin.ModelAdmin) -> None:
    page = client.get(url)
    _ok(page, url)
    if page.status_code != 200:
        return
    names = {"q", "o", "p", "_to_field", "id__in"}
    for query in AdminPage(page.content.decode()).queries:
        names.update(part.split("=", 1)[0] for part in query.split("&") if part)
    if model_admin.date_hierarchy:
        names.update(f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    for value in HOSTILE_QUERY:
        _ok(client.get(url, dict.fromkeys(names, value)), (url, value))
    # a search this long is refused before the list (admin_site.SEARCH_LIMIT), the rest not
    _ok(client.get(url, dict.fromkeys(names - {"q"}, "x" * 25_000)), (url, "25,000"))
    # a lone surrogate, which no str the test client sends can carry
    _ok(client.get(url + "?" + "&".join(f"{name}=%ED%A0%80" for name in names)), url)
    if model_admin.date_hierarchy:
        day = model_admin.date_hierarchy
        for year, month, number in (("0", "1", "1"), ("2026", "13", "32"), ("99999", "2", "30")):
            dates = {f"{day}__year": year, f"{day}__month": month, f"{day}__day": number}
            _ok(client.get(url, dates), (url, dates))
    for action in [*(model_admin.actions or ()), "delete_selected"]:
        name = action if isinstance(action, str) else action.__name__
        for value in NOT_IDS:
            # confirmed ("post", "apply"), so an action that asks first would act
            chosen = {"action": name, "_selected_action": value, "post": "yes", "apply": "1"}
            _ok(client.post(url, {**chosen, "index": "0"}), (url, name, value))


@pytest.mark.parametrize(
    ("label", "who"),
    [(label, "admin") for label in ADMINS] + [(label, "finance") for label in FINANCE_ADMINS],
)
def test_an_admin_never_answers_500(world, label, who):
    model_admin = _registered()[label]
    client = Client()
    client.force_login(getattr(world, who))
    base = f"/admin/{label.replace('.', '/')}/"

    for route in _other_routes(model_admin):
        if route:
            _fuzz_form(client, base + route)
        else:
            _fuzz_list(client, base, model_admin)

    row = model_admin.model._default_manager.order_by("pk").first()
    for route in _object_routes(model_admin):
        for not_an_id in NOT_IDS:
            url = base + route.replace("<path:object_id>", not_an_id)
            _ok(client.get(url), url)
            _ok(client.post(url, {"post": "yes"}), url)
        if row is not None:
            _fuzz_form(client, base + route.replace("<path:object_id>", str(row.pk)))


AUTOCOMPLETES = sorted(
    (label, field)
    for label, model_admin in _registered().items()
    for field in model_admin.autocomplete_fields
)


def test_the_autocomplete_never_answers_500(world):
    client = Client()
    client.force_login(world.admin)
    assert AUTOCOMPLETES, "no admin chooses rows by autocomplete any more"
    asked = [
        (*label.split("."), field, term)
        for label, field in AUTOCOMPLETES
        for term in ["", *HOSTILE_FIELD]
    ] + [
        ("contracts", "contract", "\x00", "a"),
        ("\x00", "contract", "customer", "a"),
        ("contracts", "x" * 25_000, "customer", "a"),
        ("contracts", "contract", "pk", "a"),
    ]
    for app_label, model_name, field_name, term in asked:
        query = {"app_label": app_label, "model_name": model_name, "field_name": field_name}
        for extra in ({"term": term}, {"term": "a", "page": term}):
            _ok(client.get("/admin/autocomplete/", {**query, **extra}), (query, extra))
