"""django-filter FilterSets of the billing app, used by its selectors and finance's pages."""

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from billing.models import BillingRun, Invoice, InvoiceSeries
from contracts.filters import customer_matches
from contracts.models import CURRENCY_CHOICES
from core.instants import DayFilter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _RunField(django_filters.fields.ModelChoiceField):
    """A run's id from a link: one that names no run (deleted since, or typed by hand) is no
    filter rather than an error, which on a hidden field the form could only show with its key;
    `InvoiceFilter.run_unknown` lets the page say so in the reader's words, and the hidden
    field drops the id so that "Filtrar" does not ask for it again."""

    unknown = False

    def to_python(self, value: Any) -> BillingRun | None:
        try:
            run: BillingRun | None = super().to_python(value)
        except ValidationError:
            self.unknown = True
            return None
        return run

    def bound_data(self, data: Any, initial: Any) -> Any:
        return "" if self.unknown else super().bound_data(data, initial)


class _RunFilter(django_filters.ModelChoiceFilter):
    field_class = _RunField


class InvoiceFilter(django_filters.FilterSet):
    """Finance's invoices and credit notes: kind, status, customer (name or tax id), currency,
    series, the issue period (both ends included) and a billing run's invoices (its page's
    link). Drafts are listed only when asked."""

    kind = django_filters.ChoiceFilter(
        label=_("Tipo"), choices=Invoice.Kind.choices, empty_label=_("Todos")
    )
    status = django_filters.ChoiceFilter(
        label=_("Estado"),
        choices=Invoice.Status.choices,
        empty_label=_("Todos"),
        method="filter_status",
    )
    # A search box, not a select: an installation has thousands of customers.
    customer = django_filters.CharFilter(
        label=_("Cliente"), method="filter_customer", help_text=_("Razón social o NIT")
    )
    currency = django_filters.ChoiceFilter(
        label=_("Moneda"), choices=CURRENCY_CHOICES, empty_label=_("Todas")
    )
    series = django_filters.ModelChoiceFilter(
        label=_("Serie"),
        queryset=InvoiceSeries.objects.all(),
        to_field_name="code",
        empty_label=_("Todas"),
    )
    issued_from = DayFilter(
        field_name="issued_on", lookup_expr="gte", label=_("Emitidas desde"), widget=DATE
    )
    issued_to = DayFilter(
        field_name="issued_on", lookup_expr="lte", label=_("Emitidas hasta"), widget=DATE
    )
    # Reached from a run's page, never chosen in the form: hidden, so "Filtrar" keeps it, and
    # the page names the run above the form with a way to drop it.
    run = _RunFilter(
        label=_("Corrida de facturación"),
        queryset=BillingRun.objects.all(),
        method="filter_run",
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Invoice
        fields = [
            "kind",
            "status",
            "customer",
            "currency",
            "series",
            "issued_from",
            "issued_to",
            "run",
        ]

    @property
    def billing_run(self) -> BillingRun | None:
        """The run the list is narrowed to (after `qs`), for the page to say so."""
        run: BillingRun | None = getattr(self.form, "cleaned_data", {}).get("run")
        return run

    @property
    def run_unknown(self) -> bool:
        """A run was asked for and none has that id: the list is not narrowed to a run."""
        self.is_valid()
        field: _RunField = self.form.fields["run"]
        return field.unknown

    def filter_customer(
        self, queryset: QuerySet[Invoice], name: str, value: str
    ) -> QuerySet[Invoice]:
        return queryset.filter(customer_matches(value, path="customer__"))

    def filter_status(
        self, queryset: QuerySet[Invoice], name: str, value: str
    ) -> QuerySet[Invoice]:
        return queryset.filter(status=value)

    def filter_run(
        self, queryset: QuerySet[Invoice], name: str, value: BillingRun
    ) -> QuerySet[Invoice]:
        return queryset.filter(value.invoices_condition())

    def filter_queryset(self, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=Invoice.Status.DRAFT)
        filtered: QuerySet[Invoice] = super().filter_queryset(queryset)
        return filtered
