"""django-filter FilterSets of the billing app, used by its selectors and finance's pages."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from billing.models import Invoice, InvoiceSeries
from contracts.filters import customer_matches
from contracts.models import CURRENCY_CHOICES
from core.instants import DayFilter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class InvoiceFilter(django_filters.FilterSet):
    """Finance's invoices and credit notes: kind, status, customer (name or tax id), currency,
    series and the issue period (both ends included). Drafts are listed only when asked."""

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

    class Meta:
        model = Invoice
        fields = ["kind", "status", "customer", "currency", "series", "issued_from", "issued_to"]

    def filter_customer(
        self, queryset: QuerySet[Invoice], name: str, value: str
    ) -> QuerySet[Invoice]:
        return queryset.filter(customer_matches(value, path="customer__"))

    def filter_status(
        self, queryset: QuerySet[Invoice], name: str, value: str
    ) -> QuerySet[Invoice]:
        return queryset.filter(status=value)

    def filter_queryset(self, queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=Invoice.Status.DRAFT)
        filtered: QuerySet[Invoice] = super().filter_queryset(queryset)
        return filtered
