"""Rate limits: failed token authentications per client address, and intake per customer.

Only failures are counted and only failures are refused: a valid token always authenticates,
however many bad tokens came from the same address before it (a shared office or proxy
address must not lock out its good callers). The address is `creditdesk.security.
client_address` (trusted proxies).

Rates are `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_failure"]` and `["intake"]`
("20/min", "30/min"...; None switches one off), read at each request so a settings change
applies at once. Counters live in Django's default cache: with several server processes,
configure a shared cache (Redis, Memcached, the database cache) or each process counts alone.
An exceeded limit answers 429 with `Retry-After`.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.reads import first_row
from creditdesk.security import client_address


class _CountedRate(SimpleRateThrottle):
    """SimpleRateThrottle keyed by what the caller names, with its rate read per request."""

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def over_limit(self, ident: str) -> float | None:
        """Seconds to wait when `ident` has used its rate, else None (nothing recorded)."""
        if self.rate is None:
            return None
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.wait() or 1
        return None

    def record(self, ident: str) -> None:
        if self.rate is None:
            return
        self.over_limit(ident)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class ThrottledTokenAuthentication(TokenAuthentication):
    """Token authentication that answers 429 instead of 401 to an address that sent too
    many bad tokens; a valid token is never refused."""

    def authenticate(self, request):
        if not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("token"):
            return None
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            limit = _CountedRate("auth_failure")
            address = client_address(request) or "unknown"
            wait = limit.over_limit(address)
            if wait is not None:
                raise Throttled(wait=wait) from None
            limit.record(address)
            raise

    def authenticate_credentials(self, key):
        # DRF's check and messages, with the token's read compiled once per connection
        # (core.reads): the ORM built it anew for every API request.
        model = self.get_model()
        token = first_row(("api_token", model._meta.label), _token_read(model), key=key)
        if token is None:
            raise AuthenticationFailed(_("Invalid token."))
        if not token.user.is_active:
            raise AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)


def _token_read(model):
    def read(*, key: str):
        return model.objects.select_related("user").filter(key=key)

    return read


def intake_check(customer_id: int) -> None:
    """Count one ticket opening for the customer, or raise 429 when over the rate."""
    limit = _CountedRate("intake")
    wait = limit.over_limit(str(customer_id))
    if wait is not None:
        raise Throttled(wait=wait)
    limit.record(str(customer_id))
