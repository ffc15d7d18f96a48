"""Every write on customers, contacts, plans and contracts.

Status changes go through `contract_transition`, which locks the contract after its
customer (`contracts.locks` holds the one lock order), checks the transition table, and
writes a history row.
"""

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.functional import lazystr
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField
from djmoney.money import Money
from djmoney.utils import get_currency_field_name

from contracts.exceptions import (
    CurrencyLocked,
    HasHistory,
    PlanChangeNotAllowed,
    SecondLiveContract,
)
from contracts.locks import contact_lock, contract_lock, customer_lock, plan_lock
from contracts.models import (
    REASON_LIMIT,
    Contact,
    Contract,
    ContractStatusChange,
    CreditPack,
    Customer,
    CustomerNote,
    Plan,
    PlanChange,
)
from contracts.selectors import currency_history, plan_change_waiting
from contracts.transitions import LIVE, check_transition
from core.amounts import PRICE_DIGITS, CurrencyMismatch, parse_money
from core.errors import (
    InvalidInput,
    ReasonRequired,
    full_clean_or_raise,
    text_at_most,
)
from core.events import event_emit
from core.instants import day_within

Status = Contract.Status
logger = logging.getLogger(__name__)


def _create(model: type[models.Model], **fields: Any) -> Any:
    instance = model(**fields)
    full_clean_or_raise(instance, texts=_texts(fields))
    instance.save()
    return instance


def _update(instance: models.Model, **fields: Any) -> Any:
    for name, value in fields.items():
        setattr(instance, name, value)
    full_clean_or_raise(instance, texts=_texts(fields))
    instance.save(update_fields=_columns(instance, fields))
    return instance


def _texts(fields: dict[str, Any]) -> list[str]:
    """The fields given as text (names, addresses, notes, reasons): none may hold a control
    character, which PDFs, mails, exports and webhooks would carry."""
    return [name for name, value in fields.items() if isinstance(value, str)]


def _columns(instance: models.Model, names: Iterable[str]) -> list[str]:
    """`names` plus the currency column of each MoneyField among them, which `update_fields`
    would otherwise leave behind (a price saved in its old currency)."""
    columns = []
    for name in names:
        columns.append(name)
        field = instance._meta.get_field(name)
        if isinstance(field, MoneyField):
            columns.append(get_currency_field_name(name, field))
    return columns


def customer_create(**fields: Any) -> Customer:
    return _create(Customer, **fields)


def customer_update(customer: Customer, **fields: Any) -> Customer:
    """The currency is fixed once contracts, credits or invoices were recorded in it."""
    with transaction.atomic():
        locked = customer_lock(customer.pk)
        if fields.get("currency", locked.currency) != locked.currency:
            _check_currency(fields["currency"])
            _refuse_currency_change(locked)
        _update(locked, **fields)
    for name in fields:
        setattr(customer, name, getattr(locked, name))
    return customer


def contact_create(*, customer: Customer, **fields: Any) -> Contact:
    return _create(Contact, customer=customer, **fields)


def contact_update(contact: Contact, **fields: Any) -> Contact:
    return _update(contact, **fields)


