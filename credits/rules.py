"""The billing rule: billable minutes to credits, with an explanation a customer can check.

1 credit is 1 hour of support. Minutes are counted in increments (60 min by default),
rounded up (each started increment bills), to the nearest (half up), or down; an increment
is worth increment/60 credits; the result is never below the rule's minimum billable.
Zero minutes bill the minimum: a request that is charged at all costs at least that
(seed 003, "mínimo facturable por solicitud: 1 crédito"); a request that should cost
nothing has its hold released instead of being charged.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from contracts.models import Contract, Plan
from core.languages import in_language
from credits.exceptions import InvalidMinutes

CENT = Decimal("0.01")
MINUTES_PER_CREDIT = 60


@dataclass(frozen=True)
class CreditRule:
    min_available_credits: Decimal
    min_billable_credits: Decimal
    increment_minutes: int
    rounding: str = Plan.Rounding.UP


def credit_rule_for(contract: Contract, plan: Plan | None = None) -> CreditRule:
    """The rule in force: each of the contract's overrides, else its plan's value (`plan`:
    another plan of the contract's, e.g. the one in force at a period's end)."""
    plan = plan or contract.plan

    def pick(name: str) -> Any:
        value = getattr(contract, name)
        return getattr(plan, name) if value is None or value == "" else value

    return CreditRule(
        min_available_credits=pick("min_available_credits"),
        min_billable_credits=pick("min_billable_credits"),
        increment_minutes=pick("billing_increment_minutes"),
        rounding=pick("rounding"),
    )


@dataclass(frozen=True)
class Explanation:
    es: str
    en: str

    def in_language(self, language: str | None = None) -> str:
        return in_language(self.es, self.en, language)

    def __str__(self) -> str:
        return self.in_language()


class BilledCredits(NamedTuple):
    credits: Decimal
    explanation: Explanation


def credits_from_minutes_exact(minutes: int) -> Decimal:
    """Credits worth `minutes` of work, rounded half up to the cent (the one rounding step)."""
    return (Decimal(minutes) / MINUTES_PER_CREDIT).quantize(CENT, rounding=ROUND_HALF_UP)


def _increments(minutes: int, increment: int, rounding: str) -> int:
    if rounding == Plan.Rounding.DOWN:
        return minutes // increment
    if rounding == Plan.Rounding.NEAREST:
        return (2 * minutes + increment) // (2 * increment)
    return -(-minutes // increment)


def _check_minutes(minutes: int) -> None:
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        raise InvalidMinutes(value=minutes)


def hours_for_minutes(minutes: int, rule: CreditRule) -> Decimal:
    """Hours (1 hour = 1 credit) billed for `minutes` by the rule's increment and rounding,
    without the per-request minimum: an allowance's overage at month end (each started
    hour of it, by seed 003's rule), in money or in credits."""
    _check_minutes(minutes)
    increments = _increments(minutes, rule.increment_minutes, rule.rounding)
    return credits_from_minutes_exact(increments * rule.increment_minutes)


def credits_for_minutes(minutes: int, rule: CreditRule) -> BilledCredits:
    """Credits for `minutes` of billable work under `rule`, with a Spanish and English why."""
    _check_minutes(minutes)
    increments = _increments(minutes, rule.increment_minutes, rule.rounding)
    worked = credits_from_minutes_exact(increments * rule.increment_minutes)
    minimum = rule.min_billable_credits
    total = max(minimum, worked)
    return BilledCredits(total, _explain(minutes, increments, worked, total, rule))


def charge_explanation(billed: BilledCredits, already: Decimal) -> Explanation:
    """Why a charge is what it is. A second charge (a reopened ticket) bills only what the
    new total adds: "80 min: ... = 2 créditos en total; ya cobrado 1 crédito; ahora 1
    crédito"."""
    if already <= 0:
        return billed.explanation
    now = billed.credits - already
    return Explanation(
        es=f"{billed.explanation.es} en total; ya cobrado {_credits_es(already)}; "
        f"ahora {_credits_es(now)}",
        en=f"{billed.explanation.en} in total; already charged {_credits_en(already)}; "
        f"now {_credits_en(now)}",
    )


def _number(value: Decimal) -> str:
    text = f"{value:.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _credits_es(value: Decimal) -> str:
    return f"{_number(value)} crédito" + ("" if value == 1 else "s")


def _credits_en(value: Decimal) -> str:
    return f"{_number(value)} credit" + ("" if value == 1 else "s")


_QUALIFIER = {
    Plan.Rounding.UP: ("started", "iniciad"),
    Plan.Rounding.NEAREST: ("rounded", "redondead"),
    Plan.Rounding.DOWN: ("complete", "complet"),
}


def _explain(
    minutes: int, increments: int, worked: Decimal, total: Decimal, rule: CreditRule
) -> Explanation:
    minimum = rule.min_billable_credits
    if worked <= minimum:
        return Explanation(
            es=f"{minutes} min: mínimo {_credits_es(minimum)} = {_credits_es(total)}",
            en=f"{minutes} min: {_credits_en(minimum)} minimum = {_credits_en(total)}",
        )
    increment = rule.increment_minutes
    qualifier_en, stem_es = _QUALIFIER.get(
        Plan.Rounding(rule.rounding), _QUALIFIER[Plan.Rounding.UP]
    )
    hourly = increment == MINUTES_PER_CREDIT
    noun_en = "hour" if hourly else f"{increment}-min period"
    noun_es, nouns_es, ending_es = (
        ("hora", "horas", "a")
        if hourly
        else (f"periodo de {increment} min", f"periodos de {increment} min", "o")
    )
    per_increment = credits_from_minutes_exact(increment)
    covered = minimum / per_increment if per_increment else Decimal("0")
    if covered != covered.to_integral_value():
        # The minimum is not a whole number of increments: state the count instead.
        return Explanation(
            es=f"{minutes} min: {increments} {nouns_es} {stem_es}{ending_es}s "
            f"= {_credits_es(total)} (mínimo {_credits_es(minimum)})",
            en=f"{minutes} min: {increments} {qualifier_en} {noun_en}s "
            f"= {_credits_en(total)} ({_credits_en(minimum)} minimum)",
        )
    first, last = int(covered) + 1, increments
    extra = _number(total - minimum)
    if first == last:
        span_en = f"{qualifier_en} {noun_en} {first}"
        span_es = f"{'la' if hourly else 'el'} {noun_es} {first} {stem_es}{ending_es}"
    else:
        span_en = f"{qualifier_en} {noun_en}s {first}-{last}"
        article = "las" if hourly else "los"
        span_es = f"{article} {nouns_es} {first} a {last} {stem_es}{ending_es}s"
    return Explanation(
        es=f"{minutes} min: mínimo {_credits_es(minimum)} + {extra} por {span_es} "
        f"= {_credits_es(total)}",
        en=f"{minutes} min: {_credits_en(minimum)} minimum + {extra} for {span_en} "
        f"= {_credits_en(total)}",
    )
