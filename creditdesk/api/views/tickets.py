"""Tickets: intake, lifecycle, messages, work logs, sessions; intake attempts for staff."""

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError

from contracts.models import Channel, Contact
from core.languages import language_code
from creditdesk.api import filters
from creditdesk.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from creditdesk.api.serializers.tickets import (
    AssignSerializer,
    EscalateSerializer,
    FollowUpSerializer,
    IntakeAttemptSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    NoShowSerializer,
    PrioritySerializer,
    ReclassifySerializer,
    SessionCreateSerializer,
    SessionSerializer,
    TicketDetailSerializer,
    TicketOpenSerializer,
    TicketSerializer,
    TransitionSerializer,
    WorkLogCreateSerializer,
    WorkLogSerializer,
)
from creditdesk.api.throttling import intake_check
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import (
    ALL,
    CONTACT_TICKET_TRANSITIONS,
    TICKET_OPENERS,
    TICKET_STAFF,
    TICKET_WORKERS,
    Role,
    contact_of,
)
from sla.selectors import subject_clocks
from tickets.models import Message, ScheduledSession, Ticket
from tickets.selectors import (
    intake_attempt_list,
    ticket_charges,
    ticket_clocks,
    ticket_level,
    ticket_list,
    ticket_rows,
    ticket_shown,
    tickets_with_sla_state,
)
from tickets.services import charging, lifecycle
from tickets.services.attachments import message_with_attachments
from tickets.services.intake import channel_decide, ticket_open


