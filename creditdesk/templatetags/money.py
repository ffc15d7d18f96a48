"""{{ amount|money:customer.country }}: an amount as the customer's invoices print it;
{{ value|credits }}: credits as every page, PDF and refusal writes them (core.formatting)."""

from decimal import Decimal, InvalidOperation

from django import template
from djmoney.money import Money

from core.formatting import credits_text, money_text

register = template.Library()


@register.filter
def money(amount: Money | None, country: str = "") -> str:
    if amount is None or amount == "":
        return ""
    return money_text(amount, country=country or "")


@register.filter
def credits(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    try:
        return credits_text(Decimal(value))
    except (InvalidOperation, TypeError):
        return str(value)
