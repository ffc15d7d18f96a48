"""The hook other apps use to bill on-site work: record it; the monthly run invoices it."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from billing.exceptions import NoLiveContract
from billing.models import OnsiteCharge
from contracts.models import Contract
from core.amounts import InvalidAmount
from core.errors import InvalidInput


def onsite_charge_record(
    *, contract: Contract, performed_on: date, description: str, reference: str = ""
) -> OnsiteCharge:
    """Bill the plan's on-site surcharge for a visit. With a `reference` (the ticket number)
    a second call for the same visit returns the first record instead of billing twice."""
    if not description.strip():
        blank = models.Field.default_error_messages["blank"]
        raise InvalidInput({"description": [ValidationError(blank, code="blank")]})
    contract = Contract.objects.select_related("plan").get(pk=contract.pk)
    if contract.status not in (Contract.Status.ACTIVE, Contract.Status.SUSPENDED):
        raise NoLiveContract(field="contract")
    surcharge = contract.plan.onsite_surcharge
    if surcharge.amount <= 0:
        raise InvalidAmount(field="onsite_surcharge", value=surcharge, sign="positive")
    try:
        with transaction.atomic():
            return OnsiteCharge.objects.create(
                contract=contract,
                performed_on=performed_on,
                description=description.strip()[:300],
                reference=reference.strip(),
                amount=surcharge,
            )
    except IntegrityError:
        if not reference.strip():
            raise
        return OnsiteCharge.objects.get(contract=contract, reference=reference.strip())
