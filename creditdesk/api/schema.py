"""OpenAPI additions drf-spectacular cannot infer: the error responses every operation may
give (all in the one error shape), and the Accept-Language header."""

from typing import Any

ERROR_COMPONENT = "Error"

# Status -> when. Every operation may answer these (authentication, roles, input, rate).
COMMON_ERRORS = {
    "400": "Invalid input (`invalid_input` and the service's input codes), with `fields`.",
    "401": "Missing or wrong credentials (`not_authenticated`, `authentication_failed`).",
    "403": "The caller's role may not do this (`permission_denied`) or a refused requester.",
    "404": "No such object, or one of another customer (`not_found`).",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "415": "Unsupported media type.",
    "429": "Rate limited (`throttled`); see the Retry-After header.",
}
WRITE_ERRORS = {
    "402": "`insufficient_credits`.",
    "409": "The data's current state refuses it (`illegal_transition`, solvency codes...).",
    "422": "Refused by the plan (`channel_not_allowed`, `out_of_scope`) or an "
    "Idempotency-Key reused with another request (`idempotency_key_reused`).",
    "502": "The payment provider failed (`payment_provider_error`).",
}

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "code": {"type": "string", "description": "Stable machine-readable code."},
        "message": {"type": "string", "description": "In the request's language."},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "description": "Messages per input field; empty when not about a field.",
        },
    },
    "required": ["code", "message", "fields"],
}

ACCEPT_LANGUAGE = {
    "in": "header",
    "name": "Accept-Language",
    "required": False,
    "schema": {"type": "string", "enum": ["es", "en"]},
    "description": "Language of messages and explanations; Spanish by default.",
}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
        },
    }


def add_error_responses(result: dict, generator, request, public) -> dict:
    """POSTPROCESSING_HOOK: document the error shape on every operation of the API."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            errors = COMMON_ERRORS | (WRITE_ERRORS if method != "get" else {})
            for code, description in errors.items():
                responses.setdefault(code, _error_response(description))
            parameters = operation.setdefault("parameters", [])
            if not any(p.get("name") == "Accept-Language" for p in parameters):
                parameters.append(dict(ACCEPT_LANGUAGE))
    return result
