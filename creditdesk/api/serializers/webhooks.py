"""Webhook endpoints and their deliveries (`creditdesk.api.views.webhooks`)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contracts.models import Customer
from core.events import EVENT_TYPES
from creditdesk.api.serializers.common import RowField, ScopedChoicesMixin
from webhooks.models import URL_MAX_LENGTH, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "customer",
            "url",
            "events",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    """Shown once, when the endpoint is created or its secret rotated."""

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(ScopedChoicesMixin, serializers.Serializer):
    scoped_choices = {"customer": "customers"}

    customer = RowField(queryset=Customer.objects.none(), required=False, allow_null=True)
    url = serializers.CharField(max_length=URL_MAX_LENGTH)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES), min_length=1, max_length=50
    )
    is_active = serializers.BooleanField(required=False)


class WebhookEndpointChangeSerializer(WebhookEndpointWriteSerializer):
    """A change of an endpoint (given `partial`): its address, events and whether it is
    active. Its customer (or the whole installation) is its owner for good: naming another
    is refused, naming the same one changes nothing."""

    scoped_choices: dict[str, str] = {}
    customer = serializers.IntegerField(required=False, allow_null=True)  # type: ignore[assignment]

    def validate_customer(self, value: int | None) -> int | None:
        if value != self.context["endpoint"].customer_id:
            raise serializers.ValidationError(
                _("El cliente de un endpoint no cambia: registre otro endpoint para otro cliente.")
            )
        return value


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "duration_ms", "response_excerpt", "error"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    log = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "log",
        ]
        read_only_fields = fields
