"""The staff workspace: the queue, a ticket's work view and the account manager's view."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from contracts.models import Customer
from contracts.selectors import services_covered
from core.errors import CreditdeskError
from core.languages import language_code
from core.text import row_id
from creditdesk.roles import (
    TICKET_STAFF,
    TICKET_WORKERS,
    WEBHOOK_MANAGERS,
    Role,
    has_role,
    scope,
    webhook_endpoints_visible_to,
)
from creditdesk.web import selectors
from creditdesk.web.access import roles_view, staff_view
from creditdesk.web.filters import QueueFilter
from creditdesk.web.forms import (
    AgentReplyForm,
    AssignForm,
    EscalateForm,
    PriorityForm,
    ReclassifyForm,
    SessionForm,
    TransitionForm,
    WebhookEndpointChangeForm,
    WebhookEndpointForm,
    WorkLogForm,
)
from creditdesk.web.pagination import paginate
from creditdesk.web.views import knowledge
from creditdesk.web.views.common import form_submit, show_refusal
from tickets import canned, clocks
from tickets.models import Outcome, ScheduledSession, Ticket
from tickets.selectors import canned_replies_active, canned_reply_values, ticket_level
from tickets.services.attachments import message_with_attachments
from tickets.services.charging import session_mark_no_show, session_schedule, worklog_add
from tickets.services.lifecycle import (
    ticket_agent_reply,
    ticket_assign,
    ticket_escalate,
    ticket_override_priority,
    ticket_reclassify,
    ticket_transition,
)
from webhooks.models import WebhookEndpoint
from webhooks.selectors import webhook_deliveries_of
from webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_update,
    webhook_redeliver,
)


def _tickets(request: HttpRequest):
    return scope(Ticket.objects.all(), request.user)


@staff_view
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    filterset = QueueFilter(request.GET or None, queryset=_tickets(request))
    return render(
        request,
        "workspace/queue.html",
        {
            "filter": filterset,
            "tickets": paginate(request, selectors.queue_tickets(filterset.qs, now), per_page=50),
            "now": now,
            "may_work": has_role(request.user, TICKET_WORKERS),
        },
    )


def _ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = (
        _tickets(request)
        .select_related(
            "customer", "contract__plan", "requester", "assignee", "follows_up", "service"
        )
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def _work_view(request: HttpRequest, ticket: Ticket, **forms) -> HttpResponse:
    page = selectors.ticket_page(
        ticket=ticket, now=timezone.now(), language=language_code(), staff=True
    )
    context = {
        "page": page,
        "ticket": ticket,
        "reply_form": forms.get("reply_form") or AgentReplyForm(),
        "transition_form": forms.get("transition_form") or TransitionForm(ticket=ticket),
        "worklog_form": forms.get("worklog_form")
        or WorkLogForm(initial={"ended_at": timezone.localtime().replace(second=0, microsecond=0)}),
        "session_form": forms.get("session_form") or SessionForm(),
        "assign_form": forms.get("assign_form")
        or AssignForm(initial={"assignee": ticket.assignee}),
        "reclassify_form": forms.get("reclassify_form")
        or ReclassifyForm(
            initial={"service": ticket.service}, services=services_covered(ticket.contract)
        ),
        "priority_form": forms.get("priority_form")
        or PriorityForm(initial={"priority": ticket.suggested_priority or ticket.priority}),
        "suggestion_unverified": ticket.suggested_priority
        and ticket.suggested_priority != ticket.priority
        and not ticket.priority_override_reason,
        "escalate_form": forms.get("escalate_form")
        or EscalateForm(
            initial={"to_level": ticket.resolution_level, "referred_to": ticket.referred_to},
            levels=clocks.levels_for(ticket),
        ),
        "level": ticket_level(ticket, now=timezone.now()),
        "may_answer": has_role(request.user, TICKET_STAFF),
        "out_of_hours": clocks.answer_out_of_hours(ticket, at=timezone.now()),
        "may_work": has_role(request.user, TICKET_WORKERS),
        "explanation": ticket.charge_explanation_in(),
        "canned_replies": _canned_replies(ticket),
    }
    return render(request, "workspace/ticket.html", context)


def _canned_replies(ticket: Ticket) -> list[dict]:
    """The active canned replies, filled in for `ticket`, the customer's language first."""
    values = canned_reply_values(ticket)
    first = ticket.requester.preferred_language if ticket.requester else ticket.customer.language
    groups = {first: [], **{code: [] for code in ("es", "en") if code != first}}
    for reply in canned_replies_active():
        groups.setdefault(reply.language, []).append((reply, canned.expand(reply.body, values)))
    labels = {"es": _("En español"), "en": _("En inglés")}
    return [
        {"label": labels.get(code, code), "options": options}
        for code, options in groups.items()
        if options
    ]


