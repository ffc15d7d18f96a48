"""What the portal's card pages hand Stripe.js: one place for its script's address and its
settings, so the payment page and the auto top-up pages cannot drift apart."""

from typing import Any

from django.conf import settings

from core.languages import language_code

# Stripe.js writes its own messages (a declined card, a wrong number) in the locale it is
# given, else in the browser's; our Spanish is Latin America's.
STRIPE_LOCALES = {"es": "es-419", "en": "en"}


def stripe_js_url() -> str:
    base = settings.STRIPE_API_BASE.rstrip("/")
    # localstripe serves its Stripe.js stand-in under the same path as Stripe.
    return f"{base}/js.stripe.com/v3/" if base else "https://js.stripe.com/v3/"


def stripe_js_config(*, secret: str, **messages: Any) -> dict[str, Any] | None:
    """The publishable key, the intent's client secret, the page's language and the page's
    own messages; None when card payments are not set up or there is nothing to confirm."""
    if not secret or not settings.STRIPE_PUBLISHABLE_KEY:
        return None
    return {
        "key": settings.STRIPE_PUBLISHABLE_KEY,
        "secret": secret,
        "locale": STRIPE_LOCALES[language_code()],
        **messages,
    }
