"""Billing's answers to other apps' signals."""

from billing.services.onsite import onsite_charge_record


def record_onsite_work(*, contract, performed_on, description, reference, **kwargs) -> None:
    """A plan without an on-site surcharge bills nothing extra for a visit."""
    if contract.plan.onsite_surcharge.amount <= 0:
        return
    onsite_charge_record(
        contract=contract, performed_on=performed_on, description=description, reference=reference
    )
