"""Invoices and credit notes, payments, and credit-pack top-ups through Stripe."""

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext
from djmoney.money import Money
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from billing.documents.store import invoice_pdf_get
from billing.exports import finance_export_csv, finance_export_get
from billing.models import Payment
from billing.selectors import invoices_with_amount_due
from billing.services import payment_record, topup_start
from contracts.models import Customer
from core.storage import stored_file_open
from creditdesk.api import filters
from creditdesk.api.errors import ApiRefusal
from creditdesk.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from creditdesk.api.serializers.billing import (
    InvoiceDetailSerializer,
    InvoiceSerializer,
    PaymentRecordSerializer,
    PaymentSerializer,
    TopUpCreateSerializer,
    TopUpSerializer,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import (
    FINANCE_ROLES,
    MONEY_READERS,
    Role,
    contact_of,
    invoices_visible_to,
)

FINANCE = FINANCE_ROLES


@extend_schema_view(
    list=extend_schema(summary="Invoices and credit notes (`?kind=credit_note`)"),
    retrieve=extend_schema(responses=InvoiceDetailSerializer),
)
class InvoiceViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Contacts see their customer's issued invoices; drafts are staff's work in progress."""

    serializer_class = InvoiceSerializer
    filterset_class = filters.InvoiceApiFilter
    ordering_fields = ["issued_on", "number", "created_at"]
    roles = {
        "list": MONEY_READERS,
        "retrieve": MONEY_READERS,
        "pdf": MONEY_READERS,
        "export": FINANCE,
    }

    def perform_content_negotiation(self, request, force=False):
        # The documents answer PDF or CSV themselves; their errors are JSON whatever the
        # client accepts.
        return super().perform_content_negotiation(
            request, force=force or self.action in ("pdf", "export")
        )

    def get_queryset(self):
        invoices = invoices_with_amount_due(invoices_visible_to(self.request.user))
        if self.action == "retrieve":
            invoices = invoices.prefetch_related("lines")
        return invoices

    def get_serializer_class(self):
        if self.action == "retrieve":
            return InvoiceDetailSerializer
        return InvoiceSerializer

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="The invoice or credit note as PDF (as issued; rendered once)",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pdf(self, request, pk=None):
        invoice = self.get_object()
        if invoice.number is None:
            raise ApiRefusal(
                "invoice_not_issued",
                "La factura no ha sido emitida: no tiene PDF.",
                "The invoice has not been issued: it has no PDF.",
            )
        return FileResponse(
            stored_file_open(invoice_pdf_get(invoice=invoice)),
            filename=f"{invoice.display_number}.pdf",
            content_type="application/pdf",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, required=True),
            OpenApiParameter("date_to", OpenApiTypes.DATE, required=True),
            OpenApiParameter("status", OpenApiTypes.STR, enum=["issued", "paid", "void"]),
            OpenApiParameter("customer", OpenApiTypes.INT),
            OpenApiParameter("currency", OpenApiTypes.STR),
            OpenApiParameter("series", OpenApiTypes.STR),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=["invoice", "credit_note"]),
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        summary="Finance export of a date range as CSV (finance)",
        description="Issued invoices, credit notes, their lines, payments and refunds (money "
        "sent back, negative), with totals per currency and tax rate: billing's finance export.",
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def export(self, request):
        export = finance_export_get(filters=request.query_params)
        name = f"creditdesk-finance-{export.date_from}-{export.date_to}.csv"
        response = StreamingHttpResponse(
            finance_export_csv(export), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@extend_schema_view(
    create=extend_schema(
        request=PaymentRecordSerializer,
        responses={201: PaymentSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Record a bank transfer or cash payment (finance)",
        description="Applied like a Stripe payment: the invoice is issued and paid and a "
        "credit pack's credits land, once.",
    )
)
class PaymentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = PaymentSerializer
    filterset_class = filters.PaymentApiFilter
    ordering_fields = ["created_at"]
    roles = {"list": MONEY_READERS, "retrieve": MONEY_READERS, "create": FINANCE}

    def get_queryset(self):
        return self.scoped(Payment.objects.all()).order_by("-created_at", "-pk")

    @idempotent
    def create(self, request):
        data = dict(self.parse(PaymentRecordSerializer))
        amount = Money(data.pop("amount"), data.pop("currency"))
        payment = payment_record(amount=amount, by=request.user, **data)
        return self.render(PaymentSerializer, payment, status_code=201)


@extend_schema_view(
    create=extend_schema(
        request=TopUpCreateSerializer,
        responses={201: TopUpSerializer},
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
        data = self.parse(TopUpCreateSerializer, customers=customers)
        if staff:
            customer = data.get("customer")
            if customer is None:
                raise ValidationError({"customer": [gettext("Indique el cliente.")]})
        else:
            customer = contact_of(request.user).customer
        started = topup_start(customer=customer, credit_pack=data["credit_pack"])
        return self.render(
            TopUpSerializer,
            {"payment": started.payment, "client_secret": started.client_secret},
            status_code=201,
        )
