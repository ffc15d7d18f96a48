"""schemathesis against the served schema, in process (the WSGI app), as the admin (who may
call every operation) and as a customer's contact: no 500, no response the schema does not
describe (status, content type, body, headers).

Bounded: a few examples per operation, so the whole run stays around a minute. POST /top-ups/
is left out: it calls Stripe (covered against localstripe in test_end_to_end.py).
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import world_per_module

# One world for all the module's tests, which only send requests (see there).
world = world_per_module

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _served_schema() -> dict:
    """The schema /api/schema/ serves, generated the same way (no request, no database)."""
    return SchemaGenerator().get_schema(request=None, public=True)


# Loaded at collection: schemathesis's lazy fixture loader does not run under pytest 9.
schema = schemathesis.openapi.from_dict(_served_schema()).exclude(path="/api/v1/top-ups/")
schema.app = get_wsgi_application()


@pytest.fixture(autouse=True)
def _keep_the_test_connection(db):
    """Like Django's test client: the WSGI app's request signals must not close the test's
    database connection (the calls run in the test's transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(world) -> str:
    return Token.objects.create(user=world.admin).key


@pytest.fixture
def contact_token(world) -> str:
    return Token.objects.create(user=world.a.user).key


# Generated examples only: schemathesis's coverage phase (hypothesis's "explicit" phase)
# would send hundreds of boundary cases per operation.
BOUNDED = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@BOUNDED
def test_the_api_keeps_its_contract_for_the_admin(case, admin_token):
    case.call_and_validate(headers={"Authorization": f"Token {admin_token}"}, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_the_api_keeps_its_contract_for_a_contact(case, contact_token):
    case.call_and_validate(headers={"Authorization": f"Token {contact_token}"}, checks=CHECKS)
