"""Who is asking and how often: the client address behind trusted proxies, and the counters
that limit password-reset requests and anonymous readers' answers to the help articles.

`client_address` is the one answer to "which address is this request from", used by the
login lockout (django-axes, `AXES_CLIENT_IP_CALLABLE`), the API's bad-token throttle and the
password-reset limit. `X-Forwarded-For` is believed only as far as `TRUSTED_PROXY_COUNT`
proxies in front of us (each appends the address it saw): with 0 it is ignored, since any
client can send it.

Counters live in Django's default cache (configure a shared one with several processes).
"""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.errors import CreditdeskError


def client_address(request) -> str | None:
    """REMOTE_ADDR, or, behind `TRUSTED_PROXY_COUNT` proxies, the address the outermost of
    them saw (the n-th entry of X-Forwarded-For from the right). None when the request
    carries no valid IP address (a header is never trusted to be one)."""
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote
    return _ip(forwarded[-proxies]) or remote


def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


class TooManyRequests(CreditdeskError):
    code = "too_many_requests"
    message_es = "Demasiadas solicitudes. Intente de nuevo en {minutes} minutos."
    message_en = "Too many requests. Please try again in {minutes} minutes."


def _count(key: str, limit: int, period: timedelta) -> bool:
    """Record one request under `key`; False when `limit` were already recorded in `period`."""
    now = timezone.now().timestamp()
    since = now - period.total_seconds()
    history = [moment for moment in cache.get(key, []) if moment > since]
    if len(history) >= limit:
        return False
    cache.set(key, [*history, now], int(period.total_seconds()))
    return True


def password_reset_check(request, email: str) -> None:
    """Count one password-reset request, or raise `TooManyRequests` when its address or the
    e-mail address asked for already used their hourly allowance. The answer never depends
    on whether an account has that e-mail address (no enumeration)."""
    period = timedelta(hours=1)
    by_address = f"password-reset:ip:{client_address(request) or 'unknown'}"
    by_email = f"password-reset:email:{email.strip().lower()}"
    allowed = _count(by_address, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, period)
    if allowed and email.strip():
        allowed = _count(by_email, settings.PASSWORD_RESET_LIMIT_PER_EMAIL, period)
    if not allowed:
        raise TooManyRequests(minutes=60)


def anonymous_feedback_check(request) -> None:
    """Count one anonymous reader's "was this helpful?" answer, or raise `TooManyRequests`
    when its address already gave its hourly allowance: such a reader is one per browser
    session, and a new session costs nothing, so the address bounds the stuffing."""
    key = f"kb-feedback:ip:{client_address(request) or 'unknown'}"
    if not _count(key, settings.KB_FEEDBACK_LIMIT_PER_ADDRESS, timedelta(hours=1)):
        raise TooManyRequests(minutes=60)
