"""The OpenAPI contract: generated from the code, valid, without generator warnings, served
at /api/schema/ with browsable docs at /api/docs/."""

from io import StringIO

import pytest
import yaml
from django.core.management import call_command


def test_the_generated_schema_validates_without_warnings(tmp_path):
    # drf-spectacular validates against the OpenAPI 3 JSON schema; a warning fails too. In
    # the default language (Spanish): in English impact and urgency have the same labels
    # (High, Medium, Low), which the generator would report as one choice set named twice.
    target = tmp_path / "schema.yaml"
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--lang",
        "es",
        "--file",
        str(target),
        stderr=StringIO(),
    )
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/tickets/" in schema["paths"]
    assert set(schema["components"]["schemas"]["Error"]["required"]) == {
        "code",
        "message",
        "fields",
    }


def test_every_operation_documents_the_error_shape_and_write_refusals(db, client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if path.startswith("/api/v1/")
    ]
    assert len(operations) > 40
    for path, method, operation in operations:
        for status in ("400", "401", "403", "404", "429"):
            ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
            assert ref == "#/components/schemas/Error", (path, method, status)
        if method == "post":
            assert {"402", "409", "422"} <= set(operation["responses"]), (path, method)
    ticket_open = schema["paths"]["/api/v1/tickets/"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in ticket_open["parameters"])
    assert "insufficient_credits" in ticket_open["description"]


@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_schema_and_docs_are_served(db, client, url):
    assert client.get(url).status_code == 200
