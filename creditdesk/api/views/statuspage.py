"""The status page: `/status/` (the whole page, as `/status.json` shows it), its components,
incidents (staff publish, post updates, link tickets and send an update to them) and
maintenance. Everyone signed in reads; `STATUS_AUTHORS` write."""

from zoneinfo import ZoneInfo

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from creditdesk.api.serializers.statuspage import (
    ComponentSerializer,
    IncidentCreateSerializer,
    IncidentSerializer,
    IncidentUpdateCreateSerializer,
    MaintenanceCreateSerializer,
    MaintenanceSerializer,
    SendUpdateSerializer,
    SentSerializer,
    StatusSerializer,
    TicketLinkSerializer,
    status_document,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import (
    ALL,
    STATUS_AUTHORS,
    TICKET_STAFF,
    scope,
    status_tickets_reachable,
)
from statuspage import selectors, services
from statuspage.models import Component, Incident, IncidentTicket, Maintenance
from tickets.models import Ticket


class OneDocumentSchema(AutoSchema):
    """`GET /status/` answers one document, not a list of them, though it is a router's
    list route."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class StatusViewSet(ApiViewSet):
    schema = OneDocumentSchema()
    roles = {"list": ALL}
    filter_backends: list = []
    pagination_class = None

    @extend_schema(
        responses=StatusSerializer,
        summary="The status page",
        description="Overall status, each component's status and 90 days of history (days "
        "in UTC), open incidents, maintenance, incidents resolved in the window. The same "
        "document is public at /status.json.",
    )
    def list(self, request):
        summary = selectors.status_summary(now=timezone.now(), zone=ZoneInfo("UTC"))
        return Response(status_document(summary, request=request))


class ComponentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = ComponentSerializer
    roles = {"list": ALL, "retrieve": ALL}
    filter_backends: list = []

    def get_queryset(self):
        return Component.objects.filter(is_active=True).prefetch_related("services")


@extend_schema_view(
    create=extend_schema(
        request=IncidentCreateSerializer,
        responses={201: IncidentSerializer},
        summary="Publish an incident (announces incident.created)",
    ),
)
class IncidentViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = IncidentSerializer
    roles = {
        "list": ALL,
        "retrieve": ALL,
        "create": STATUS_AUTHORS,
        "updates": STATUS_AUTHORS,
        "send_update": STATUS_AUTHORS,
        "link_ticket": TICKET_STAFF,
        "unlink_ticket": TICKET_STAFF,
    }
    filterset_fields = ["state", "impact"]
    ordering_fields = ["started_at", "resolved_at"]

    def get_queryset(self):
        visible = IncidentTicket.objects.filter(
            ticket__in=scope(Ticket.objects.all(), self.request.user)
        ).select_related("ticket")
        return selectors.incident_list().prefetch_related(
            Prefetch("ticket_links", queryset=visible, to_attr="visible_links")
        )

    def _detail(self, incident: Incident, *, status_code: int = 200):
        return self.render(
            IncidentSerializer, self.get_queryset().get(pk=incident.pk), status_code=status_code
        )

    def create(self, request):
        data = self.parse(IncidentCreateSerializer)
        incident = services.incident_open(**data, by=request.user)
        return self._detail(incident, status_code=201)

    @extend_schema(
        request=IncidentUpdateCreateSerializer,
        responses={201: IncidentSerializer},
        summary="Post an update (announces incident.updated or incident.resolved)",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def updates(self, request, pk=None):
        incident = self.get_object()
        data = self.parse(IncidentUpdateCreateSerializer)
        services.incident_update_post(
            incident, **data, by=request.user, within=status_tickets_reachable(request.user)
        )
        return self._detail(incident, status_code=201)

    @extend_schema(
        request=SendUpdateSerializer,
        responses=SentSerializer,
        summary="Send one of its updates to every open linked ticket, once per ticket",
    )
    @action(detail=True, methods=["post"], url_path="send-update", filter_backends=[])
    def send_update(self, request, pk=None):
        incident = self.get_object()
        data = self.parse(SendUpdateSerializer, updates=incident.updates.all())
        sent = services.incident_update_send(
            data["update"], by=request.user, within=status_tickets_reachable(request.user)
        )
        numbers = sorted(
            Ticket.objects.filter(pk__in=[m.ticket_id for m in sent]).values_list(
                "number", flat=True
            )
        )
        return Response({"sent_to": numbers})

    def _ticket(self):
        tickets = scope(Ticket.objects.all(), self.request.user, roles=TICKET_STAFF)
        return self.parse(TicketLinkSerializer, tickets=tickets)["ticket"]

    @extend_schema(
        request=TicketLinkSerializer,
        responses=IncidentSerializer,
        summary="Link a ticket to the incident",
    )
    @action(detail=True, methods=["post"], url_path="link-ticket", filter_backends=[])
    def link_ticket(self, request, pk=None):
        incident = self.get_object()
        services.incident_ticket_link(incident, self._ticket(), by=request.user)
        return self._detail(incident)

    @extend_schema(
        request=TicketLinkSerializer,
        responses=IncidentSerializer,
        summary="Remove a ticket's link to the incident",
    )
    @action(detail=True, methods=["post"], url_path="unlink-ticket", filter_backends=[])
    def unlink_ticket(self, request, pk=None):
        incident = self.get_object()
        services.incident_ticket_unlink(incident, self._ticket())
        return self._detail(incident)


@extend_schema_view(
    create=extend_schema(
        request=MaintenanceCreateSerializer,
        responses={201: MaintenanceSerializer},
        summary="Schedule maintenance",
    ),
)
class MaintenanceViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = MaintenanceSerializer
    roles = {"list": ALL, "retrieve": ALL, "create": STATUS_AUTHORS, "cancel": STATUS_AUTHORS}
    filter_backends: list = []

    def get_queryset(self):
        return Maintenance.objects.prefetch_related("components").order_by("-starts_at", "-pk")

    def create(self, request):
        data = self.parse(MaintenanceCreateSerializer)
        maintenance = services.maintenance_schedule(**data, by=request.user)
        return self.render(MaintenanceSerializer, maintenance, status_code=201)

    @extend_schema(request=None, responses=MaintenanceSerializer, summary="Cancel it")
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        maintenance = services.maintenance_cancel(self.get_object(), by=request.user)
        return self.render(MaintenanceSerializer, maintenance)
