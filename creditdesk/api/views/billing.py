"""Invoices and credit notes, payments, and credit-pack top-ups through Stripe."""

from djmoney.money import Money
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.exceptions import ValidationError

from billing.models import Invoice, Payment
from billing.selectors import invoice_list
from billing.services import payment_record, topup_start
from contracts.models import Customer
from creditdesk.api import filters, serializers
from creditdesk.api.access import Role, contact_of
from creditdesk.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin

MONEY_READERS = frozenset({Role.CONTACT, Role.MANAGER, Role.FINANCE, Role.ADMIN})
FINANCE = frozenset({Role.FINANCE, Role.ADMIN})


@extend_schema_view(
    list=extend_schema(summary="Invoices and credit notes (`?kind=credit_note`)"),
    retrieve=extend_schema(responses=serializers.InvoiceDetailSerializer),
)
class InvoiceViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Contacts see their customer's issued invoices; drafts are staff's work in progress."""

    serializer_class = serializers.InvoiceSerializer
    filterset_class = filters.InvoiceApiFilter
    ordering_fields = ["issued_on", "number", "created_at"]
    roles = {"list": MONEY_READERS, "retrieve": MONEY_READERS}

    def get_queryset(self):
        invoices = self.scoped(invoice_list())
        if not self.is_(Role.MANAGER, Role.FINANCE, Role.ADMIN):
            invoices = invoices.exclude(status=Invoice.Status.DRAFT)
        if self.action == "retrieve":
            invoices = invoices.prefetch_related("lines")
        return invoices

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.InvoiceDetailSerializer
        return serializers.InvoiceSerializer


@extend_schema_view(
    create=extend_schema(
        request=serializers.PaymentRecordSerializer,
        responses={201: serializers.PaymentSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Record a bank transfer or cash payment (finance)",
        description="Applied like a Stripe payment: the invoice is issued and paid and a "
        "credit pack's credits land, once.",
    )
)
class PaymentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = serializers.PaymentSerializer
    filterset_class = filters.PaymentApiFilter
    ordering_fields = ["created_at"]
    roles = {"list": MONEY_READERS, "retrieve": MONEY_READERS, "create": FINANCE}

    def get_queryset(self):
        return self.scoped(Payment.objects.all()).order_by("-created_at", "-pk")

    @idempotent
    def create(self, request):
        data = dict(self.parse(serializers.PaymentRecordSerializer))
        amount = Money(data.pop("amount"), data.pop("currency"))
        payment = payment_record(amount=amount, by=request.user, **data)
        return self.render(serializers.PaymentSerializer, payment, status_code=201)


@extend_schema_view(
    create=extend_schema(
        request=serializers.TopUpCreateSerializer,
        responses={201: serializers.TopUpSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Start buying a credit pack with Stripe",
        description="Creates the draft invoice and the Stripe PaymentIntent; the customer "
        "confirms it with `client_secret` (Stripe.js). Credits land when Stripe's webhook "
        "reports the payment.",
    )
)
class TopUpViewSet(ApiViewSet):
    roles = {"create": MONEY_READERS}
    filter_backends: list = []

    @idempotent
    def create(self, request):
        staff = self.is_(Role.MANAGER, Role.FINANCE, Role.ADMIN)
        customers = (
            self.scoped(Customer.objects.all(), path="", roles=MONEY_READERS - {Role.CONTACT})
            if staff
            else Customer.objects.none()
        )
        data = self.parse(serializers.TopUpCreateSerializer, customers=customers)
        if staff:
            customer = data.get("customer")
            if customer is None:
                raise ValidationError({"customer": ["Indique el cliente."]})
        else:
            customer = contact_of(request.user).customer
        started = topup_start(customer=customer, credit_pack=data["credit_pack"])
        return self.render(
            serializers.TopUpSerializer,
            {"payment": started.payment, "client_secret": started.client_secret},
            status_code=201,
        )
