"""A customer's ledger entries and holds: `/customers/{customer_pk}/credits/entries|holds/`."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from contracts.models import Customer
from creditdesk.api import filters
from creditdesk.api.serializers.credits import (
    CreditHoldSerializer,
    LedgerEntrySerializer,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin
from creditdesk.roles import ALL
from credits.models import CreditHold, LedgerEntry
from credits.selectors import credit_account_get, ledger_entry_list

CUSTOMER = OpenApiParameter("customer_pk", OpenApiTypes.INT, OpenApiParameter.PATH)


class _OfCustomer(ListMixin, ApiViewSet):
    roles = {"list": ALL}

    def customer(self) -> Customer:
        customers = self.scoped(Customer.objects.all(), path="")
        return get_object_or_404(customers, pk=self.kwargs["customer_pk"])


@extend_schema_view(
    list=extend_schema(parameters=[CUSTOMER], summary="Ledger entries, oldest first")
)
class LedgerEntryViewSet(_OfCustomer):
    serializer_class = LedgerEntrySerializer
    filterset_class = filters.LedgerEntryApiFilter
    ordering_fields = ["sequence", "created_at"]
    queryset = LedgerEntry.objects.none()

    def get_queryset(self):
        account = credit_account_get(customer=self.customer())
        return ledger_entry_list(account=account) if account else LedgerEntry.objects.none()


@extend_schema_view(list=extend_schema(parameters=[CUSTOMER], summary="Credit holds"))
class CreditHoldViewSet(_OfCustomer):
    serializer_class = CreditHoldSerializer
    filterset_class = filters.CreditHoldApiFilter
    ordering_fields = ["created_at"]
    queryset = CreditHold.objects.none()

    def get_queryset(self):
        account = credit_account_get(customer=self.customer())
        if account is None:
            return CreditHold.objects.none()
        return CreditHold.objects.filter(account=account).order_by("-created_at", "-pk")
