"""Invoices and credit notes, payments, top-ups (`creditdesk.api.views.billing`)."""

from rest_framework import serializers

from billing.models import Invoice, InvoiceLine, Payment
from billing.selectors import invoice_paid_and_due
from contracts.models import CreditPack, Customer
from creditdesk.api.serializers.common import (
    MoneyField,
    PlainDecimalField,
    RowField,
    ScopedChoicesMixin,
)


class InvoiceLineSerializer(serializers.ModelSerializer):
    unit_price = MoneyField()
    subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "kind",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "subtotal",
            "tax",
            "total",
            "credits",
            "period_start",
            "period_end",
        ]
        read_only_fields = fields


class AmountDueField(MoneyField):
    """What is still due on the invoice (`billing.selectors.invoice_paid_and_due`): its total
    less credit notes and applied payments; zero once paid or void, and on a credit note. A
    list reads it with its rows (`invoices_with_amount_due`); one invoice alone asks once."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, value):
        return super().to_representation(invoice_paid_and_due(value)[1])


class InvoiceSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", read_only=True)
    subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()
    amount_due = AmountDueField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "source",
            "status",
            "number",
            "customer",
            "contract",
            "corrects",
            "correction_reason",
            "currency",
            "subtotal",
            "tax",
            "total",
            "amount_due",
            "period_start",
            "period_end",
            "issued_on",
            "due_on",
            "paid_at",
            "voided_at",
            "buyer_legal_name",
            "buyer_tax_id",
            "buyer_country",
        ]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "buyer_address", "void_reason", "lines"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    amount = MoneyField()
    attention_reason = serializers.ChoiceField(
        choices=Payment.Attention.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "provider",
            "provider_ref",
            "status",
            "customer",
            "invoice",
            "credit_pack",
            "amount",
            "received_on",
            "applied_at",
            "needs_attention",
            "attention_reason",
            "created_at",
        ]
        read_only_fields = fields


class TopUpCreateSerializer(ScopedChoicesMixin, serializers.Serializer):
    scoped_choices = {"customer": "customers"}

    customer = RowField(
        queryset=Customer.objects.none(),
        required=False,
        help_text="Staff: the customer. Contacts buy for their own customer.",
    )
    credit_pack = RowField(queryset=CreditPack.objects.all())


class TopUpSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    client_secret = serializers.CharField(
        help_text="For Stripe.js: the customer confirms the payment with it."
    )


class PaymentRecordSerializer(serializers.Serializer):
    """A bank transfer or cash payment received by finance, for an invoice or a credit pack."""

    customer = RowField(queryset=Customer.objects.all())
    provider = serializers.ChoiceField(
        choices=[(Payment.Provider.BANK_TRANSFER, "bank_transfer"), (Payment.Provider.CASH, "cash")]
    )
    provider_ref = serializers.CharField(max_length=255)
    amount = PlainDecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=Customer._meta.get_field("currency").choices)
    received_on = serializers.DateField()
    invoice = RowField(queryset=Invoice.objects.all(), required=False, allow_null=True)
    credit_pack = RowField(queryset=CreditPack.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
