"""`/webhook-endpoints/` (admins: any; account managers: their customers') and their
`/webhook-deliveries/` with the redeliver action."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action

from contracts.models import Customer
from creditdesk.api.serializers.webhooks import (
    WebhookDeliverySerializer,
    WebhookEndpointChangeSerializer,
    WebhookEndpointSecretSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWriteSerializer,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import WEBHOOK_MANAGERS, Role, webhook_endpoints_visible_to
from webhooks import services
from webhooks.selectors import webhook_deliveries_of

MANAGE = dict.fromkeys(
    ["list", "retrieve", "create", "partial_update", "destroy", "rotate_secret"],
    WEBHOOK_MANAGERS,
)


@extend_schema_view(
    create=extend_schema(
        request=WebhookEndpointWriteSerializer, responses={201: WebhookEndpointSecretSerializer}
    ),
    partial_update=extend_schema(
        request=WebhookEndpointChangeSerializer, responses=WebhookEndpointSerializer
    ),
)
class WebhookEndpointViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = WebhookEndpointSerializer
    roles = MANAGE
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return webhook_endpoints_visible_to(self.request.user).order_by("pk")

    def create(self, request):
        customers = self.scoped(Customer.objects.all(), path="", roles=WEBHOOK_MANAGERS)
        data = self.parse(WebhookEndpointWriteSerializer, customers=customers)
        endpoint = services.webhook_endpoint_create(
            owner=request.user,
            url=data["url"],
            events=data["events"],
            customer=data.get("customer"),
            may_cover_all=self.is_(Role.ADMIN),
            is_active=data.get("is_active", True),
        )
        return self.render(WebhookEndpointSecretSerializer, endpoint, status_code=201)

    def partial_update(self, request, pk=None):
        endpoint = self.get_object()
        serializer = WebhookEndpointChangeSerializer(
            data=request.data, partial=True, context={"endpoint": endpoint}
        )
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "customer"}
        endpoint = services.webhook_endpoint_update(endpoint, **fields)
        return self.render(WebhookEndpointSerializer, endpoint)

    def destroy(self, request, pk=None):
        services.webhook_endpoint_delete(self.get_object())
        return self.render(WebhookEndpointSerializer, None, status_code=204)

    @extend_schema(request=None, responses=WebhookEndpointSecretSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret", filter_backends=[])
    def rotate_secret(self, request, pk=None):
        endpoint = services.webhook_endpoint_rotate_secret(self.get_object())
        return self.render(WebhookEndpointSecretSerializer, endpoint)


class WebhookDeliveryViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = WebhookDeliverySerializer
    roles = dict.fromkeys(["list", "retrieve", "redeliver"], WEBHOOK_MANAGERS)
    ordering_fields = ["created_at"]
    filterset_fields = ["endpoint", "status", "event_type"]

    def get_queryset(self):
        return webhook_deliveries_of(webhook_endpoints_visible_to(self.request.user))

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"], filter_backends=[])
    def redeliver(self, request, pk=None):
        delivery = services.webhook_redeliver(self.get_object())
        return self.render(WebhookDeliverySerializer, delivery, status_code=202)
