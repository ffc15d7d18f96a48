from django.db.models import QuerySet

from contracts.filters import ContractFilter, CustomerFilter
from contracts.models import Contact, Contract, Customer
from contracts.transitions import LIVE


def customer_list(*, filters: dict | None = None) -> QuerySet[Customer]:
    queryset = Customer.objects.select_related("account_manager")
    return CustomerFilter(filters or {}, queryset=queryset).qs


def contract_list(*, filters: dict | None = None) -> QuerySet[Contract]:
    queryset = Contract.objects.select_related("customer", "plan")
    return ContractFilter(filters or {}, queryset=queryset).qs


def contract_get_live(*, customer: Customer) -> Contract | None:
    """The customer's current contract, active or suspended; None when there is none."""
    return (
        Contract.objects.select_related("plan").filter(customer=customer, status__in=LIVE).first()
    )


def contact_get_by_email(*, email: str) -> Contact | None:
    return Contact.objects.select_related("customer").filter(email__iexact=email.strip()).first()