def contact_portal_access_grant(
    contact: Contact, *, username: str, password: str
) -> AbstractBaseUser:
    """A portal login for the contact: a user without staff rights, linked to it. What the
    contact may do in the portal follows from the contact (its customer, `can_request`)."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            username, email=contact.email, password=password
        )
        _update(contact, user=user)
    return user


def contact_portal_invite(contact: Contact) -> AbstractBaseUser:
    """The contact's portal login, made for an invitation: its username is the contact's
    address and it has no usable password until the contact sets one from the invitation's
    link. An existing login is kept (the invitation is sent again). Locks the contact."""
    with transaction.atomic():
        locked = contact_lock(contact.pk)
        if locked.user_id is not None:
            contact.user = locked.user
            return locked.user
        username = locked.email.strip().lower()
        users = get_user_model().objects
        if users.filter(username__iexact=username).exists():
            raise InvalidInput(
                {
                    "contact": [
                        ValidationError(
                            _("Ya existe un usuario con el nombre %(username)s."),
                            params={"username": username},
                        )
                    ]
                }
            )
        user = users.create_user(username, email=locked.email)  # no usable password yet
        _update(locked, user=user)
    contact.user = user
    return user


def customer_note_add(*, customer: Customer, author: AbstractBaseUser, text: str) -> CustomerNote:
    """A private staff note; its text is trimmed and bounded (`CustomerNote.TEXT_MAX_LENGTH`)."""
    return _create(CustomerNote, customer=customer, author=author, text=(text or "").strip())


def credit_pack_create(*, plan: Plan, **fields: Any) -> CreditPack:
    """A pack on sale on `plan`; a plain-number price is read in the plan's currency."""
    fields["price"] = parse_money(
        fields.get("price", 0),
        field="price",
        currency=plan.currency,
        sign="non_negative",
        max_digits=PRICE_DIGITS,
    )
    return _create(CreditPack, plan=plan, **fields)


def plan_create(*, currency: str, **fields: Any) -> Plan:
    """Prices may be Money or plain numbers in the plan's currency; left out, they are zero."""
    _check_currency(currency)
    for name in Plan.MONEY_FIELDS:
        fields[name] = _price(fields.get(name, 0), field=name, currency=currency)
    return _create(Plan, currency=currency, **fields)


def plan_update(plan: Plan, **fields: Any) -> Plan:
    """A plan sold in a currency keeps it: once it has contracts or credit packs, changing it
    is refused. Prices given as plain numbers are in the plan's (new) currency."""
    with transaction.atomic():
        locked = plan_lock(plan.pk)
        currency = fields.get("currency", locked.currency)
        if currency != locked.currency:
            _check_currency(currency)
            _refuse_currency_change(locked)
            for name in Plan.MONEY_FIELDS:
                if name not in fields:  # kept: zero is zero anywhere, any other is refused
                    price = getattr(locked, name)
                    empty = price is None or price.amount == 0
                    fields[name] = Money(0, currency) if empty else price
        for name in Plan.MONEY_FIELDS:
            if name in fields:
                fields[name] = _price(fields[name], field=name, currency=currency)
        _update(locked, **fields)
    for name in fields:
        setattr(plan, name, getattr(locked, name))
    return plan


def _price(value: Any, *, field: str, currency: str) -> Money:
    return parse_money(
        value,
        field=field,
        currency=currency,
        sign="non_negative",
        max_digits=Plan._meta.get_field(field).max_digits,
    )


def _check_currency(currency: Any) -> None:
    """Before any Money is built in it: py-moneyed raises on a code it does not know."""
    if currency not in settings.CURRENCIES:
        invalid = models.Field.default_error_messages["invalid_choice"]
        raise InvalidInput({"currency": [ValidationError(invalid, params={"value": currency})]})


def _names(kinds: list[Any]) -> Any:
    """`kinds` joined with commas, still lazy so each language gets its own words."""
    return format_lazy(", ".join(["{}"] * len(kinds)), *kinds)


def _refuse_currency_change(instance: Customer | Plan) -> None:
    kinds = currency_history(instance)
    if kinds:
        raise CurrencyLocked(
            what=lazystr(instance), related=_names(kinds), currency=instance.currency
        )


def _delete(instance: models.Model, *, field: str) -> None:
    try:
        with transaction.atomic():
            instance.delete()
    except ProtectedError as error:
        kinds = {obj._meta.verbose_name_plural for obj in error.protected_objects}
        raise HasHistory(
            field=field, what=lazystr(instance), related=_names(sorted(kinds, key=str))
        ) from error


def customer_delete(customer: Customer) -> None:
    """Refused once the customer has contracts, credits or invoices: history stays."""
    _delete(customer, field="customer")


