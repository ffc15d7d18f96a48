"""A declined card's reason in the reader's language (`billing.declines`)."""

from django import template
from django.utils.html import format_html

from billing.declines import IN_ENGLISH, decline_words
from billing.declines import decline_explained as explained

register = template.Library()


@register.filter
def decline_explained(code: str, provider_message: str) -> str:
    """{{ code|decline_explained:message }}: the decline as plain text (mail)."""
    return explained(code or "", provider_message or "")


@register.filter
def decline_html(code: str, provider_message: str) -> str:
    """{{ code|decline_html:message }}: the decline on a page, the provider's words marked
    as English for screen readers and translators."""
    ours, providers = decline_words(code or "", provider_message or "")
    if ours or not providers:
        return ours
    return format_html('{} <q lang="en">{}</q>', IN_ENGLISH, providers)
