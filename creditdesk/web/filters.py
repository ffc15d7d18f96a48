import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from contracts.filters import customer_matches
from core.instants import DayFilter
from creditdesk.roles import ticket_workers
from credits.models import LedgerEntry
from sla.choices import Priority
from tickets.models import Ticket


class _LedgerEntryFilterForm(forms.Form):
    def clean(self) -> dict:
        cleaned = super().clean() or {}
        after, before = cleaned.get("after"), cleaned.get("before")
        if after is not None and before is not None and before < after:
            # Said on the field, not left to an empty list's "No hay movimientos.": no
            # movement is both after and before, and the reader would not know why.
            self.add_error("before", _("«Hasta» es anterior a «Desde»: las fechas están al revés."))
        return cleaned


class LedgerEntryFilter(django_filters.FilterSet):
    """The portal's ledger filters: kind of movement and a date range (customer's days)."""

    kind = django_filters.ChoiceFilter(
        label=_("Tipo"), choices=LedgerEntry.Kind.choices, empty_label=_("Todos")
    )
    after = DayFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("Desde"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    before = DayFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("Hasta"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = LedgerEntry
        fields = ["kind", "after", "before"]
        form = _LedgerEntryFilterForm


class QueueFilter(django_filters.FilterSet):
    """The agent queue's filters; without a state it shows the open tickets."""

    priority = django_filters.ChoiceFilter(
        label=_("Prioridad"), choices=Priority.choices, empty_label=_("Todas")
    )
    # A search box, not a select: an installation has hundreds or thousands of customers.
    customer = django_filters.CharFilter(
        label=_("Cliente"), method="filter_customer", help_text=_("Razón social o NIT")
    )
    status = django_filters.ChoiceFilter(
        label=_("Estado"),
        choices=Ticket.Status.choices,
        empty_label=_("Abiertas"),
        method="filter_status",
    )
    assignee = django_filters.ModelChoiceFilter(
        label=_("Asignada a"), queryset=get_user_model().objects.none(), empty_label=_("Cualquiera")
    )

    class Meta:
        model = Ticket
        fields = ["priority", "customer", "status", "assignee"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Who may be assigned, as the assign form and the API offer them: finance and account
        # managers are staff too, but no ticket is ever theirs.
        self.filters["assignee"].queryset = ticket_workers()

    @property
    def qs(self) -> QuerySet[Ticket]:
        queryset = super().qs
        if not getattr(self.form, "cleaned_data", {}).get("status"):
            queryset = queryset.exclude(status__in=Ticket.CLOSED_STATUSES)
        return queryset

    def filter_customer(self, queryset: QuerySet[Ticket], name: str, value: str):
        return queryset.filter(customer_matches(value, path="customer__"))

    def filter_status(self, queryset: QuerySet[Ticket], name: str, value: str):
        return queryset.filter(status=value) if value else queryset
