from functools import reduce
from operator import or_

import django_filters
from django.db.models import Q

from contracts.models import Contract, Customer


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Buscar")

    class Meta:
        model = Customer
        fields = ["country", "currency", "membership", "account_manager"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(customer_matches(value))


def customer_matches(text: str, path: str = "", *, billing_email: bool = False) -> Q:
    """Customers whose legal name or tax id (or billing address) contains `text`; `path`
    reaches the customer from another model ("customer__"). A text longer than every column
    searched is in none (and SQLite refuses a LIKE pattern over 50,000 characters)."""
    fields = (
        ("legal_name", "tax_id", "billing_email") if billing_email else ("legal_name", "tax_id")
    )
    if len(text) > max(Customer._meta.get_field(name).max_length or 0 for name in fields):
        return Q(**{f"{path}pk__in": []})
    return reduce(or_, (Q(**{f"{path}{name}__icontains": text}) for name in fields))


class ContractFilter(django_filters.FilterSet):
    class Meta:
        model = Contract
        fields = ["status", "plan", "customer"]
