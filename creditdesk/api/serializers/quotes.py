"""Quotes in the API: read shape, the draft's input and the reject reason."""

from rest_framework import serializers

from creditdesk.api.serializers.common import MoneyField, PlainDecimalField
from quotes.models import DESCRIPTION_LIMIT, LINES_LIMIT, TERMS_LIMIT, Quote, QuoteLine


class QuoteLineSerializer(serializers.ModelSerializer):
    unit_price = MoneyField()
    subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()

    class Meta:
        model = QuoteLine
        fields = [
            "position",
            "description",
            "quantity",
            "unit_price",
            "tax_rate",
            "subtotal",
            "tax",
            "total",
            "credits",
        ]
        read_only_fields = fields


class QuoteSerializer(serializers.ModelSerializer):
    number = serializers.CharField(source="display_number", read_only=True)
    ticket = serializers.CharField(source="ticket.number", read_only=True)
    subtotal = MoneyField()
    tax = MoneyField()
    total = MoneyField()
    expired = serializers.BooleanField(source="is_expired", read_only=True)
    invoice = serializers.PrimaryKeyRelatedField(read_only=True)
    hold = serializers.PrimaryKeyRelatedField(read_only=True)
    decided_contact = serializers.PrimaryKeyRelatedField(read_only=True)
    lines = QuoteLineSerializer(many=True, read_only=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "ticket",
            "customer",
            "kind",
            "status",
            "expired",
            "currency",
            "subtotal",
            "tax",
            "total",
            "credits",
            "valid_until",
            "terms",
            "created_at",
            "sent_at",
            "decided_at",
            "decided_contact",
            "decision_reason",
            "invoice",
            "hold",
            "lines",
        ]
        read_only_fields = fields


class QuoteLineInputSerializer(serializers.Serializer):
    """Money lines: description, quantity, unit_price (in the customer's currency, before
    tax). Credit lines: description, credits. The service checks which the kind needs."""

    description = serializers.CharField(max_length=DESCRIPTION_LIMIT)
    quantity = PlainDecimalField(max_digits=12, decimal_places=4, required=False, allow_null=True)
    unit_price = PlainDecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    credits = PlainDecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)


class QuoteDraftSerializer(serializers.Serializer):
    ticket = serializers.CharField(max_length=20, help_text="The ticket's number.")
    kind = serializers.ChoiceField(choices=Quote.Kind.choices)
    lines = QuoteLineInputSerializer(many=True, max_length=LINES_LIMIT)
    valid_until = serializers.DateField()
    terms = serializers.CharField(
        max_length=TERMS_LIMIT, required=False, allow_blank=True, default=""
    )


class QuoteRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
