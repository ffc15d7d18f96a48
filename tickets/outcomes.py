"""A resolution's outcome (issue 20): solved, advice, out of scope or quote issued.

`outcome_fields` checks what the resolver gave before anything is written and answers the
ticket fields to save, or refuses with `InvalidInput` naming the field: advice names a
published knowledge article, out of scope a suggested alternative (at most
`OUTCOME_ALTERNATIVE_LIMIT` characters), quote issued a quote of this ticket that was sent.

Quotes sit above tickets, so tickets cannot read them: the quotes app registers its check
(`quote_check_register`, from its `ready()`), called with the ticket and the number given;
it answers the quote's number or raises `InvalidInput` on `outcome_quote`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, text_at_most
from tickets.models import OUTCOME_ALTERNATIVE_LIMIT, Outcome, Ticket

QuoteCheck = Callable[[Ticket, str], str]
_quote_check: list[QuoteCheck] = []


def quote_check_register(check: QuoteCheck) -> None:
    """The quotes app's check of a quote named as a ticket's outcome (once per process)."""
    _quote_check[:] = [check]


def _article(value: Any) -> Any:
    from knowledge.models import Article

    if isinstance(value, Article):
        article = value if value.status == Article.Status.PUBLISHED else None
    else:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            pk = None
        article = (
            Article.objects.filter(pk=pk, status=Article.Status.PUBLISHED).first()
            if pk is not None
            else None
        )
    if article is None:
        raise InvalidInput(
            {"outcome_article": [_("Elija un artículo publicado de la base de conocimiento.")]}
        )
    return article


def outcome_fields(
    ticket: Ticket,
    *,
    outcome: str | None,
    article: Any = None,
    alternative: str = "",
    quote: str = "",
) -> dict[str, Any]:
    """The outcome fields a resolution saves, checked; `None` outcome means solved."""
    outcome = outcome or Outcome.SOLVED
    if outcome not in Outcome.values:
        raise InvalidInput({"outcome": [_("Elija un resultado de la lista.")]})
    fields: dict[str, Any] = {
        "outcome": outcome,
        "outcome_article": None,
        "outcome_alternative": "",
        "outcome_quote_number": "",
    }
    if outcome == Outcome.ADVICE:
        if article in (None, ""):
            raise InvalidInput({"outcome_article": [_("Indique el artículo enviado al cliente.")]})
        fields["outcome_article"] = _article(article)
    elif outcome == Outcome.OUT_OF_SCOPE:
        text = (alternative or "").strip()
        if not text:
            raise InvalidInput(
                {"outcome_alternative": [_("Indique la alternativa sugerida al cliente.")]}
            )
        fields["outcome_alternative"] = text_at_most(
            text, field="outcome_alternative", limit=OUTCOME_ALTERNATIVE_LIMIT
        )
    elif outcome == Outcome.QUOTE:
        number = (quote or "").strip()
        if not number:
            raise InvalidInput({"outcome_quote": [_("Indique el presupuesto emitido.")]})
        if not _quote_check:
            raise InvalidInput({"outcome_quote": [_("No hay presupuestos en este sistema.")]})
        fields["outcome_quote_number"] = _quote_check[0](ticket, number)
    return fields


def outcome_clear() -> dict[str, Any]:
    """A reopened ticket has no outcome until it is resolved again."""
    return {
        "outcome": "",
        "outcome_article": None,
        "outcome_alternative": "",
        "outcome_quote_number": "",
    }


@dataclass(frozen=True)
class OutcomeMonth:
    """How the resolutions of one month ended (by the reader's calendar month)."""

    month: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def rows(self) -> list[tuple[str, str, int]]:
        """(outcome, its label, count) in the choices' order, zeros included."""
        return [(value, label, self.counts.get(value, 0)) for value, label in Outcome.choices]


def outcomes_by_month(
    tickets: QuerySet[Ticket], *, start: datetime, end: datetime, zone: tzinfo
) -> list[OutcomeMonth]:
    """The outcome mix per month of `tickets` resolved in [start, end), counted in the
    database (one grouped query); months in `zone`, without a resolution left out."""
    rows = (
        tickets.filter(resolved_at__gte=start, resolved_at__lt=end)
        .exclude(outcome="")
        .annotate(month=TruncMonth("resolved_at", tzinfo=zone))
        .values("month", "outcome")
        .annotate(count=Count("pk"))
        .order_by("month", "outcome")
    )
    months: dict[date, dict[str, int]] = {}
    for row in rows:
        month = row["month"]
        day = month.date() if isinstance(month, datetime) else month
        months.setdefault(day, {})[row["outcome"]] = row["count"]
    return [OutcomeMonth(month, counts) for month, counts in sorted(months.items())]
