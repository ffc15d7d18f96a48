"""Tickets: intake, lifecycle, messages, work logs, sessions, intake attempts
(`creditdesk.api.views.tickets`)."""

from django.urls import reverse
from rest_framework import serializers

from contracts.models import Channel, Contact, Service
from creditdesk.api.serializers.common import (
    CREDITS,
    MAX_INT,
    FieldsBuiltOnce,
    InstantField,
    LocalDateTimeField,
    PlainDecimalField,
    RowField,
    ScopedChoicesMixin,
    ZonedDateTimeField,
)
from creditdesk.api.serializers.credits import LedgerEntrySerializer
from creditdesk.roles import ticket_workers
from sla.choices import Impact, Priority, Urgency
from sla.selectors import SLA_STATES
from tickets.models import (
    TEXT_LIMIT,
    Attachment,
    CannedReply,
    IntakeAttempt,
    Message,
    Outcome,
    ScheduledSession,
    Ticket,
    WorkLog,
)


class TicketSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    next_due_at = serializers.DateTimeField(read_only=True, allow_null=True)
    next_due_at_local = LocalDateTimeField(source="next_due_at", allow_null=True)
    sla_state = serializers.ChoiceField(
        choices=SLA_STATES,
        read_only=True,
        help_text="running, warning, paused, breached, met or none (the queue's SLA state).",
    )
    time_zone = serializers.CharField(source="customer.time_zone", read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "customer",
            "contract",
            "requester",
            "subject",
            "status",
            "priority",
            "impact",
            "urgency",
            "channel",
            "service",
            "resolution_level",
            "assignee",
            "follows_up",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "next_due_at",
            "next_due_at_local",
            "sla_state",
            "time_zone",
            "billed_minutes",
            "billed_credits",
        ]
        read_only_fields = fields


class ClockSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A clock with `sla.selectors.clock_status` figures and `clock_explain` lines."""

    kind = serializers.CharField()
    priority = serializers.CharField()
    state = serializers.CharField()
    target_seconds = serializers.IntegerField()
    elapsed_seconds = serializers.IntegerField()
    remaining_seconds = serializers.IntegerField()
    percent_used = PlainDecimalField(max_digits=8, decimal_places=1)
    started_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(allow_null=True)
    due_at_local = ZonedDateTimeField(allow_null=True)
    stopped_at = serializers.DateTimeField(allow_null=True)
    late_by_seconds = serializers.IntegerField(
        allow_null=True,
        help_text="A breached clock that no longer counts (stopped, or paused waiting on the "
        "customer): the business time it ran past its target, as the SLA report counts it. "
        "Null for any other clock.",
    )
    explanation = serializers.ListField(child=serializers.CharField())


class ChargeSerializer(FieldsBuiltOnce, serializers.Serializer):
    """A ledger entry charged for this ticket (work, or a missed session) and its reason."""

    entry = serializers.IntegerField()
    sequence = serializers.IntegerField()
    kind = serializers.CharField()
    credits = PlainDecimalField(**CREDITS)
    explanation = serializers.CharField()
    created_at = serializers.DateTimeField()


class LevelSerializer(FieldsBuiltOnce, serializers.Serializer):
    """The ticket's resolution level against its own time (`tickets.selectors.ticket_level`),
    counted on the resolution clock; `target_seconds` null is a level without its own time."""

    number = serializers.IntegerField()
    name = serializers.CharField()
    target_seconds = serializers.IntegerField(allow_null=True)
    used_seconds = serializers.IntegerField()
    due_at = serializers.DateTimeField(allow_null=True)
    due_at_local = ZonedDateTimeField(allow_null=True)
    late = serializers.BooleanField()
    referred_to = serializers.CharField()


class TicketDetailSerializer(TicketSerializer):
    description = serializers.CharField(read_only=True)
    charge_explanation = serializers.SerializerMethodField()
    clocks = ClockSerializer(many=True, read_only=True)
    charges = ChargeSerializer(many=True, read_only=True)
    level = LevelSerializer(read_only=True, allow_null=True)
    # Declared: a read-only model field loses `allow_blank`, and the outcome is blank until
    # the ticket is resolved.
    outcome = serializers.ChoiceField(
        choices=Outcome.choices,
        allow_blank=True,
        read_only=True,
        help_text="How the ticket was resolved; empty until it is.",
    )
    suggested_priority = serializers.ChoiceField(
        choices=Priority.choices,
        allow_blank=True,
        read_only=True,
        help_text="The priority the customer suggested, for staff to verify; empty if none.",
    )

    class Meta(TicketSerializer.Meta):
        fields = [
            *TicketSerializer.Meta.fields,
            "description",
            "priority_override_reason",
            "suggested_priority",
            "charge_explanation",
            "referred_to",
            "level",
            "clocks",
            "charges",
            "outcome",
            "outcome_article",
            "outcome_alternative",
            "outcome_quote_number",
        ]
        read_only_fields = fields

    def get_charge_explanation(self, ticket: Ticket) -> str:
        return ticket.charge_explanation_in()


class TicketOpenSerializer(ScopedChoicesMixin, FieldsBuiltOnce, serializers.Serializer):
    scoped_choices = {"requester": "contacts"}

    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="Staff only: phone, chat, whatsapp or staff (the default), the channel the "
        "customer used. A contact's request is always `api`; naming another channel is a 400.",
    )
    requester = RowField(
        queryset=Contact.objects.none(),
        required=False,
        help_text="Staff only: the contact the request is opened for. Contacts open as themselves.",
    )
    service = RowField(
        queryset=Service.objects.all(),
        required=False,
        allow_null=True,
        help_text="The service type (GET /api/v1/services/); it may choose the SLA "
        "policy, the channels and the default impact.",
    )
    impact = serializers.ChoiceField(
        choices=Impact.choices,
        required=False,
        help_text="Default: the service type's default impact, else medium.",
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.MEDIUM)
    suggested_priority = serializers.ChoiceField(
        choices=Priority.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="The priority the customer suggests (seed 003), kept for staff to verify; "
        "the priority itself comes from the impact and urgency.",
    )
    existing_ticket_number = serializers.CharField(
        required=False, allow_blank=True, max_length=20, default=""
    )


class FollowUpSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="As when opening a ticket: staff only; a contact's follow-up is `api`.",
    )


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Ticket.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    # The outcome, when resolving (staff): solved if none; the service checks what each needs.
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, required=False, allow_null=True, default=None
    )
    outcome_article = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=MAX_INT,
        help_text="The knowledge article sent (outcome advice).",
    )
    outcome_alternative = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=5000,
        help_text="The alternative suggested (outcome out_of_scope, at most 500 characters).",
    )
    outcome_quote = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="The number of the ticket's quote that was sent (outcome quote).",
    )


class EscalateSerializer(serializers.Serializer):
    to_level = serializers.IntegerField(min_value=-MAX_INT, max_value=MAX_INT)
    reason = serializers.CharField(max_length=5000)
    referred_to = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=160,
        default="",
        help_text="Vendor, manufacturer or committee working the level, where the level asks.",
    )


class PrioritySerializer(serializers.Serializer):
    priority = serializers.ChoiceField(choices=Priority.choices)
    reason = serializers.CharField(max_length=5000)


class ReclassifySerializer(serializers.Serializer):
    service = RowField(queryset=Service.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=5000)


class AssignSerializer(serializers.Serializer):
    assignee = RowField(
        queryset=ticket_workers(),
        allow_null=True,
        help_text="An agent (or admin): finance and contacts work no tickets.",
    )


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField(help_text="The file, with the same access rules.")

    class Meta:
        model = Attachment
        fields = ["id", "filename", "content_type", "size", "is_image", "download"]
        read_only_fields = fields

    def get_download(self, attachment: Attachment) -> str:
        return reverse("api:attachment-download", args=[attachment.pk])


class MessageSerializer(serializers.ModelSerializer):
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "channel",
            "author_contact",
            "author_user",
            "body",
            "asks_for_information",
            "created_at",
            "attachments",
        ]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=TEXT_LIMIT)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        help_text="Staff: the channel of the answer (default portal). A contact's reply is `api`.",
    )
    public = serializers.BooleanField(default=True, help_text="Staff: False is an internal note.")
    asks_for_information = serializers.BooleanField(
        default=False, help_text="Staff: puts the ticket on hold waiting for the customer."
    )
    attachments = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        default=list,
        help_text="multipart/form-data only: files checked by their content (PDF, PNG, JPEG, "
        "GIF, WebP, text, ZIP), at most ATTACHMENT_MAX_COUNT of ATTACHMENT_MAX_BYTES each.",
    )


class WorkLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkLog
        fields = [
            "id",
            "ticket",
            "agent",
            "started_at",
            "minutes",
            "note",
            "onsite",
            "billable",
            "charged",
            "created_at",
        ]
        read_only_fields = fields


class WorkLogCreateSerializer(serializers.Serializer):
    started_at = InstantField()
    minutes = serializers.IntegerField(min_value=-MAX_INT, max_value=MAX_INT)
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, default=""
    )
    onsite = serializers.BooleanField(default=False)
    billable = serializers.BooleanField(default=True)


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScheduledSession
        fields = ["id", "ticket", "starts_at", "minutes", "agent", "status", "no_show_entry"]
        read_only_fields = fields


class SessionCreateSerializer(serializers.Serializer):
    starts_at = InstantField()
    minutes = serializers.IntegerField(min_value=-MAX_INT, max_value=MAX_INT, default=60)
    agent = RowField(
        # as the assignee: whoever is named must be able to hold the session and mark it
        queryset=ticket_workers(),
        required=False,
        help_text="Default: the caller. An agent or an admin.",
    )


class NoShowSerializer(serializers.Serializer):
    session = SessionSerializer()
    entry = LedgerEntrySerializer()


class IntakeAttemptSerializer(serializers.ModelSerializer):
    message = serializers.CharField(
        source="message_shown", read_only=True, help_text="In the request's language."
    )

    class Meta:
        model = IntakeAttempt
        fields = [
            "id",
            "customer",
            "contact",
            "requester_address",
            "channel",
            "subject",
            "reason",
            "message",
            "created_at",
        ]
        read_only_fields = fields


class CannedReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = CannedReply
        fields = ["id", "title", "body", "language", "active"]
        read_only_fields = fields
