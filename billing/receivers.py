"""Billing's answers to other apps' signals."""

from datetime import date
from typing import Any

from django.db.models import QuerySet

from billing.services.onsite import onsite_charge_record
from contracts.models import Contract
from core.reads import first_row


def record_onsite_work(
    *, contract: Contract, performed_on: date, description: str, reference: str, **kwargs: Any
) -> None:
    """A plan without an on-site surcharge bills nothing extra for a visit."""
    if contract.plan.onsite_surcharge.amount <= 0:
        return
    onsite_charge_record(
        contract=contract, performed_on=performed_on, description=description, reference=reference
    )


def check_auto_top_up(*, customer_id: int, **kwargs: Any) -> None:
    """Credits changed (after commit): a customer with auto top-up on gets a check (a task),
    which charges its card when this took it below its threshold. One query otherwise."""
    from background.queue import enqueue_on_commit
    from billing.models import AutoTopUp
    from billing.tasks import auto_top_up_check_task

    def enabled(customer_id: int) -> QuerySet[AutoTopUp]:
        return AutoTopUp.objects.filter(customer_id=customer_id, enabled=True)

    # Compiled once per connection (core.reads): every intake's hold asks it.
    if first_row("auto_top_up_enabled", enabled, customer_id=customer_id) is not None:
        enqueue_on_commit(auto_top_up_check_task, customer_id)
