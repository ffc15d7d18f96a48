"""Reads of the account manager's workspace: the customers list with the figures a seller
watches, and a customer's timeline. Each runs a fixed number of queries whatever the data:
the list annotates (one query for the page's rows) and adds its forecasts and compliance
with one grouped query each; the timeline reads each kind of event once, newest first,
and merges them by time.
"""

import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat, Substr
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from djmoney.money import Money

from billing.declines import decline_explained
from billing.models import Invoice, Payment
from contracts.filters import customer_matches
from contracts.models import (
    Contract,
    ContractStatusChange,
    Customer,
    CustomerNote,
    Plan,
    PlanChange,
)
from contracts.selectors import due_on_customers_day
from contracts.transitions import LIVE
from core.amounts import CREDITS_COLUMN
from core.formatting import credits_text, day_text, money_text
from creditdesk.web.selectors import month_start
from credits.models import CreditAccount, LedgerEntry
from credits.selectors import RunoutForecast, credit_runout_forecasts
from sla.models import SlaClock
from sla.selectors import DECIDED
from tickets.models import Ticket

CREDITS = DecimalField(**CREDITS_COLUMN)
ZERO = Decimal("0")
NO_CONTRACT = "none"
TIMELINE_LIMIT = 30  # of each kind, before merging: the timeline shows the latest


def _live_contract() -> QuerySet[Contract]:
    return Contract.objects.filter(customer=OuterRef("pk"), status__in=LIVE).order_by("-pk")


