"""Every API error in one JSON shape, `{"code": ..., "message": ..., "fields": {...}}`, in the
request's language (Accept-Language; Spanish by default, English).

Refusals of the apps (`CreditdeskError`) keep their own code and message; the HTTP status is
decided here, by code, in `STATUS_BY_CODE` (the README's "API" section shows the same table
and a test proves every refusal code of the apps is listed). DRF's own errors (validation,
authentication, permissions, 404, throttling) are reshaped to the same form.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import CreditdeskError, InvalidInput

# Intake refusals, in the order intake checks them, with the status each one gets.
INTAKE_REFUSAL_STATUS: dict[str, int] = {
    "unknown_requester": status.HTTP_403_FORBIDDEN,
    "unauthorized_requester": status.HTTP_403_FORBIDDEN,
    "free_membership": status.HTTP_409_CONFLICT,
    "no_active_contract": status.HTTP_409_CONFLICT,
    "channel_not_allowed": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "channel_closed": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "out_of_scope": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "contract_suspended": status.HTTP_409_CONFLICT,
    "administratively_insolvent": status.HTTP_409_CONFLICT,
    "insufficient_credits": status.HTTP_402_PAYMENT_REQUIRED,
}

# The input was wrong: the same request will never succeed.
_BAD_INPUT = {
    "invalid_input",
    "invalid_amount",
    "invalid_minutes",
    "invalid_quantity",
    "invalid_period",
    "period_not_over",
    "reason_required",
    "currency_mismatch",
    "naive_datetime",
    "negative_duration",
    "duration_past_calendar",
    "moment_outside_calendar",
    "unknown_time_zone",
    "unknown_country",
    "unknown_subdivision",
    "invalid_weekday",
    "overlapping_intervals",
    "conflicting_calendar_dates",
    "calendar_without_working_time",
    "missing_priority_target",
    "priority_override_without_reason",
    "credit_note_needs_lines",
    "unknown_ticket",
    "webhook_destination_refused",
    "webhook_unknown_event",
    "webhook_customer_required",
    "translation_same_language",
    "translation_of_itself",
    "audience_without_plans",
    "text_required",
    "text_too_long",
    "text_control_characters",
    "unknown_choice",
    "components_required",
    "instant_out_of_window",
    "maintenance_ends_before_start",
    "maintenance_too_long",
    "too_many_attachments",
    "attachment_too_large",
    "attachment_empty",
    "attachment_type_refused",
    "attachment_type_mismatch",
    "attachment_unreadable",
    "transfer_proof_refused",
    "transfer_target_refused",
    "activation_step_is_payment",
    "activation_invoice_unusable",
    "activation_product_without_calendar",
    "activation_cancel_reason_required",
}

# The request is well formed but the current state of the data refuses it.
_CONFLICT = {
    "webhook_duplicate_endpoint",
    "illegal_transition",
    "illegal_invoice_transition",
    "second_active_contract",
    "has_history",
    "currency_locked",
    "plan_change_not_allowed",
    "hold_not_active",
    "hold_account_mismatch",
    "already_reversed",
    "not_reversible",
    "ledger_immutable",
    "session_not_scheduled",
    "session_not_started",
    "work_log_locked",
    "ticket_finished",
    "follow_up_not_allowed",
    "invoice_immutable",
    "empty_invoice",
    "not_correctable",
    "credit_note_not_payable",
    "credit_note_exceeds_invoice",
    "no_live_contract",
    "pack_not_for_sale",
    "plan_not_subscribable",
    "payment_not_refundable",
    "refund_exceeds_payment",
    "overpayment_not_settled",
    "duplicate_payment_reference",
    "tax_rate_missing",
    "clock_transition_not_allowed",
    "clock_time_goes_back",
    "idempotency_key_in_use",
    "invoice_not_issued",
    "payment_provider_unavailable",
    "transfer_already_reported",
    "transfer_already_decided",
    "subscription_already_open",
    "subscription_not_cancellable",
    "card_required",
    "article_not_published",
    "incident_resolved",
    "incident_update_superseded",
    "maintenance_over",
    "quote_not_draft",
    "quote_not_sent",
    "quote_already_decided",
    "quote_expired",
    "quote_ticket_closed",
    "activation_closed",
    "activation_not_started",
}

STATUS_BY_CODE: dict[str, int] = {
    **dict.fromkeys(_BAD_INPUT, status.HTTP_400_BAD_REQUEST),
    **dict.fromkeys(_CONFLICT, status.HTTP_409_CONFLICT),
    **INTAKE_REFUSAL_STATUS,
    "staff_only": status.HTTP_403_FORBIDDEN,
    "quote_decider_unauthorized": status.HTTP_403_FORBIDDEN,
    # Mail intake's refusal of a sender its domain did not vouch for: the API authenticates
    # its callers and never answers it; listed so that no refusal falls back unexamined.
    "unauthenticated_sender": status.HTTP_403_FORBIDDEN,
    # The same Idempotency-Key (or ledger key) was sent with another request.
    "idempotency_conflict": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "idempotency_key_reused": status.HTTP_422_UNPROCESSABLE_ENTITY,
    "payment_provider_error": status.HTTP_502_BAD_GATEWAY,
    "bad_request": status.HTTP_400_BAD_REQUEST,
    "request_too_large": status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
}

# Codes of the abstract base classes; a concrete refusal always has its own.
BASE_CODES = frozenset(
    {
        "error",
        "contracts_error",
        "credits_error",
        "tickets_error",
        "sla_error",
        "billing_error",
        "knowledge_error",
        "statuspage_error",
        "quote_error",
        "activation_error",
    }
)


def status_for(error: CreditdeskError) -> int:
    """A refusal's HTTP status; an unlisted code (a test forbids them) is a conflict."""
    return STATUS_BY_CODE.get(error.code, status.HTTP_409_CONFLICT)


