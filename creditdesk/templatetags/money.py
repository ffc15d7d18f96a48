"""{{ amount|money:customer.country }}: an amount as the customer's invoices print it."""

from django import template
from djmoney.money import Money

from core.formatting import money_text

register = template.Library()


@register.filter
def money(amount: Money | None, country: str = "") -> str:
    if amount is None or amount == "":
        return ""
    return money_text(amount, country=country or "")
