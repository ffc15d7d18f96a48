"""The status page in the API, the public JSON (`/status.json`) and the incident webhooks:
one set of serializers, so the three never disagree. Texts come in the reader's language
(`title`, `body`) and in both (`title_es`, `title_en`...); times in UTC."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from creditdesk.api.serializers.common import (
    InstantField,
    RowField,
    RowsField,
    ScopedChoicesMixin,
    rows_field,
)
from statuspage.models import (
    BODY_LIMIT,
    TITLE_LIMIT,
    Component,
    ComponentStatus,
    Impact,
    Incident,
    IncidentUpdate,
    Maintenance,
    State,
)
from statuspage.selectors import StatusSummary
from statuspage.transitions import OPEN_STATES
from tickets.models import Ticket


def _absolute(context: dict, path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


class ComponentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="local_name", read_only=True)
    description = serializers.CharField(source="local_description", read_only=True)
    name_es = serializers.CharField(source="name", read_only=True)
    services = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Component
        fields = ["id", "code", "name", "name_es", "name_en", "description", "services"]
        read_only_fields = fields


class IncidentUpdateSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    impact_label = serializers.CharField(source="get_impact_display", read_only=True)
    body = serializers.CharField(source="local_body", read_only=True)
    body_es = serializers.CharField(source="body", read_only=True)

    class Meta:
        model = IncidentUpdate
        fields = [
            "id",
            "state",
            "state_label",
            "impact",
            "impact_label",
            "body",
            "body_es",
            "body_en",
            "at",
        ]
        read_only_fields = fields


class IncidentSerializer(serializers.ModelSerializer):
    """`linked_tickets`: the numbers of the linked tickets the caller may see (none in the
    public JSON and in webhooks, which go to every subscriber)."""

    url = serializers.SerializerMethodField()
    title = serializers.CharField(source="local_title", read_only=True)
    title_es = serializers.CharField(source="title", read_only=True)
    impact_label = serializers.CharField(source="get_impact_display", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    components = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")
    updates = IncidentUpdateSerializer(many=True, read_only=True)
    linked_tickets = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "url",
            "title",
            "title_es",
            "title_en",
            "impact",
            "impact_label",
            "state",
            "state_label",
            "components",
            "started_at",
            "resolved_at",
            "updates",
            "linked_tickets",
        ]
        read_only_fields = fields

    def get_url(self, incident: Incident) -> str:
        return _absolute(self.context, reverse("status:incident", args=[incident.pk]))

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_linked_tickets(self, incident: Incident) -> list[str]:
        return [link.ticket.number for link in getattr(incident, "visible_links", [])]


class MaintenanceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="local_title", read_only=True)
    title_es = serializers.CharField(source="title", read_only=True)
    description = serializers.CharField(source="local_description", read_only=True)
    description_es = serializers.CharField(source="description", read_only=True)
    components = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = Maintenance
        fields = [
            "id",
            "title",
            "title_es",
            "title_en",
            "description",
            "description_es",
            "description_en",
            "components",
            "starts_at",
            "ends_at",
            "cancelled_at",
        ]
        read_only_fields = fields


class HistoryDaySerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    status = serializers.ChoiceField(source="kind", choices=ComponentStatus.choices)


class ComponentStatusSerializer(serializers.Serializer):
    code = serializers.CharField(source="component.code")
    name = serializers.CharField(source="component.local_name")
    description = serializers.CharField(source="component.local_description")
    status = serializers.ChoiceField(choices=ComponentStatus.choices)
    status_label = serializers.CharField()
    uptime = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="Percent of the window not under an outage."
    )
    history = HistoryDaySerializer(source="days", many=True)


class StatusSerializer(serializers.Serializer):
    """The whole page: overall status, each component with its 90 days, the open incidents,
    maintenance under way or announced, and the incidents resolved within the window."""

    status = serializers.ChoiceField(choices=ComponentStatus.choices)
    status_label = serializers.CharField()
    generated_at = serializers.DateTimeField(source="now")
    time_zone = serializers.CharField(source="zone.key", help_text="Of the history's days.")
    history_from = serializers.DateField(source="first_day")
    history_to = serializers.DateField(source="last_day")
    components = ComponentStatusSerializer(many=True)
    incidents = IncidentSerializer(source="open_incidents", many=True)
    maintenance_now = MaintenanceSerializer(many=True)
    maintenance_upcoming = MaintenanceSerializer(many=True)
    recent_incidents = IncidentSerializer(many=True)


def status_document(summary: StatusSummary, *, request=None) -> dict:
    return dict(StatusSerializer(summary, context={"request": request}).data)


# --- writes ---------------------------------------------------------------------------------

OPEN_STATE_CHOICES = [(value, label) for value, label in State.choices if value in OPEN_STATES]


def _components_field() -> RowsField:
    return rows_field(
        serializers.SlugRelatedField(
            slug_field="code", queryset=Component.objects.filter(is_active=True)
        ),
        help_text="Component codes.",
    )


class IncidentCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_LIMIT)
    title_en = serializers.CharField(max_length=TITLE_LIMIT, required=False, allow_blank=True)
    impact = serializers.ChoiceField(choices=Impact.choices)
    state = serializers.ChoiceField(choices=OPEN_STATE_CHOICES, default=State.INVESTIGATING)
    components = _components_field()
    body = serializers.CharField(max_length=BODY_LIMIT)
    body_en = serializers.CharField(max_length=BODY_LIMIT, required=False, allow_blank=True)
    started_at = InstantField(required=False, allow_null=True)


class IncidentUpdateCreateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices)
    impact = serializers.ChoiceField(choices=Impact.choices, required=False, allow_null=True)
    body = serializers.CharField(max_length=BODY_LIMIT)
    body_en = serializers.CharField(max_length=BODY_LIMIT, required=False, allow_blank=True)
    send_to_tickets = serializers.BooleanField(
        default=False, help_text="Also post it on every open linked ticket (once per ticket)."
    )
    at = InstantField(
        required=False,
        allow_null=True,
        help_text="When the change happened, for one written up late (default: now). Not in "
        "the future, nor before the incident's start or its latest update.",
    )


class TicketLinkSerializer(ScopedChoicesMixin, serializers.Serializer):
    scoped_choices = {"ticket": "tickets"}

    ticket = RowField(queryset=Ticket.objects.none())


class SendUpdateSerializer(ScopedChoicesMixin, serializers.Serializer):
    scoped_choices = {"update": "updates"}

    update = RowField(
        queryset=IncidentUpdate.objects.none(), help_text="One of this incident's updates."
    )


class SentSerializer(serializers.Serializer):
    sent_to = serializers.ListField(
        child=serializers.CharField(), help_text="Numbers of the tickets told now."
    )


class MaintenanceCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=TITLE_LIMIT)
    title_en = serializers.CharField(max_length=TITLE_LIMIT, required=False, allow_blank=True)
    description = serializers.CharField(max_length=BODY_LIMIT, required=False, allow_blank=True)
    description_en = serializers.CharField(max_length=BODY_LIMIT, required=False, allow_blank=True)
    components = _components_field()
    starts_at = InstantField()
    ends_at = InstantField()
