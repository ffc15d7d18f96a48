"""Low credits: telling a customer before a request is refused.

Each contract whose plan gates requests on credits has thresholds (`LowCreditsAlert`, empty
fields take the defaults): credits available below `threshold_credits` (default: the plan's
minimum to open a request plus two minimum charges, 4 on seed 003), or a run-out forecast
that reaches the minimum to open a request within `threshold_days` (default 14; the
forecast counts the intake minimum, `credits.selectors.credit_runout_forecast`).

The alert fires once per crossing: armed, a check that finds the credits low disarms it,
counts the crossing, mails the customer's billing address, its authorized contacts and its
account manager (`credits.tasks.send_low_credits`, once per crossing and recipient) and
announces `credits.low` to webhooks. Only credits coming in (a top-up, a grant) that lift
the customer back above every threshold re-arm it. Intake also announces `credits.low` when
a request leaves too few credits for the next one (`tickets.services.intake`).

`manage.py check_low_credits` checks every active contract hourly; each check locks the
contract's alert row (`credits.locks.low_credits_alert_lock`, nothing else), so two checks
at once fire once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction

from background.queue import enqueue_on_commit
from contracts.models import Contract
from core.events import event_emit
from credits.locks import low_credits_alert_lock
from credits.models import CREDIT_KINDS, CreditAccount, LedgerEntry, LowCreditsAlert
from credits.rules import credit_rule_for
from credits.selectors import credit_account_get, credit_runout_forecast
from credits.signals import available_credits_announce
from credits.tasks import send_low_credits

DEFAULT_DAYS = 14
MINIMUM_CHARGES_OF_MARGIN = 2


@dataclass(frozen=True)
class LowCreditsStatus:
    available: Decimal
    minimum: Decimal  # to open a request
    threshold_credits: Decimal
    threshold_days: int
    runs_out_at: datetime | None
    low: bool


def low_credits_status(
    *, contract: Contract, account: CreditAccount | None, now: datetime
) -> LowCreditsStatus:
    """The contract's thresholds (its own, else the defaults) and whether its customer's
    credits are below one of them now."""
    rule = credit_rule_for(contract)
    alert = LowCreditsAlert.objects.filter(contract=contract).first()
    threshold = alert.threshold_credits if alert else None
    if threshold is None:
        threshold = rule.min_available_credits + MINIMUM_CHARGES_OF_MARGIN * (
            rule.min_billable_credits
        )
    days = alert.threshold_days if alert and alert.threshold_days is not None else DEFAULT_DAYS
    available = account.available if account else Decimal("0")
    runs_out_at = None
    if account is not None:
        forecast = credit_runout_forecast(
            account=account, now=now, minimum=rule.min_available_credits
        )
        runs_out_at = forecast.runs_out_at
    soon = days > 0 and runs_out_at is not None and runs_out_at <= now + timedelta(days=days)
    return LowCreditsStatus(
        available=available,
        minimum=rule.min_available_credits,
        threshold_credits=threshold,
        threshold_days=days,
        runs_out_at=runs_out_at,
        low=available < threshold or soon,
    )


def credits_low_check(*, contract: Contract, now: datetime) -> bool:
    """Fire the contract's alert if its customer's credits crossed below a threshold (once
    per crossing), or re-arm it after credits came in; True when it fired now. Nothing for
    a plan that does not gate requests on credits."""
    if not contract.plan.takes_credits_for(None):
        return False
    account = credit_account_get(customer=contract.customer)
    status = low_credits_status(contract=contract, account=account, now=now)
    # The hourly sweep also reaches listeners that missed a change (billing's auto top-up).
    available_credits_announce(contract.customer_id)
    with transaction.atomic():
        alert = low_credits_alert_lock(contract_id=contract.pk)
        if status.low and alert.armed:
            alert.armed = False
            alert.crossings += 1
            alert.alerted_at = now
            alert.alerted_at_entry = account.entry_count if account else 0
            alert.save(update_fields=["armed", "crossings", "alerted_at", "alerted_at_entry"])
            enqueue_on_commit(send_low_credits, alert.pk, alert.crossings)
            if account is not None:
                event_emit("credits.low", account, key=f"alert:{alert.pk}:{alert.crossings}")
            return True
        if not status.low and not alert.armed and _credits_came_in(account, alert):
            alert.armed = True
            alert.save(update_fields=["armed"])
    return False


def _credits_came_in(account: CreditAccount | None, alert: LowCreditsAlert) -> bool:
    """Whether credits came in (a top-up, a grant, a refund) after the alert fired."""
    if account is None:
        return False
    return LedgerEntry.objects.filter(
        account=account, kind__in=CREDIT_KINDS, sequence__gt=alert.alerted_at_entry
    ).exists()