def customer_rows(queryset: QuerySet[Customer], *, now: datetime) -> QuerySet[Customer]:
    """`queryset` (already scoped) with what the list shows and sorts by: `available`
    credits, the live contract's `plan_name`, `contract_status` and intake minimum, the
    `open_tickets` and the `overdue` total of issued invoices due before the customer's
    today at `now`. One query."""
    live = _live_contract()
    open_tickets = (
        Ticket.objects.filter(customer=OuterRef("pk"))
        .exclude(status__in=Ticket.CLOSED_STATUSES)
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    overdue = (
        Invoice.objects.filter(
            customer=OuterRef("pk"),
            kind=Invoice.Kind.INVOICE,
            status=Invoice.Status.ISSUED,
        )
        .filter(due_on_customers_day("due_on", now=now, days_before=1))
        .order_by()
        .values("customer")
        .annotate(s=Sum("total"))
        .values("s")
    )
    return queryset.select_related("account_manager", "credit_account").annotate(
        available=Coalesce(
            F("credit_account__balance") - F("credit_account__held"),
            Value(ZERO),
            output_field=CREDITS,
        ),
        plan_name=Subquery(live.values("plan__name")[:1]),
        plan_id_live=Subquery(live.values("plan_id")[:1]),
        compliance_target=Subquery(live.values("plan__sla_compliance_target")[:1]),
        contract_status=Coalesce(Subquery(live.values("status")[:1]), Value(NO_CONTRACT)),
        intake_minimum=Coalesce(
            Subquery(
                live.annotate(
                    minimum=Coalesce("min_available_credits", "plan__min_available_credits")
                ).values("minimum")[:1]
            ),
            Value(ZERO),
            output_field=CREDITS,
        ),
        open_tickets=Coalesce(Subquery(open_tickets, output_field=IntegerField()), 0),
        overdue=Coalesce(
            Subquery(overdue, output_field=DecimalField(max_digits=14, decimal_places=2)),
            Value(ZERO),
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
    )


# The list's orders: the field, its name in the address, its label.
SORTS: tuple[tuple[str, str, Promise], ...] = (
    ("legal_name", "name", _("Nombre")),
    ("available", "credits", _("Créditos disponibles")),
    ("overdue", "overdue", _("Vencido")),
    ("open_tickets", "tickets", _("Solicitudes abiertas")),
    ("created_at", "created", _("Fecha de alta")),
)


def _sort_labels(sorts: tuple[tuple[str, str, Promise], ...]) -> dict[str, Promise]:
    """Every label lazy, the descending ones too: django-filter words those itself when the
    class is built, in the language active then rather than the reader's."""
    labels: dict[str, Promise] = {}
    for field, param, label in sorts:
        labels[field] = label
        labels[f"-{param}"] = format_lazy("{} ({})", label, _("descendente"))
    return labels


class CustomerFilter(django_filters.FilterSet):
    """The customers list's search, filters and sorting."""

    q = django_filters.CharFilter(
        label=_("Buscar"), method="filter_q", help_text=_("Razón social, NIT o correo")
    )
    plan = django_filters.ModelChoiceFilter(
        label=_("Plan"),
        queryset=Plan.objects.order_by("name"),
        method="filter_plan",
        empty_label=_("Todos"),
    )
    contract = django_filters.ChoiceFilter(
        label=_("Contrato"),
        choices=[
            (Contract.Status.ACTIVE, _("Activo")),
            (Contract.Status.SUSPENDED, _("Suspendido")),
            (NO_CONTRACT, _("Sin contrato vigente")),
        ],
        method="filter_contract",
        empty_label=_("Todos"),
    )
    overdue = django_filters.BooleanFilter(
        label=_("Solo con deuda vencida"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )
    manager = django_filters.ModelChoiceFilter(
        label=_("Gerente de cuenta"),
        field_name="account_manager",
        queryset=get_user_model().objects.none(),
        empty_label=_("Cualquiera"),
    )
    sort = django_filters.OrderingFilter(
        label=_("Ordenar por"),
        empty_label=None,
        fields=[(field, param) for field, param, _label in SORTS],
        field_labels=_sort_labels(SORTS),
    )

    class Meta:
        model = Customer
        fields = ["q", "plan", "contract", "overdue", "manager", "sort"]

    def __init__(self, *args, may_choose_manager: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if may_choose_manager:
            self.filters["manager"].queryset = (
                get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
            )
        else:
            del self.filters["manager"]

    @property
    def qs(self) -> QuerySet[Customer]:
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("sort"):
            queryset = queryset.order_by("legal_name", "pk")
        else:
            queryset = queryset.order_by(*queryset.query.order_by, "pk")
        return queryset

    def filter_q(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(customer_matches(value, billing_email=True))

    def filter_plan(self, queryset, name, value):
        return queryset.filter(plan_id_live=value.pk) if value else queryset

    def filter_contract(self, queryset, name, value):
        return queryset.filter(contract_status=value) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue__gt=0) if value else queryset


# How far below its plan's target a month still reads as a warning rather than a breach.
WARNING_MARGIN = Decimal("10")


@dataclass(frozen=True)
class MonthCompliance:
    """Targets met over targets decided (first response and resolution together) among the
    clocks of the tickets opened this month, in the customer's zone, against `target`: the
    live plan's compliance target in percent (the plans' default without a live contract)."""

    met: int
    decided: int
    target: Decimal = Plan._meta.get_field("sla_compliance_target").default

    @property
    def tone(self) -> str:
        """The list's badge: `ok` at or above the target, `warning` within `WARNING_MARGIN`
        points below it, `breach` further below."""
        percent = self.percent
        if percent is None or percent >= self.target:
            return "ok"
        return "warning" if percent >= self.target - WARNING_MARGIN else "breach"

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.met) / Decimal(self.decided) if self.decided else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else int((self.share * 100).to_integral_value())


def _month_compliance(customers: list[Customer], now: datetime) -> dict[int, MonthCompliance]:
    """Each customer's `MonthCompliance`, in one grouped query: the tickets of a customer
    count from the month's start in that customer's zone (one condition per zone on the
    page). The same decided/met rules as `sla.selectors.sla_compliance`."""
    if not customers:
        return {}
    by_zone: dict[str, list[int]] = defaultdict(list)
    for customer in customers:
        by_zone[customer.time_zone].append(customer.pk)
    opened = Q(pk__in=[])
    for zone, ids in by_zone.items():
        start = month_start(now, zoneinfo.ZoneInfo(zone))
        opened |= Q(customer_id__in=ids, opened_at__gte=start)
    tickets = Ticket.objects.filter(opened, opened_at__lt=now)
    subjects = tickets.annotate(
        clock_subject=Concat(Value("ticket:"), Cast("pk", output_field=CharField()))
    ).values("clock_subject")
    ticket_id = Cast(Substr("subject", len("ticket:") + 1), IntegerField())
    rows = (
        SlaClock.objects.filter(subject__in=subjects)
        .exclude(state=SlaClock.State.UNTIMED)
        .annotate(ticket_id=ticket_id)
        .annotate(
            customer_id=Subquery(
                Ticket.objects.filter(pk=OuterRef("ticket_id")).values("customer_id")[:1]
            )
        )
        .order_by()
        .values("customer_id")
        .annotate(
            decided=Count("pk", filter=DECIDED),
            met=Count("pk", filter=Q(state=SlaClock.State.MET)),
        )
    )
    return {row["customer_id"]: MonthCompliance(row["met"], row["decided"]) for row in rows}


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    forecast: RunoutForecast | None
    compliance: MonthCompliance | None

    @property
    def overdue(self) -> Money:
        return Money(self.customer.overdue, self.customer.currency)


def customer_page_rows(customers: list[Customer], *, now: datetime) -> list[CustomerRow]:
    """The page's rows (from `customer_rows`) with their run-out forecasts and this month's
    compliance: two more queries, whatever the rows."""
    accounts = [c.credit_account for c in customers if _account(c) is not None]
    forecasts = credit_runout_forecasts(
        accounts=accounts,
        now=now,
        minimums={c.credit_account.pk: c.intake_minimum for c in customers if _account(c)},
    )
    compliance = _month_compliance(customers, now)
    return [
        CustomerRow(
            customer=c,
            forecast=forecasts.get(c.credit_account.pk) if _account(c) else None,
            compliance=_against_target(compliance.get(c.pk), c.compliance_target),
        )
        for c in customers
    ]


def _against_target(
    month: MonthCompliance | None, target: Decimal | None
) -> MonthCompliance | None:
    if month is None or target is None:
        return month
    return replace(month, target=target)


def _account(customer: Customer) -> CreditAccount | None:
    try:
        return customer.credit_account
    except CreditAccount.DoesNotExist:
        return None


# The timeline.


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # status, plan, payment, credits, ticket, note
    label: str
    detail: str = ""
    by: Any = None
    url_name: str = ""
    url_arg: Any = None


def _payment_detail(payment: Payment) -> str:
    """In the reader's language, the transfer a customer reported or why a card was declined;
    then the note finance wrote, as written."""
    if payment.transfer_report_number is not None:
        reported = _("Transferencia informada por el cliente (n.º %(number)s)")
        origin = reported % {"number": payment.transfer_report_number}
    elif payment.status == Payment.Status.FAILED:
        origin = decline_explained(payment.failure_code, payment.failure_message)
    else:
        origin = ""
    return "\n".join(part for part in (origin, payment.note) if part)


def customer_timeline(
    *, customer: Customer, limit: int = TIMELINE_LIMIT, notes: bool = True
) -> list[TimelineItem]:
    """Contract status changes, plan changes, payments, credit movements coming in or
    corrected (top-ups, grants, adjustments, refunds), tickets opened and private notes
    (`notes`: staff only), newest first: the latest `limit` of each, merged by time; six
    queries whatever the history."""
    items: list[TimelineItem] = []
    for change in (
        ContractStatusChange.objects.filter(contract__customer=customer)
        .select_related("by", "contract__plan")
        .order_by("-at", "-pk")[:limit]
    ):
        items.append(
            TimelineItem(
                at=change.at,
                kind="status",
                label=_("Contrato %(plan)s: %(from)s → %(to)s")
                % {
                    "plan": change.contract.plan.name,
                    "from": Contract.Status(change.from_status).label,
                    "to": Contract.Status(change.to_status).label,
                },
                detail=change.reason,
                by=change.by,
            )
        )
    for change in (
        PlanChange.objects.filter(contract__customer=customer)
        .select_related("by", "from_plan", "to_plan")
        .order_by("-created_at", "-pk")[:limit]
    ):
        items.append(
            TimelineItem(
                at=change.created_at,
                kind="plan",
                label=_("Cambio de plan: %(from)s → %(to)s, desde el %(on)s")
                % {
                    "from": change.from_plan.name,
                    "to": change.to_plan.name,
                    "on": day_text(change.effective_on),
                },
                detail=change.reason,
                by=change.by,
            )
        )
    for payment in (
        Payment.objects.filter(customer=customer)
        .exclude(status__in=[Payment.Status.STARTED, Payment.Status.CANCELED])
        .annotate(transfer_report_number=F("transfer_report__pk"))
        .order_by("-created_at", "-pk")[:limit]
    ):
        items.append(
            TimelineItem(
                at=payment.applied_at or payment.created_at,
                kind="payment",
                label=_("Pago %(status)s: %(amount)s (%(provider)s)")
                % {
                    "status": payment.get_status_display().lower(),
                    "amount": money_text(payment.amount),
                    "provider": payment.get_provider_display(),
                },
                detail=_payment_detail(payment),
            )
        )
    credit_kinds = [
        LedgerEntry.Kind.TOP_UP,
        LedgerEntry.Kind.GRANT,
        LedgerEntry.Kind.ADJUSTMENT,
        LedgerEntry.Kind.REFUND,
    ]
    for entry in (
        LedgerEntry.objects.filter(account__customer=customer, kind__in=credit_kinds)
        .select_related("created_by")
        .order_by("-created_at", "-pk")[:limit]
    ):
        items.append(
            TimelineItem(
                at=entry.created_at,
                kind="credits",
                label=_("%(kind)s: %(credits)s créditos")
                % {"kind": entry.get_kind_display(), "credits": _signed(entry.credits)},
                detail=entry.reason_shown,
                by=entry.created_by,
            )
        )
    for ticket in Ticket.objects.filter(customer=customer).order_by("-opened_at", "-pk")[:limit]:
        items.append(
            TimelineItem(
                at=ticket.opened_at,
                kind="ticket",
                label=_("Solicitud %(number)s abierta: %(subject)s")
                % {"number": ticket.number, "subject": ticket.subject},
                detail=ticket.get_status_display(),
                url_name="web:work",
                url_arg=ticket.number,
            )
        )
    if notes:
        for note in (
            CustomerNote.objects.filter(customer=customer)
            .select_related("author")
            .order_by("-created_at", "-pk")[:limit]
        ):
            items.append(
                TimelineItem(
                    at=note.created_at,
                    kind="note",
                    label=_("Nota privada"),
                    detail=note.text,
                    by=note.author,
                )
            )
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def _signed(credits: Decimal) -> str:
    return f"+{credits_text(credits)}" if credits > 0 else credits_text(credits)
