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


def customer_matches(text: str, path: str = "") -> Q:
    """Customers whose legal name or tax id contains `text`; `path` reaches the customer
    from another model ("customer__")."""
    return Q(**{f"{path}legal_name__icontains": text}) | Q(**{f"{path}tax_id__icontains": text})


class ContractFilter(django_filters.FilterSet):
    class Meta:
        model = Contract
        fields = ["status", "plan", "customer"]
