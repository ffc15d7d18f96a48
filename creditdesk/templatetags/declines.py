"""A declined card's reason in the reader's language (`billing.declines`)."""

from django import template

from billing.declines import decline_reason as reason_of

register = template.Library()


@register.filter
def decline_reason(code: str) -> str:
    """{{ payment.failure_code|decline_reason }}: "" for a code we do not know."""
    return reason_of(code or "")