def _reply_form_with_canned(request: HttpRequest, ticket: Ticket) -> AgentReplyForm:
    """Without JavaScript, "Insertar la respuesta" posts the reply form: it comes back with
    the canned reply's text (filled in for the ticket) added to the message, nothing sent."""
    body = request.POST.get("body", "")
    chosen = row_id(request.POST.get("canned", ""))
    reply = None
    if chosen is not None:
        reply = canned_replies_active().filter(pk=chosen).first()
    if reply is None:
        messages.error(request, _("Elija una respuesta predefinida para insertarla."))
    else:
        text = canned.expand(reply.body, canned_reply_values(ticket))
        body = f"{body.rstrip()}\n\n{text}".lstrip()
    return AgentReplyForm(initial={"body": body, "kind": request.POST.get("kind")})


def _in_customer_zone(view):
    """Work-view forms take and show times in the ticket's customer's zone."""

    def wrapper(request: HttpRequest, number: str, *args, **kwargs) -> HttpResponse:
        ticket = _ticket(request, number)
        timezone.activate(ticket.customer.time_zone_info)
        try:
            return view(request, ticket, *args, **kwargs)
        finally:
            timezone.deactivate()

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@staff_view
@_in_customer_zone
def ticket_work(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    return _work_view(request, ticket)


def _done(request: HttpRequest, ticket: Ticket, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("web:work", number=ticket.number)


@require_POST
@roles_view(TICKET_STAFF)
@_in_customer_zone
def ticket_reply(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    if request.POST.get("insert_article"):  # the article picker without JavaScript
        return _work_view(
            request, ticket, reply_form=knowledge.reply_form_with_article(request, ticket)
        )
    if request.POST.get("insert_canned"):  # the canned-reply picker without JavaScript
        return _work_view(request, ticket, reply_form=_reply_form_with_canned(request, ticket))
    form = AgentReplyForm(request.POST, request.FILES)

    def reply(data: dict) -> object:
        return message_with_attachments(
            files=data["attachments"],
            write=lambda: ticket_agent_reply(
                ticket,
                by=request.user,
                body=data["body"],
                public=data["kind"] != AgentReplyForm.INTERNAL,
                asks_for_information=data["kind"] == AgentReplyForm.ASK,
            ),
        )

    if form_submit(request, form, reply):
        return _done(request, ticket, _("Mensaje registrado."))
    return _work_view(request, ticket, reply_form=form)


@require_POST
@roles_view(TICKET_STAFF)
@_in_customer_zone
def ticket_move(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = TransitionForm(request.POST, ticket=ticket)

    def move(data: dict) -> Ticket:
        outcome = {}
        if data["to_status"] == Ticket.Status.RESOLVED:
            outcome = {
                "outcome": data["outcome"] or Outcome.SOLVED,
                "outcome_article": data["outcome_article"],
                "outcome_alternative": data["outcome_alternative"],
                "outcome_quote": data["outcome_quote"],
            }
        return ticket_transition(
            ticket, to_status=data["to_status"], by=request.user, reason=data["reason"], **outcome
        )

    if form_submit(request, form, move):
        return _done(
            request,
            ticket,
            _("Estado cambiado a «%(status)s».") % {"status": ticket.get_status_display()},
        )
    return _work_view(request, ticket, transition_form=form)


@require_POST
@roles_view(TICKET_WORKERS)
@_in_customer_zone
def ticket_worklog(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = WorkLogForm(request.POST)
    if form_submit(request, form, lambda data: worklog_add(ticket, by=request.user, **data)):
        return _done(request, ticket, _("Trabajo registrado."))
    return _work_view(request, ticket, worklog_form=form)


@require_POST
@roles_view(TICKET_WORKERS)
@_in_customer_zone
def ticket_session(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = SessionForm(request.POST)
    if form_submit(request, form, lambda data: session_schedule(ticket, by=request.user, **data)):
        return _done(request, ticket, _("Sesión programada."))
    return _work_view(request, ticket, session_form=form)


@require_POST
@roles_view(TICKET_WORKERS)
@_in_customer_zone
def session_no_show(request: HttpRequest, ticket: Ticket, pk: int) -> HttpResponse:
    session = ScheduledSession.objects.filter(ticket=ticket, pk=pk).first()
    if session is None:
        raise Http404
    try:
        marked = session_mark_no_show(session, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
        return redirect("web:work", number=ticket.number)
    if marked.no_show_entry_id is None:  # support included: nothing is charged
        return _done(request, ticket, _("Inasistencia registrada."))
    return _done(request, ticket, _("Inasistencia registrada y cobrada."))


@require_POST
@roles_view(TICKET_STAFF)
@_in_customer_zone
def ticket_assign_view(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    to_me = bool(request.POST.get("me"))  # "Asignarme", in the queue and on the ticket
    form = AssignForm({"assignee": request.user.pk} if to_me else request.POST)
    from_queue = request.POST.get("back") == "queue"
    if form.is_valid():
        ticket_assign(ticket, assignee=form.cleaned_data["assignee"], by=request.user)
        if to_me:
            text = _("%(number)s está asignada a usted.") % {"number": ticket.number}
            if from_queue:
                messages.success(request, text)
                return redirect("web:queue")
            return _done(request, ticket, text)
        return _done(request, ticket, _("Asignación actualizada."))
    if to_me:  # not someone who works tickets (an account manager)
        messages.error(request, _("Solo los agentes pueden asignarse solicitudes."))
        return redirect("web:queue") if from_queue else redirect("web:work", number=ticket.number)
    return _work_view(request, ticket, assign_form=form)


@require_POST
@roles_view(TICKET_STAFF)
@_in_customer_zone
def ticket_reclassify_view(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = ReclassifyForm(request.POST, services=services_covered(ticket.contract))

    def reclassify(data: dict) -> Ticket:
        return ticket_reclassify(ticket, by=request.user, **data)

    if form_submit(request, form, reclassify):
        return _done(
            request,
            ticket,
            _("Ahora es «%(service)s»; sus plazos siguen la política de ese tipo.")
            % {"service": ticket.service.name},
        )
    return _work_view(request, ticket, reclassify_form=form)


@require_POST
@roles_view(TICKET_STAFF)
@_in_customer_zone
def ticket_priority_view(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = PriorityForm(request.POST)

    def override(data: dict) -> Ticket:
        return ticket_override_priority(ticket, by=request.user, **data)

    if form_submit(request, form, override):
        return _done(
            request,
            ticket,
            _("Ahora es %(priority)s; sus plazos siguen esa prioridad.")
            % {"priority": ticket.get_priority_display()},
        )
    return _work_view(request, ticket, priority_form=form)


@require_POST
@roles_view(TICKET_STAFF)
@_in_customer_zone
def ticket_escalate_view(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    form = EscalateForm(request.POST, levels=clocks.levels_for(ticket))

    def escalate(data: dict) -> Ticket:
        return ticket_escalate(ticket, by=request.user, **data)

    if form_submit(request, form, escalate):
        return _done(
            request,
            ticket,
            _("Ahora está en el nivel %(level)s.") % {"level": ticket.resolution_level},
        )
    return _work_view(request, ticket, escalate_form=form)


def _may_cover_all(request: HttpRequest) -> bool:
    return has_role(request.user, {Role.ADMIN})


@roles_view(WEBHOOK_MANAGERS)
def webhooks(request: HttpRequest) -> HttpResponse:
    """Endpoints the user registers for their customers, and the recent deliveries."""
    may_cover_all = _may_cover_all(request)
    form = WebhookEndpointForm(
        request.POST or None,
        customers=scope(
            Customer.objects.order_by("legal_name"), request.user, path="", roles=WEBHOOK_MANAGERS
        ),
        may_cover_all=may_cover_all,
    )
    if request.method == "POST":
        endpoint = form_submit(
            request,
            form,
            lambda data: webhook_endpoint_create(
                owner=request.user,
                url=data["url"],
                events=data["events"],
                customer=data["customer"],
                may_cover_all=may_cover_all,
            ),
        )
        if endpoint is not None:
            messages.success(
                request,
                _(
                    "Webhook registrado. Su secreto para verificar las firmas (no se mostrará "
                    "de nuevo): %(secret)s"
                )
                % {"secret": endpoint.secret},
            )
            return redirect("web:webhooks")
    endpoints = webhook_endpoints_visible_to(request.user).select_related("customer")
    context = {
        "form": form,
        "endpoints": endpoints.order_by("pk"),
        "deliveries": paginate(request, webhook_deliveries_of(endpoints)),
    }
    return render(request, "workspace/webhooks.html", context)


@require_POST
@roles_view(WEBHOOK_MANAGERS)
def webhook_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _webhook_endpoint(request, pk)
    webhook_endpoint_update(endpoint, is_active=not endpoint.is_active)
    messages.success(
        request, _("Webhook activado.") if endpoint.is_active else _("Webhook desactivado.")
    )
    return redirect("web:webhooks")


@roles_view(WEBHOOK_MANAGERS)
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """An endpoint's address and events; its customer stays (register another for another)."""
    endpoint = _webhook_endpoint(request, pk)
    customer = endpoint.customer
    form = WebhookEndpointChangeForm(
        request.POST or None, initial={"url": endpoint.url, "events": endpoint.events}
    )
    if request.method == "POST":
        changed = form_submit(
            request,
            form,
            lambda data: webhook_endpoint_update(endpoint, url=data["url"], events=data["events"]),
        )
        if changed is not None:
            messages.success(request, _("Webhook %(url)s guardado.") % {"url": changed.url})
            return redirect("web:webhooks")
    return render(
        request,
        "workspace/webhook_edit.html",
        {"form": form, "endpoint_id": endpoint.pk, "customer": customer},
    )


@require_safe
@roles_view(WEBHOOK_MANAGERS)
def webhook_rotate_secret_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """What a new secret does, asked before it is given: the integrator's verification fails
    from that moment until they set the new one."""
    endpoint = _webhook_endpoint(request, pk)
    return render(
        request, "workspace/webhook_confirm.html", {"endpoint": endpoint, "action": "rotate"}
    )


@require_safe
@roles_view(WEBHOOK_MANAGERS)
def webhook_delete_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """What deleting does, asked before it is done: deliveries stop and their log goes."""
    endpoint = _webhook_endpoint(request, pk)
    return render(
        request,
        "workspace/webhook_confirm.html",
        {"endpoint": endpoint, "action": "delete", "deliveries": endpoint.deliveries.count()},
    )


@require_POST
@roles_view(WEBHOOK_MANAGERS)
def webhook_rotate_secret_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = webhook_endpoint_rotate_secret(_webhook_endpoint(request, pk))
    messages.success(
        request,
        _("Nuevo secreto de %(url)s (no se mostrará de nuevo; el anterior ya no firma): %(secret)s")
        % {"url": endpoint.url, "secret": endpoint.secret},
    )
    return redirect("web:webhooks")


@require_POST
@roles_view(WEBHOOK_MANAGERS)
def webhook_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _webhook_endpoint(request, pk)
    webhook_endpoint_delete(endpoint)
    messages.success(request, _("Webhook %(url)s eliminado.") % {"url": endpoint.url})
    return redirect("web:webhooks")


def _webhook_endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    """One of the endpoints the user may manage, or 404 (another's is as unknown as none)."""
    endpoint = webhook_endpoints_visible_to(request.user).filter(pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@require_POST
@roles_view(WEBHOOK_MANAGERS)
def webhook_redeliver_view(request: HttpRequest, pk: int) -> HttpResponse:
    endpoints = webhook_endpoints_visible_to(request.user)
    delivery = webhook_deliveries_of(endpoints).filter(pk=pk).first()
    if delivery is None:
        raise Http404
    webhook_redeliver(delivery)
    messages.success(request, _("Entrega %(event)s reenviada.") % {"event": delivery.event_id})
    return redirect("web:webhooks")