def contract_create(
    *, customer: Customer, plan: Plan, starts_on: date, services=(), **fields: Any
) -> Contract:
    """A new contract is a draft; `contract_activate` makes it the customer's live one.
    Locks customer then plan, so neither changes currency under it. It starts within a year
    of the customer's today, either way."""
    if isinstance(starts_on, date):
        today = customer_today(customer)
        day_within(
            starts_on,
            field="starts_on",
            earliest=today - timedelta(days=366),
            latest=today + timedelta(days=366),
        )
    with transaction.atomic():
        customer = customer_lock(customer.pk)
        plan = plan_lock(plan.pk)
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
        raise HasHistory(
            field="contract",
            what=lazystr(contract),
            related=ContractStatusChange._meta.verbose_name_plural,
        )
    _delete(contract, field="contract")


def contract_transition(
    contract: Contract,
    *,
    to_status: str,
    by: AbstractBaseUser | None = None,
    reason: str = "",
) -> Contract:
    """Locks customer then contract, checks the table, keeps one live contract per customer.
    Suspending or cancelling needs a reason: the customer will ask why."""
    text_at_most(reason, field="reason", limit=REASON_LIMIT)
    if to_status in (Status.SUSPENDED, Status.CANCELLED) and not reason.strip():
        raise ReasonRequired()
    with transaction.atomic():
        locked = contract_lock(contract.pk, customer_id=contract.customer_id)
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
        if to_status == Status.CANCELLED:  # a plan it will never reach
            locked.plan_changes.filter(applied_at__isnull=True).delete()
        ContractStatusChange.objects.create(
            contract=locked,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            by=by,
            at=timezone.now(),
        )
        if to_status == Status.SUSPENDED:
            event_emit("contract.suspended", locked)
        elif from_status == Status.SUSPENDED and to_status == Status.ACTIVE:
            event_emit("contract.reactivated", locked)
    contract.status = to_status
    return locked


