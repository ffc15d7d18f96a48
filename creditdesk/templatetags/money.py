"""{{ amount|money }}: an amount as every page, PDF and mail writes it, in the reader's
language whoever's it is (core.formatting.money_text);
{{ value|credits }}: credits as every page, PDF and refusal writes them;
{{ share|percent }}: a figure in percent, grouped (core.formatting)."""

from decimal import Decimal, InvalidOperation

from django import template
from djmoney.money import Money

from core.formatting import credits_text, money_text, percent_figure

register = template.Library()


@register.filter
def money(amount: Money | None) -> str:
    if amount is None or amount == "":
        return ""
    return money_text(amount)


@register.filter
def percent(value: Decimal | None) -> str:
    """{{ clock.percent_used|percent }} % : "1.350,0" (core.formatting.percent_figure)."""
    return "" if value is None else percent_figure(Decimal(value))


@register.filter
def credits(value: Decimal | int | str | None) -> str:
    if value is None or value == "":
        return ""
    try:
        return credits_text(Decimal(value))
    except (InvalidOperation, TypeError):
        return str(value)
