"""The Idempotency-Key header on POSTs that move money or credits.

The first request with a key claims it (a unique row per user and key) and its response is
stored; a later request with the same key and the same method, path and body gets that
response again (header `Idempotent-Replayed: true`) and does nothing; the same key with
another request is refused with 422 `idempotency_key_reused`; a request arriving while the
first is still being served gets 409 `idempotency_key_in_use`.

A server error or a 429 is not stored: the claim is dropped so the client may retry. Nor is
a refusal that holds a NUL (quoting the request's bad value): PostgreSQL's jsonb cannot keep
one, and the same request is refused the same way again. A success holding one is stored
with U+FFFD in its place, so its work is never done twice. Keys are per user, so
one integrator's keys never collide with another's.
"""

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from creditdesk.api.errors import ApiRefusal
from creditdesk.api.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
NOT_STORED = {429}

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (a UUID). The same key with the same request returns the first "
        "response and does the work once; the same key with another request is 422."
    ),
)


def fingerprint(request) -> str:
    payload = json.dumps(
        [request.method, request.path, request.data],
        sort_keys=True,
        cls=DjangoJSONEncoder,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _claim(request, key: str) -> tuple[IdempotencyRecord, Response | None]:
    """Claim the key, or answer with what the first request with it got."""
    print_ = fingerprint(request)
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user=request.user,
                key=key,
                fingerprint=print_,
                method=request.method,
                path=request.path[:500],
            )
        return record, None
    except IntegrityError:
        record = IdempotencyRecord.objects.get(user=request.user, key=key)
    if record.fingerprint != print_:
        raise ApiRefusal(
            "idempotency_key_reused",
            "La clave {key} ya se usó con otra solicitud.",
            "Key {key} was already used with a different request.",
            field=HEADER,
            key=key,
        )
    if record.status_code is None:
        raise ApiRefusal(
            "idempotency_key_in_use",
            "Una solicitud con la clave {key} todavía está en curso; reintente luego.",
            "A request with key {key} is still being processed; retry later.",
            field=HEADER,
            key=key,
        )
    replay = Response(record.response_body, status=record.status_code)
    replay["Idempotent-Replayed"] = "true"
    return record, replay


def _holds_nul(value: object) -> bool:
    return _nul_replaced(value) != value


def _nul_replaced(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_nul_replaced(key): _nul_replaced(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nul_replaced(item) for item in value]
    return value


def idempotent(method: Callable) -> Callable:
    """Decorate a viewset action (after authentication, permissions and throttles ran)."""

    @functools.wraps(method)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        key = key.strip()
        if not (0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()):
            # A control character (NUL among them, which PostgreSQL cannot store) or a
            # letter a proxy may recode would make the same key two.
            unusable = gettext(
                "Use de 1 a %(limit)s caracteres ASCII visibles (por ejemplo, un UUID)."
            )
            raise ValidationError({HEADER: [unusable % {"limit": MAX_KEY_LENGTH}]})
        record, replay = _claim(request, key)
        if replay is not None:
            return replay
        try:
            try:
                response = method(view, request, *args, **kwargs)
            except Exception as exc:
                response = view.handle_exception(exc)  # re-raises what is a server error
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 500 or response.status_code in NOT_STORED:
            record.delete()
            return response
        body = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
        if _holds_nul(body):
            if response.status_code >= 400:  # a refusal: asked again, refused again
                record.delete()
                return response
            # Work done: kept, so a retry does not do it twice, in what jsonb can hold.
            body = _nul_replaced(body)
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            status_code=response.status_code, response_body=body, completed_at=timezone.now()
        )
        return response

    return wrapper
