"""The API's FilterSets: the apps' own (contracts/filters.py, tickets/filters.py) with their
relations narrowed to what the caller may see, plus the few filters only the API offers.

A relation filter checks that the id it is given exists; over an unscoped queryset that
would tell a caller which ids exist at other customers. Here every such queryset is scoped
to the caller, so an id of another customer is "not a valid choice", like an unknown one.
"""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activations.models import Activation
from billing.models import Invoice, Payment
from contracts.filters import ContractFilter, CustomerFilter
from contracts.models import Contact, CreditPack, Customer, Plan, Service
from core.instants import DayFilter, InstantFilter
from creditdesk.roles import STAFF, has_role, scope
from credits.models import CreditHold, LedgerEntry
from sla.models import SlaClock
from sla.selectors import SLA_STATES
from tickets.filters import IntakeAttemptFilter, TicketFilter
from tickets.models import ScheduledSession
from tickets.selectors import ticket_has_clock, ticket_sla_state_expression


def visible_customers(request):
    if request is None:
        return Customer.objects.none()
    return scope(Customer.objects.all(), request.user, "")


def staff_users(request):
    return get_user_model().objects.filter(is_staff=True)


def _customer_filter() -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(queryset=visible_customers)


class StaffOnlyFiltersMixin:
    """Filters that name staff users (assignee, account manager) exist for staff only: for a
    customer's contact, "not a valid choice" on some ids and not on others would tell which
    user ids are staff. Without the filter every value answers the same, unfiltered list."""

    staff_only_filters: tuple[str, ...] = ()

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if not has_role(getattr(request, "user", None), STAFF):
            for name in self.staff_only_filters:
                self.filters.pop(name, None)


class CustomerApiFilter(StaffOnlyFiltersMixin, CustomerFilter):
    account_manager = django_filters.ModelChoiceFilter(queryset=staff_users)
    staff_only_filters = ("account_manager",)

    class Meta(CustomerFilter.Meta):
        pass


class ContactApiFilter(django_filters.FilterSet):
    customer = _customer_filter()

    class Meta:
        model = Contact
        fields = ["customer", "can_request"]


class PlanApiFilter(django_filters.FilterSet):
    class Meta:
        model = Plan
        fields = ["currency", "is_active"]


class CreditPackApiFilter(django_filters.FilterSet):
    plan = django_filters.ModelChoiceFilter(queryset=Plan.objects.all())

    class Meta:
        model = CreditPack
        fields = ["plan", "is_active"]


class ServiceApiFilter(django_filters.FilterSet):
    class Meta:
        model = Service
        fields = ["category", "is_active"]


class ContractApiFilter(ContractFilter):
    customer = _customer_filter()

    class Meta(ContractFilter.Meta):
        pass


class TicketApiFilter(StaffOnlyFiltersMixin, TicketFilter):
    """The tickets app's filters, plus SLA state and due time.

    `sla_state`: the ticket's one SLA state (`tickets.selectors.ticket_sla_state_expression`),
    the same the queue and the dashboards show; `breached` includes a running clock already
    past its due time that the breach monitor has not marked yet.
    `due_before`/`due_after`: tickets with an open clock due in that range.
    """

    SLA_STATES = [(state, state) for state in SLA_STATES]

    customer = _customer_filter()
    assignee = django_filters.ModelChoiceFilter(queryset=staff_users)
    staff_only_filters = ("assignee",)
    sla_state = django_filters.ChoiceFilter(choices=SLA_STATES, method="filter_sla_state")
    due_before = InstantFilter(method="filter_due_before")
    due_after = InstantFilter(method="filter_due_after")

    class Meta(TicketFilter.Meta):
        pass

    def filter_sla_state(self, queryset, name, value):
        return queryset.alias(sla_state_now=ticket_sla_state_expression(timezone.now())).filter(
            sla_state_now=value
        )

    def filter_due_before(self, queryset, name, value):
        return queryset.filter(ticket_has_clock(stopped_at__isnull=True, due_at__lt=value))

    def filter_due_after(self, queryset, name, value):
        return queryset.filter(ticket_has_clock(stopped_at__isnull=True, due_at__gte=value))


class IntakeAttemptApiFilter(IntakeAttemptFilter):
    customer = _customer_filter()

    class Meta(IntakeAttemptFilter.Meta):
        pass


class LedgerEntryApiFilter(django_filters.FilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=LedgerEntry.Kind.choices)
    after = InstantFilter(field_name="created_at", lookup_expr="gte")
    before = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = LedgerEntry
        fields = ["kind", "after", "before"]


class CreditHoldApiFilter(django_filters.FilterSet):
    class Meta:
        model = CreditHold
        fields = ["status"]


class ScheduledSessionApiFilter(django_filters.FilterSet):
    class Meta:
        model = ScheduledSession
        fields = ["status"]


class InvoiceApiFilter(django_filters.FilterSet):
    customer = _customer_filter()
    issued_after = DayFilter(field_name="issued_on", lookup_expr="gte")
    issued_before = DayFilter(field_name="issued_on", lookup_expr="lt")

    class Meta:
        model = Invoice
        fields = ["customer", "kind", "status", "source"]


class PaymentApiFilter(django_filters.FilterSet):
    customer = _customer_filter()

    class Meta:
        model = Payment
        fields = ["customer", "provider", "status"]


class _PeriodForm(forms.Form):
    def clean(self) -> dict:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is not None and until is not None and until < since:
            self.add_error(
                "until", _("El final del período (until) es anterior a su inicio (since).")
            )
        return cleaned


class ComplianceFilter(django_filters.FilterSet):
    """Period of an SLA compliance report: clocks started in [since, until); a period that
    ends before it starts is refused, as the finance export refuses one."""

    since = InstantFilter(field_name="started_at", lookup_expr="gte")
    until = InstantFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = SlaClock
        fields = ["since", "until"]
        form = _PeriodForm


class ActivationApiFilter(django_filters.FilterSet):
    customer = _customer_filter()

    class Meta:
        model = Activation
        fields = ["customer", "status", "kind"]
