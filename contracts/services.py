"""Every write on customers, contacts, plans and contracts.

Status changes go through `contract_transition`, which locks the customer and then the
contract (always in that order), checks the transition table, and writes a history row.
"""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from djmoney.money import Money

from contracts.exceptions import (
    HasHistory,
    PlanChangeNotAllowed,
    ReasonRequired,
    SecondLiveContract,
)
from contracts.models import Contact, Contract, ContractStatusChange, Customer, Plan, PlanChange
from contracts.transitions import LIVE, check_transition
from creditdesk.errors import full_clean_or_raise

Status = Contract.Status


def _create(model: type[models.Model], **fields: Any) -> Any:
    instance = model(**fields)
    full_clean_or_raise(instance)
    instance.save()
    return instance


def _update(instance: models.Model, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(instance, name, value)
    full_clean_or_raise(instance)
    instance.save(update_fields=list(fields))
    return instance


def customer_create(**fields: Any) -> Customer:
    return _create(Customer, **fields)


def customer_update(customer: Customer, **fields: Any) -> Customer:
    return _update(customer, **fields)


def contact_create(*, customer: Customer, **fields: Any) -> Contact:
    return _create(Contact, customer=customer, **fields)


def contact_update(contact: Contact, **fields: Any) -> Contact:
    return _update(contact, **fields)


def plan_create(*, currency: str, **fields: Any) -> Plan:
    """Prices left out are zero in the plan's own currency."""
    for name in Plan.MONEY_FIELDS:
        fields.setdefault(name, Money(0, currency))
    return _create(Plan, currency=currency, **fields)


def plan_update(plan: Plan, **fields: Any) -> Plan:
    return _update(plan, **fields)


def _delete(instance: models.Model, what: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as error:
        related = sorted({obj._meta.verbose_name for obj in error.protected_objects})
        raise HasHistory(what=what, related=", ".join(map(str, related))) from error


def customer_delete(customer: Customer) -> None:
    """Refused once the customer has contracts, credits or invoices: history stays."""
    _delete(customer, str(customer))


def contract_create(
    *, customer: Customer, plan: Plan, starts_on: date, services=(), **fields: Any
) -> Contract:
    """A new contract is a draft; `contract_activate` makes it the customer's live one."""
    with transaction.atomic():
        contract = _create(
            Contract,
            customer=customer,
            plan=plan,
            starts_on=starts_on,
            status=Status.DRAFT,
            **fields,
        )
        contract.services.set(services)
    return contract


def contract_delete(contract: Contract) -> None:
    """Only a draft that never went live may be deleted; anything else is cancelled."""
    if contract.status != Status.DRAFT or contract.status_changes.exists():
        raise HasHistory(what=str(contract), related="status")
    _delete(contract, str(contract))


def contract_transition(
    contract: Contract,
    *,
    to_status: str,
    by: AbstractBaseUser | None = None,
    reason: str = "",
) -> Contract:
    """Locks customer then contract, checks the table, keeps one live contract per customer.
    Suspending or cancelling needs a reason: the customer will ask why."""
    if to_status in (Status.SUSPENDED, Status.CANCELLED) and not reason.strip():
        raise ReasonRequired(field="reason")
    with transaction.atomic():
        Customer.objects.select_for_update().only("pk").get(pk=contract.customer_id)
        locked = Contract.objects.select_for_update().get(pk=contract.pk)
        check_transition(locked.status, to_status)
        if to_status in LIVE and locked.status not in LIVE:
            existing = (
                Contract.objects.filter(customer_id=locked.customer_id, status__in=LIVE)
                .exclude(pk=locked.pk)
                .values_list("pk", flat=True)
                .first()
            )
            if existing:
                raise SecondLiveContract(field="status", existing_id=existing)
        from_status = locked.status
        locked.status = to_status
        try:
            with transaction.atomic():
                locked.save(update_fields=["status"])
        except IntegrityError as error:  # a concurrent activation won the race
            raise SecondLiveContract(field="status", existing_id="?") from error
        ContractStatusChange.objects.create(
            contract=locked,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changed_by=by,
            changed_at=timezone.now(),
        )
    contract.status = to_status
    return locked


def contract_activate(contract: Contract, *, by=None, reason: str = "") -> Contract:
    return contract_transition(contract, to_status=Status.ACTIVE, by=by, reason=reason)


def contract_suspend(contract: Contract, *, by=None, reason: str) -> Contract:
    return contract_transition(contract, to_status=Status.SUSPENDED, by=by, reason=reason)


def contract_reactivate(contract: Contract, *, by=None, reason: str = "") -> Contract:
    return contract_transition(contract, to_status=Status.ACTIVE, by=by, reason=reason)


def contract_cancel(contract: Contract, *, by=None, reason: str) -> Contract:
    return contract_transition(contract, to_status=Status.CANCELLED, by=by, reason=reason)


def contract_change_plan(
    contract: Contract,
    *,
    plan: Plan,
    effective_on: date,
    by: AbstractBaseUser | None = None,
    reason: str = "",
) -> PlanChange:
    """Moves the contract to `plan` from `effective_on`; billing prorates the month by it."""
    with transaction.atomic():
        locked = (
            Contract.objects.select_for_update()
            .select_related("plan", "customer")
            .get(pk=contract.pk)
        )
        if locked.status == Status.CANCELLED:
            raise PlanChangeNotAllowed(
                field="plan",
                why_es="el contrato está cancelado",
                why_en="the contract is cancelled",
            )
        if plan.pk == locked.plan_id:
            raise PlanChangeNotAllowed(
                field="plan", why_es="ya es el plan del contrato", why_en="it is the current plan"
            )
        if effective_on < locked.starts_on:
            raise PlanChangeNotAllowed(
                field="effective_on",
                why_es="la fecha es anterior al inicio del contrato",
                why_en="the date is before the contract starts",
            )
        change = _create(
            PlanChange,
            contract=locked,
            from_plan=locked.plan,
            to_plan=plan,
            effective_on=effective_on,
            reason=reason,
            changed_by=by,
        )
        _update(locked, plan=plan)
    contract.plan = plan
    return change