@extend_schema_view(
    list=extend_schema(
        summary="Tickets the caller may see",
        description="`?ordering=next_due_at` is the agents' queue, most urgent first.",
    ),
    retrieve=extend_schema(responses=TicketDetailSerializer),
    create=extend_schema(
        request=TicketOpenSerializer,
        responses={201: TicketDetailSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Open a ticket through intake",
        description=(
            "A refusal answers with the reason's code: 402 insufficient_credits; 403 "
            "unknown_requester, unauthorized_requester; 409 free_membership, "
            "no_active_contract, contract_suspended, administratively_insolvent; 422 "
            "channel_not_allowed, out_of_scope; 429 over the customer's intake rate."
        ),
    ),
)
class TicketViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = TicketSerializer
    filterset_class = filters.TicketApiFilter
    ordering_fields = ["opened_at", "next_due_at", "priority", "status", "number"]
    roles = {
        "list": ALL,
        "retrieve": ALL,
        "create": TICKET_OPENERS,
        "transitions": TICKET_OPENERS,
        "follow_up": TICKET_OPENERS,
        "escalate": TICKET_STAFF,
        "priority": TICKET_STAFF,
        "reclassify": TICKET_STAFF,
        "assign": TICKET_STAFF,
        "messages": ALL,
        "add_message": TICKET_OPENERS,
        "work_logs": ALL,
        "add_work_log": TICKET_WORKERS,
        "sessions": ALL,
        "add_session": TICKET_WORKERS,
    }

    def get_queryset(self):
        if self.action == "list":
            return tickets_with_sla_state(self.scoped(ticket_rows()), timezone.now())
        # One ticket's SLA state is read with its detail (`ticket_shown`, compiled once): as
        # an annotation here its five subqueries cost every action about 10 ms, twice.
        return self.scoped(ticket_list())

    def get_serializer_class(self):
        if self.action == "retrieve":
            return TicketDetailSerializer
        return TicketSerializer

    def _staff(self) -> bool:
        return self.is_(*TICKET_STAFF)

    def _detail(self, ticket: Ticket, *, status_code: int = 200):
        # `ticket` passed the caller's scope (get_object, or intake for the caller's requester)
        now = timezone.now()
        ticket = ticket_shown(ticket.pk, now=now)
        clocks = subject_clocks(ticket.clock_subject)
        ticket.clocks = ticket_clocks(ticket, now=now, language=language_code(), clocks=clocks)
        ticket.charges = ticket_charges(ticket)
        ticket.level = ticket_level(ticket, now=now, clocks=clocks)
        return self.render(TicketDetailSerializer, ticket, status_code=status_code)

    def retrieve(self, request, pk=None):
        return self._detail(self.get_object())

    @idempotent
    def create(self, request):
        staff = self._staff()
        contacts = (
            self.scoped(Contact.objects.select_related("customer"), roles=TICKET_STAFF)
            if staff
            else Contact.objects.none()
        )
        data = self.parse(TicketOpenSerializer, contacts=contacts)
        if staff:
            requester = data.get("requester")
            if requester is None:
                raise ValidationError({"requester": [gettext("Indique el contacto solicitante.")]})
        else:
            requester = contact_of(request.user)
        intake_check(requester.customer_id)
        result = ticket_open(
            channel=channel_decide(
                entry=Channel.API, requested=data.get("channel"), by_staff=staff
            ),
            subject=data["subject"],
            description=data.get("description", ""),
            requester=requester,
            service=data.get("service"),
            impact=data.get("impact"),
            urgency=data["urgency"],
            suggested_priority=data["suggested_priority"],
            existing_ticket_number=data["existing_ticket_number"],
            by=request.user if staff else None,
        )
        if not result.accepted:
            raise result.refusal
        return self._detail(result.ticket, status_code=201)

    @extend_schema(
        request=TransitionSerializer,
        responses=TicketDetailSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Change the ticket's status (resolving charges its credits)",
        description="Contacts may only close a resolved ticket or reopen it.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def transitions(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(TransitionSerializer)
        to_status = data["to_status"]
        if not self._staff() and to_status not in CONTACT_TICKET_TRANSITIONS:
            raise PermissionDenied()
        outcome = {}
        if self._staff():
            outcome = {
                "outcome": data["outcome"],
                "outcome_article": data["outcome_article"],
                "outcome_alternative": data["outcome_alternative"],
                "outcome_quote": data["outcome_quote"],
            }
        lifecycle.ticket_transition(
            ticket, to_status=to_status, by=request.user, reason=data["reason"], **outcome
        )
        return self._detail(ticket)

    @extend_schema(
        request=FollowUpSerializer,
        responses={201: TicketDetailSerializer},
        summary="Open a follow-up request on a closed ticket",
    )
    @action(detail=True, methods=["post"], url_path="follow-up", filter_backends=[])
    @idempotent
    def follow_up(self, request, pk=None):
        closed = self.get_object()
        data = self.parse(FollowUpSerializer)
        requester = closed.requester if self._staff() else contact_of(request.user)
        if requester is None:
            raise ValidationError(
                {"requester": [gettext("La solicitud no tiene contacto solicitante.")]}
            )
        intake_check(requester.customer_id)
        data["channel"] = channel_decide(
            entry=Channel.API, requested=data.get("channel"), by_staff=self._staff()
        )
        result = lifecycle.ticket_follow_up(closed, requester=requester, **data)
        if not result.accepted:
            raise result.refusal
        return self._detail(result.ticket, status_code=201)

    @extend_schema(request=EscalateSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def escalate(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(EscalateSerializer)
        lifecycle.ticket_escalate(ticket, by=request.user, **data)
        return self._detail(ticket)

    @extend_schema(request=PrioritySerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def priority(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(PrioritySerializer)
        lifecycle.ticket_override_priority(ticket, by=request.user, **data)
        return self._detail(ticket)

    @extend_schema(
        request=ReclassifySerializer,
        responses=TicketDetailSerializer,
        summary="Move the ticket to another service type",
        description="Staff only. The open SLA clocks move to the type's policy, keeping the "
        "business time already used; the reason is kept in the ticket's history.",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def reclassify(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(ReclassifySerializer)
        lifecycle.ticket_reclassify(ticket, by=request.user, **data)
        return self._detail(ticket)

    @extend_schema(request=AssignSerializer, responses=TicketDetailSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def assign(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(AssignSerializer)
        lifecycle.ticket_assign(ticket, assignee=data["assignee"], by=request.user)
        return self._detail(ticket)

    # Messages.

    @extend_schema(
        responses=MessageSerializer(many=True),
        summary="Messages (contacts do not see internal notes)",
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def messages(self, request, pk=None):
        ticket = self.get_object()
        messages = ticket.messages.prefetch_related("attachments")
        if not self._staff() and not self.is_(Role.FINANCE):
            messages = messages.exclude(direction=Message.Direction.INTERNAL)
        return self.render_page(messages, MessageSerializer)

    @extend_schema(
        request=MessageCreateSerializer,
        responses={201: MessageSerializer},
        summary="Reply (contacts) or answer, ask for information, add a note (staff)",
        description="JSON, or multipart/form-data with files in `attachments` (repeat the "
        "part for several). A refused file answers 400 with its code (too_many_attachments, "
        "attachment_too_large, attachment_empty, attachment_type_refused, "
        "attachment_type_mismatch, attachment_unreadable) and writes nothing.",
    )
    @messages.mapping.post
    def add_message(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(MessageCreateSerializer)
        files = data.pop("attachments", [])
        message = message_with_attachments(
            files=files, write=lambda: self._write_message(ticket, data)
        )
        return self.render(MessageSerializer, message, status_code=201)

    def _write_message(self, ticket: Ticket, data: dict) -> Message:
        request = self.request
        if self._staff():
            data.setdefault("channel", Channel.PORTAL)
            message = lifecycle.ticket_agent_reply(ticket, by=request.user, **data)
        else:
            staff_only = {
                "public": not data["public"],
                "asks_for_information": data["asks_for_information"],
            }
            refused = [field for field, asked in staff_only.items() if asked]
            if refused:
                message = gettext("Solo el personal escribe notas internas o pide información.")
                raise ValidationError({field: [message] for field in refused})
            channel = channel_decide(
                entry=Channel.API, requested=data.get("channel"), by_staff=False
            )
            message = lifecycle.ticket_customer_reply(
                ticket, contact=contact_of(request.user), body=data["body"], channel=channel
            )
        return message

    # Work logs.

    @extend_schema(responses=WorkLogSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="work-logs", filter_backends=[])
    def work_logs(self, request, pk=None):
        ticket = self.get_object()
        return self.render_page(ticket.work_logs.all(), WorkLogSerializer)

    @extend_schema(
        request=WorkLogCreateSerializer,
        responses={201: WorkLogSerializer},
        summary="Log work (agents)",
        description=(
            "Work done: from `started_at`, not before the ticket was opened, for `minutes` "
            "(1 to 1440), ending within the current minute at the latest. A start before the "
            "opening or in the future is refused on `started_at`, a later end on `minutes` "
            "(400)."
        ),
    )
    @work_logs.mapping.post
    def add_work_log(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(WorkLogCreateSerializer)
        log = charging.worklog_add(ticket, by=request.user, **data)
        return self.render(WorkLogSerializer, log, status_code=201)

    # Scheduled sessions.

    @extend_schema(responses=SessionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def sessions(self, request, pk=None):
        ticket = self.get_object()
        return self.render_page(ticket.sessions.all(), SessionSerializer)

    @extend_schema(
        request=SessionCreateSerializer,
        responses={201: SessionSerializer},
        summary="Schedule a session with the customer (agents)",
    )
    @sessions.mapping.post
    def add_session(self, request, pk=None):
        ticket = self.get_object()
        data = self.parse(SessionCreateSerializer)
        session = charging.session_schedule(
            ticket,
            by=data.get("agent") or request.user,
            starts_at=data["starts_at"],
            minutes=data["minutes"],
        )
        return self.render(SessionSerializer, session, status_code=201)


class SessionViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Scheduled sessions; marking one as missed charges the customer the minimum billable."""

    serializer_class = SessionSerializer
    filterset_class = filters.ScheduledSessionApiFilter
    ordering_fields = ["starts_at"]
    customer_path = "ticket__customer"
    roles = {
        "list": ALL,
        "retrieve": ALL,
        "no_show": TICKET_WORKERS,
        "held": TICKET_WORKERS,
        "cancel": TICKET_WORKERS,
    }

    def get_queryset(self):
        return self.scoped(ScheduledSession.objects.all()).order_by("starts_at", "pk")

    @extend_schema(
        request=None,
        responses=NoShowSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="The customer did not come: charge the minimum billable credits once",
    )
    @action(detail=True, methods=["post"], url_path="no-show", filter_backends=[])
    @idempotent
    def no_show(self, request, pk=None):
        session = charging.session_mark_no_show(self.get_object(), by=request.user)
        return self.render(NoShowSerializer, {"session": session, "entry": session.no_show_entry})

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def held(self, request, pk=None):
        return self.render(SessionSerializer, charging.session_mark_held(self.get_object()))

    @extend_schema(request=None, responses=SessionSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request, pk=None):
        return self.render(SessionSerializer, charging.session_cancel(self.get_object()))


class IntakeAttemptViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Refused requests, so staff see lost demand."""

    serializer_class = IntakeAttemptSerializer
    filterset_class = filters.IntakeAttemptApiFilter
    ordering_fields = ["created_at", "reason"]
    roles = {
        "list": frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN}),
        "retrieve": frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN}),
    }

    def get_queryset(self):
        return self.scoped(intake_attempt_list())
