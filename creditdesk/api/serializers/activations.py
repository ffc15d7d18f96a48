"""Activations in the API (seed 004): read shape with the checklist and the state now; the
purchase's input; the catalogue's rows."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from activations.models import CANCEL_REASON_LIMIT, NOTE_LIMIT, Activation, ActivationStep
from activations.selectors import STATE_LABELS, state_of
from activations.services import activation_kind
from creditdesk.api.serializers.common import PlainDecimalField
from creditdesk.roles import activation_notes_visible_to
from sla.models import ActivationLeadTime

ID_MAX = 2**63 - 1  # a 64-bit id; larger numbers are refused, never sent to the database
STATE_CHOICES = [(value, str(label)) for value, label in STATE_LABELS.items()]


class ActivationStepSerializer(serializers.ModelSerializer):
    note = serializers.SerializerMethodField(
        help_text="What staff wrote when they ticked the step; null for a customer's contact "
        "(staff's own note, as the portal shows it)."
    )

    class Meta:
        model = ActivationStep
        fields = ["position", "kind", "label", "met_at", "note"]
        read_only_fields = fields

    def get_note(self, step: ActivationStep) -> str | None:
        return step.note if _staff_reads(self) else None


def _staff_reads(serializer: serializers.Serializer) -> bool:
    request = serializer.context.get("request")
    return request is not None and activation_notes_visible_to(request.user)


class ActivationSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(
        help_text="Now: waiting (prerequisites pending), running, warning, late, active, "
        "active_late (activated after its due time), cancelled."
    )
    on_time = serializers.BooleanField(read_only=True, allow_null=True)
    invoice = serializers.PrimaryKeyRelatedField(read_only=True)
    ticket = serializers.CharField(source="ticket.number", read_only=True, allow_null=True)
    steps = ActivationStepSerializer(many=True, read_only=True)
    cancel_reason = serializers.SerializerMethodField(
        help_text="Why staff cancelled it; null for a customer's contact (staff's own words)."
    )

    class Meta:
        model = Activation
        fields = [
            "id",
            "customer",
            "product",
            "product_name",
            "kind",
            "minutes_max",
            "business_days",
            "status",
            "state",
            "started_at",
            "warn_at",
            "due_at",
            "activated_at",
            "on_time",
            "cancelled_at",
            "cancel_cause",
            "cancel_reason",
            "invoice",
            "ticket",
            "steps",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=STATE_CHOICES))
    def get_state(self, activation: Activation) -> str:
        annotated = getattr(activation, "state", None)  # a list's rows: no query each
        return annotated or state_of(activation, self.context.get("now") or timezone.now())

    def get_cancel_reason(self, activation: Activation) -> str | None:
        return activation.cancel_reason if _staff_reads(self) else None


class ActivationPurchaseSerializer(serializers.Serializer):
    customer = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    product = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    unit_price = PlainDecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text="Price before tax, in the customer's currency; an invoice is issued for it. "
        "Leave out when `invoice` names an issued or paid invoice of the customer's.",
    )
    invoice = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    ticket = serializers.CharField(required=False, max_length=40, allow_blank=True)


class ActivationStepMeetSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LIMIT)


class ActivationCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=CANCEL_REASON_LIMIT, help_text="Required."
    )


class ActivationProductSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="product", read_only=True)
    kind = serializers.SerializerMethodField()

    class Meta:
        model = ActivationLeadTime
        fields = [
            "id",
            "name",
            "kind",
            "minutes_max",
            "business_days_min",
            "business_days_max",
            "calendar",
            "prerequisite",
            "note",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=Activation.Kind.choices))
    def get_kind(self, product: ActivationLeadTime) -> str:
        return activation_kind(product)
