import django_filters

from contracts.models import Contract, Customer


class CustomerFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label="Buscar")

    class Meta:
        model = Customer
        fields = ["country", "currency", "membership", "account_manager"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(legal_name__icontains=value) | queryset.filter(
            tax_id__icontains=value
        )


class ContractFilter(django_filters.FilterSet):
    class Meta:
        model = Contract
        fields = ["status", "plan", "customer"]