class ApiRefusal(CreditdeskError):
    """A refusal made by the API layer itself (not by an app's service)."""

    def __init__(self, code: str, message_es: str, message_en: str, **params: Any) -> None:
        self.code = code
        self.message_es = message_es
        self.message_en = message_en
        super().__init__(**params)


# DRF's exceptions -> our codes. DRF translates its own messages (it ships Spanish).
_DRF_CODES: list[tuple[type[exceptions.APIException], str]] = [
    (exceptions.NotAuthenticated, "not_authenticated"),
    (exceptions.AuthenticationFailed, "authentication_failed"),
    (exceptions.PermissionDenied, "permission_denied"),
    (exceptions.NotFound, "not_found"),
    (exceptions.MethodNotAllowed, "method_not_allowed"),
    (exceptions.NotAcceptable, "not_acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "malformed_request"),
]


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail as {"field" or "parent.0.field": [messages]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for name, value in detail.items():
            key = api_settings.NON_FIELD_ERRORS_KEY if name == "__all__" else str(name)
            out.update(_flatten(value, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        out = {}
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return out
    messages = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return {prefix or api_settings.NON_FIELD_ERRORS_KEY: messages}


def error_body(error: CreditdeskError) -> dict[str, Any]:
    body = error.as_dict()
    fields = body.get("fields") or {}
    if "__all__" in fields:
        fields = {
            (api_settings.NON_FIELD_ERRORS_KEY if k == "__all__" else k): v
            for k, v in fields.items()
        }
    return {"code": body["code"], "message": body["message"], "fields": fields}


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """DRF's EXCEPTION_HANDLER: the one error shape for everything a view may raise."""
    if isinstance(exc, DjangoValidationError):
        exc = InvalidInput.from_validation_error(exc)
    if isinstance(exc, CreditdeskError):
        return Response(error_body(exc), status=status_for(exc))
    if isinstance(exc, exceptions.ValidationError):
        invalid = InvalidInput(_flatten(exc.detail) or {"non_field_errors": ["?"]})
        return Response(error_body(invalid), status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)  # headers: WWW-Authenticate, Retry-After
    if response is None:
        return None  # a bug: Django's 500 handling, never for bad input
    code = "error"
    if isinstance(exc, Http404):
        code = "not_found"
    elif isinstance(exc, DjangoPermissionDenied):
        code = "permission_denied"
    for exception_class, name in _DRF_CODES:
        if isinstance(exc, exception_class):
            code = name
            break
    detail = getattr(exc, "detail", None)
    if isinstance(exc, Http404):
        # Django's message names the model; one message for every missing object.
        detail = str(exceptions.NotFound.default_detail)
    message = str(detail) if isinstance(detail, str) else str(response.data.get("detail", ""))
    response.data = {"code": code, "message": message, "fields": {}}
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's handler400 (a body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad
    Host): under /api/ the one error shape, 413 when the body is too large; elsewhere
    Django's own page."""
    if not request.path_info.startswith("/api/"):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        refusal = ApiRefusal(
            "request_too_large",
            "La petición supera el tamaño máximo ({limit} bytes).",
            "The request is larger than the limit ({limit} bytes).",
            limit=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
        )
    else:
        refusal = ApiRefusal("bad_request", "La petición no es válida.", "The request is invalid.")
    return JsonResponse(error_body(refusal), status=status_for(refusal))
