"""A declined card's reason in the reader's language (`billing.declines`)."""

from django import template

from billing.declines import decline_explained as explained
from billing.declines import decline_reason as reason_of

register = template.Library()


@register.filter
def decline_reason(code: str) -> str:
    """{{ payment.failure_code|decline_reason }}: "" for a code we do not know."""
    return reason_of(code or "")


@register.filter
def decline_explained(code: str, provider_message: str) -> str:
    """{{ code|decline_explained:message }}: the plain-text decline (`billing.declines`)."""
    return explained(code or "", provider_message or "")
