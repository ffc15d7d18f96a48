"""A customer's credits: summary, ledger entries, holds, adjustments
(`creditdesk.api.views.credits` and the customer's credit actions)."""

from rest_framework import serializers

from creditdesk.api.serializers.common import CREDITS, MoneyField, PlainDecimalField
from credits.models import REASON_LIMIT, CreditHold, LedgerEntry


class CreditSummarySerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    balance = serializers.DecimalField(**CREDITS)
    held = serializers.DecimalField(**CREDITS)
    available = serializers.DecimalField(max_digits=13, decimal_places=2)
    entry_count = serializers.IntegerField()


def credit_summary(customer_id: int, account) -> dict:
    """What `CreditSummarySerializer` shows of a customer's account (None: no credit yet)."""
    return {
        "customer": customer_id,
        "balance": account.balance if account else 0,
        "held": account.held if account else 0,
        "available": account.available if account else 0,
        "entry_count": account.entry_count if account else 0,
    }


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = MoneyField(allow_null=True)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "sequence",
            "kind",
            "credits",
            "balance_after",
            "amount",
            "hold",
            "reverses",
            "reference_type",
            "reference_id",
            "reason",
            "reason_en",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class CreditHoldSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditHold
        fields = [
            "id",
            "credits",
            "status",
            "reference_type",
            "reference_id",
            "created_at",
            "closed_at",
        ]
        read_only_fields = fields


class AdjustmentSerializer(serializers.Serializer):
    credits = PlainDecimalField(**CREDITS, help_text="Positive adds, negative takes.")
    reason = serializers.CharField(max_length=REASON_LIMIT)