def contract_start(
    *, customer: Customer, plan: Plan, starts_on: date, activate: bool, by=None
) -> Contract:
    """A new contract (`contract_create`), made the customer's live one at once when
    `activate`: both or neither, so an activation refused (the customer's contract still
    live) leaves no draft behind. The customer's draft on the same plan and start, when
    there is one, is taken instead of a new one: a form sent twice makes one draft."""
    with transaction.atomic():
        customer_lock(customer.pk)  # two submits at once find, or make, the same draft
        contract = Contract.objects.filter(
            customer=customer, plan=plan, starts_on=starts_on, status=Status.DRAFT
        ).first() or contract_create(customer=customer, plan=plan, starts_on=starts_on)
        if activate:
            contract = contract_activate(contract, by=by, reason="")
    return contract


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
    replace_waiting: bool = False,
) -> PlanChange:
    """Moves the contract to `plan` from `effective_on`; billing prorates the month by it.

    A change dated up to the customer's today takes effect now; a later one waits for
    `plan_changes_apply_due` on its day. One change may wait at a time: to move it,
    `contract_withdraw_plan_change` and schedule again, or pass `replace_waiting` (what a
    Stripe subscription starting or ending does: it outranks a change planned by hand).
    Locks customer, contract, then plan: the order of `contracts.locks`."""
    _check_plan_change_input(plan, effective_on)
    with transaction.atomic():
        locked = contract_lock(contract.pk, customer_id=contract.customer_id)
        plan = plan_lock(plan.pk)
        if plan.currency != locked.customer.currency:
            raise CurrencyMismatch(
                field="plan", expected=locked.customer.currency, given=plan.currency
            )
        if replace_waiting:
            locked.plan_changes.filter(applied_at__isnull=True).delete()
        if locked.status == Status.CANCELLED:
            raise PlanChangeNotAllowed(
                field="plan",
                why_es="el contrato está cancelado",
                why_en="the contract is cancelled",
            )
        pending = plan_change_waiting(locked)
        if pending is not None:
            raise PlanChangeNotAllowed(
                field="effective_on",
                why_es=f"ya hay un cambio a {pending.to_plan} programado para el "
                f"{pending.effective_on:%d/%m/%Y}; anúlelo primero",
                why_en=f"a change to {pending.to_plan} is already scheduled for "
                f"{pending.effective_on:%Y-%m-%d}; cancel it first",
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
        today = customer_today(locked.customer)
        # Backdated at most a month (billing prorates the current period), a year ahead.
        day_within(
            effective_on,
            field="effective_on",
            earliest=today - timedelta(days=31),
            latest=today + timedelta(days=366),
        )
        latest = locked.plan_changes.order_by("-effective_on").first()
        if latest is not None and effective_on < latest.effective_on:
            # Billing reads the changes in date order; an earlier one would rewrite a month
            # that may already be invoiced.
            raise PlanChangeNotAllowed(
                field="effective_on",
                why_es=f"la fecha es anterior al último cambio ({latest.effective_on:%d/%m/%Y})",
                why_en=f"the date is before the latest change ({latest.effective_on:%Y-%m-%d})",
            )
        change = _create(
            PlanChange,
            contract=locked,
            from_plan=locked.plan,
            to_plan=plan,
            effective_on=effective_on,
            reason=reason,
            by=by,
        )
        if effective_on <= customer_today(locked.customer):
            _apply_plan_change(locked, change)
    contract.plan = locked.plan
    return change


def _check_plan_change_input(plan: Any, effective_on: Any) -> None:
    errors = {}
    if not isinstance(plan, Plan) or plan.pk is None:
        invalid = models.Field.default_error_messages["invalid_choice"]
        errors["plan"] = [ValidationError(invalid, params={"value": plan})]
    if not isinstance(effective_on, date) or isinstance(effective_on, datetime):
        invalid = models.DateField.default_error_messages["invalid"]
        errors["effective_on"] = [ValidationError(invalid, params={"value": effective_on})]
    if errors:
        raise InvalidInput(errors)


def contract_withdraw_plan_change(contract: Contract) -> PlanChange:
    """Withdraws the contract's waiting plan change; one that took effect is history."""
    with transaction.atomic():
        locked = contract_lock(contract.pk, customer_id=contract.customer_id)
        change = plan_change_waiting(locked)
        if change is None:
            raise PlanChangeNotAllowed(
                field="plan",
                why_es="el contrato no tiene un cambio programado",
                why_en="the contract has no scheduled change",
            )
        change.delete()
    return change


def plan_changes_apply_due(*, now: datetime | None = None) -> list[PlanChange]:
    """Puts in force every waiting change whose day has come in its customer's time zone.
    Idempotent: run it hourly and each change applies once, soon after local midnight."""
    now = now or timezone.now()
    # Customers live up to 14 hours ahead of UTC: their today may be UTC's tomorrow.
    latest_today = timezone.localdate(now + timedelta(hours=14), timezone=UTC)
    candidates = PlanChange.objects.filter(
        applied_at__isnull=True, effective_on__lte=latest_today
    ).select_related("contract__customer")
    applied = []
    for candidate in candidates:
        if candidate.effective_on > customer_today(candidate.contract.customer, now=now):
            continue
        try:
            with transaction.atomic():
                contract = contract_lock(
                    candidate.contract_id, customer_id=candidate.contract.customer_id
                )
                change = PlanChange.objects.filter(pk=candidate.pk, applied_at__isnull=True).first()
                if change is None:  # applied or withdrawn since we listed it
                    continue
                _apply_plan_change(contract, change, now=now)
        except DatabaseError:
            # One contract's failure must not hold back the others; the next run retries it.
            logger.exception("plan change %s could not be applied", candidate.pk)
            continue
        applied.append(change)
    return applied


def _apply_plan_change(
    contract: Contract, change: PlanChange, *, now: datetime | None = None
) -> None:
    """`contract` is locked by the caller."""
    contract.plan = change.to_plan
    contract.save(update_fields=["plan"])
    change.applied_at = now or timezone.now()
    change.save(update_fields=["applied_at"])


def customer_today(customer: Customer, *, now: datetime | None = None) -> date:
    return timezone.localdate(now, timezone=customer.time_zone_info)
