import zoneinfo
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from contracts.models import Contact, Contract, CreditPack, Customer, Plan, PlanChange, Service
from contracts.transitions import LIVE
from core.reads import first_row


def due_on_customers_day(
    field: str, *, customer: str = "customer", now: datetime | None = None, days_before: int = 0
) -> Q:
    """A filter for rows whose date `field` is on or before their customer's today at `now`,
    less `days_before` days: what a periodic job means by "due" when each customer's day
    starts at its own midnight (`contracts.services.customer_today`). `customer` is the path
    from the row to its customer. One condition per date in use, at most three: the time
    zones customers live in span 26 hours. The latest of them also bounds `field` on its own,
    so that an index on it still serves the read."""
    now = now or timezone.now()
    zones_by_day: dict[date, list[str]] = defaultdict(list)
    for zone in Customer.objects.order_by().values_list("time_zone", flat=True).distinct():
        zones_by_day[timezone.localdate(now, timezone=zoneinfo.ZoneInfo(zone))].append(zone)
    if not zones_by_day:
        return Q(pk__in=[])
    due = Q()
    for day, zones in zones_by_day.items():
        due |= Q(
            **{
                f"{customer}__time_zone__in": zones,
                f"{field}__lte": day - timedelta(days=days_before),
            }
        )
    latest = max(zones_by_day) - timedelta(days=days_before)
    return Q(**{f"{field}__lte": latest}) & due


# The API filters these lists with its own FilterSets (`creditdesk.api.filters`), which
# extend `contracts.filters`; building one here over no filters cost every read 1-4 ms.
def customer_list() -> QuerySet[Customer]:
    return Customer.objects.select_related("account_manager")


def contract_list() -> QuerySet[Contract]:
    return Contract.objects.select_related("customer", "plan")


def contract_get_live(
    *, customer: Customer, related: tuple[str, ...] = (), annotate: dict[str, Any] | None = None
) -> Contract | None:
    """The customer's current contract, active or suspended; None when there is none.
    `related` and `annotate` read what a caller needs with it in the same query (intake:
    the credit account, the insolvency checks). The plain read, which every portal page asks
    (its navigation, its status banner, the dashboard's summary), is compiled once per
    connection (core.reads)."""
    if not related and not annotate:
        return first_row("contract_live", _contract_live, customer_id=customer.pk)
    return contracts_live(customer_id=customer.pk, related=related, annotate=annotate).first()


def _contract_live(*, customer_id: int) -> QuerySet[Contract]:
    return contracts_live(customer_id=customer_id)


def contracts_live(
    *, customer_id: int, related: tuple[str, ...] = (), annotate: dict[str, Any] | None = None
) -> QuerySet[Contract]:
    """`contract_get_live`'s query, the current contract first."""
    contracts = Contract.objects.select_related("plan", *related)
    if annotate:
        contracts = contracts.annotate(**annotate)
    return contracts.filter(customer_id=customer_id, status__in=LIVE)


def credit_packs_on_sale(*, contract: Contract | None) -> QuerySet[CreditPack]:
    """The packs the contract's customer may buy: active packs of its plan, and none when
    the plan includes support (it takes no credits)."""
    if contract is None or not contract.plan.uses_credits:
        return CreditPack.objects.none()
    return CreditPack.objects.filter(plan_id=contract.plan_id, is_active=True)


def service_for_mailbox(addresses: list[str]) -> Service | None:
    """The service type whose mailbox a mail was sent to, the first address that has one."""
    by_address = {
        service.mail_address.lower(): service
        for service in Service.objects.filter(is_active=True).exclude(mail_address="")
    }
    return next((by_address[a] for a in addresses if a in by_address), None)


def customer_uses_credits(*, customer: Customer) -> bool:
    """Whether the customer's plan takes credits (prepaid support). Without a live contract
    nothing is included, so credits are what the customer would need."""
    contract = contract_get_live(customer=customer)
    return contract is None or contract.plan.uses_credits


def services_covered(contract: Contract) -> QuerySet[Service]:
    """The services a request under `contract` may name: the active ones it lists (seed
    001: the contract says which services it covers), or every active service when it lists
    none. Intake checks a request against it and the portal's form offers it."""
    if contract.services.exists():
        return contract.services.filter(is_active=True)
    return Service.objects.filter(is_active=True)


def plan_change_waiting(contract: Contract) -> PlanChange | None:
    """The contract's scheduled plan change that has not taken effect yet, if any."""
    return first_row("plan_change_waiting", _plan_change_waiting, contract_id=contract.pk)


def _plan_change_waiting(*, contract_id: int) -> QuerySet[PlanChange]:
    return PlanChange.objects.select_related("to_plan").filter(
        contract_id=contract_id, applied_at__isnull=True
    )


def contact_get_by_email(*, email: str) -> Contact | None:
    return Contact.objects.select_related("customer").filter(email__iexact=email.strip()).first()


# People and refused requests are not money: they never lock a customer's currency.
CURRENCY_NEUTRAL = {Customer: frozenset({"contacts", "intake_attempts"})}


def currency_history(instance: Customer | Plan) -> list[Any]:
    """What was recorded in the customer's or plan's currency (lazy plural names of the kinds
    of rows pointing at it); empty while the currency may still change."""
    return related_kinds(instance, ignore=CURRENCY_NEUTRAL.get(type(instance), frozenset()))


def related_kinds(instance: Model, *, ignore: frozenset[str] = frozenset()) -> list[Any]:
    """The kinds of rows that point at `instance`, as lazy plural names (translated when shown)."""
    kinds = []
    # Hidden relations (related_name="+", e.g. PlanChange.to_plan) count as much as named ones.
    for relation in instance._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        if relation.get_accessor_name() in ignore:
            continue
        kind = relation.related_model._meta.verbose_name_plural
        rows = relation.related_model._base_manager.filter(**{relation.field.name: instance})
        if kind not in kinds and rows.exists():
            kinds.append(kind)
    return kinds


def invited_logins_awaiting_password(email: str) -> QuerySet:
    """The active portal logins with `email` that an invitation made
    (`services.contact_portal_invite`: linked to a contact, no usable password until the
    contact chooses one) and that never signed in. A password-reset link is a new invitation
    for them, when the first one expired; any other login without a usable password was
    closed on purpose and gets none."""
    return get_user_model()._default_manager.filter(
        email__iexact=email,
        is_active=True,
        last_login__isnull=True,
        password__startswith=UNUSABLE_PASSWORD_PREFIX,
        pk__in=Contact.objects.filter(user__isnull=False).values("user_id"),
    )
