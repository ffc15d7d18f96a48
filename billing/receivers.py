"""Billing's answers to other apps' signals."""

from datetime import date
from typing import Any

from billing.services.onsite import onsite_charge_record
from contracts.models import Contract


def record_onsite_work(
    *, contract: Contract, performed_on: date, description: str, reference: str, **kwargs: Any
) -> None:
    """A plan without an on-site surcharge bills nothing extra for a visit."""
    if contract.plan.onsite_surcharge.amount <= 0:
        return
    onsite_charge_record(
        contract=contract, performed_on=performed_on, description=description, reference=reference
    )
