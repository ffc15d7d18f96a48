"""{{ amount|money:customer.country }}: an amount as the customer's invoices print it.

One format per language everywhere: pages use the invoice PDFs' own formatter
(billing.documents.formatting), so the portal, the workspace and the PDF all read
"$ 1.071.000" for a Colombian reader in Spanish and "COP 1,071,000" in English."""

from django import template
from django.utils import translation
from djmoney.money import Money

from billing.documents.formatting import display_digits, document_locale, format_money

register = template.Library()


@register.filter
def money(amount: Money | None, country: str = "") -> str:
    if amount is None or amount == "":
        return ""
    locale = document_locale(translation.get_language() or "es", country or "")
    digits = display_digits(str(amount.currency), [amount])
    return format_money(amount, locale=locale, digits=digits)
