"""The customer portal: parse -> service or selector -> render. Rules live in the apps."""

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from billing import stripe_gateway
from billing.documents.store import invoice_pdf_get
from billing.services import topup_start
from contracts.models import Channel, CreditPack, Service
from contracts.selectors import contract_get_live, credit_packs_on_sale, services_covered
from core.errors import CreditdeskError
from core.languages import language_code
from core.storage import stored_file_open
from creditdesk.reports.data import month_bounds, sla_report_data
from creditdesk.reports.rendering import sla_report_csv, sla_report_pdf
from creditdesk.roles import invoices_visible_to
from creditdesk.web import selectors
from creditdesk.web.access import portal_view
from creditdesk.web.filters import LedgerEntryFilter
from creditdesk.web.forms import FollowUpForm, ReopenForm, ReplyForm, TicketOpenForm
from creditdesk.web.pagination import paginate
from creditdesk.web.stripe_js import stripe_js_config, stripe_js_url
from creditdesk.web.views import autotopup, knowledge
from creditdesk.web.views.common import form_submit, show_refusal
from credits.selectors import credit_blocks_of
from tickets.models import Ticket
from tickets.reopen_links import reopen_token_ticket
from tickets.services.attachments import message_with_attachments, opening_message
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_customer_reply, ticket_follow_up, ticket_reopen
from tickets.transitions import ALLOWED


@portal_view
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    customer = request.customer
    summary = selectors.credits_summary(customer=customer, now=now)
    return render(
        request,
        "portal/dashboard.html",
        {
            "now": now,
            "summary": summary,
            "charts": selectors.portal_charts(
                summary=summary, customer=customer, now=now, language=language_code()
            ),
            "open_tickets": paginate(request, selectors.open_tickets(customer=customer, now=now)),
            "recent_tickets": selectors.customer_tickets(customer=customer, limit=10),
        },
    )


def _services(customer) -> "QuerySet[Service]":
    contract = contract_get_live(customer=customer)
    return services_covered(contract) if contract else Service.objects.none()


@portal_view
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketOpenForm(
        request.POST or None, request.FILES or None, services=_services(request.customer)
    )
    result = None
    if request.method == "POST":
        result = form_submit(
            request,
            form,
            lambda data: message_with_attachments(
                files=data.pop("attachments"),
                write=lambda: ticket_open(
                    channel=Channel.PORTAL, requester=request.contact, by=None, **data
                ),
                message_of=opening_message,
            ),
        )
        if result is not None and result.accepted:
            number = {"number": result.ticket.number}
            if result.replay_differs:
                messages.warning(
                    request,
                    _(
                        "Este formulario ya se había enviado como la solicitud %(number)s; lo "
                        "que cambió después no se guardó. Para otra solicitud, abra un "
                        "formulario nuevo."
                    )
                    % number,
                )
            else:
                if not result.replayed:
                    knowledge.request_submitted(request, result.ticket)
                messages.success(request, _("Solicitud %(number)s recibida.") % number)
            return redirect("web:ticket", number=result.ticket.number)
    preview = selectors.intake_preview(contact=request.contact, language=language_code())
    # The page states the preview's refusal with what to do about it; the same refusal as a
    # message above it would say it twice.
    if result is not None and not (preview.refused and preview.code == result.refusal.code):
        show_refusal(request, result.refusal)
    return render(
        request,
        "portal/ticket_new.html",
        {"form": form, "preview": preview, "manager": request.customer.account_manager},
    )


def _ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = selectors.customer_ticket_get(customer=request.customer, number=number)
    if ticket is None:
        raise Http404
    return ticket


@portal_view
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    return _render_ticket(request, ticket)


def _render_ticket(request, ticket, **forms) -> HttpResponse:
    page = selectors.ticket_page(
        ticket=ticket, now=timezone.now(), language=language_code(), staff=False
    )
    asks = request.contact.can_request
    context = {
        "page": page,
        "ticket": ticket,
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
        "follow_up_form": forms.get("follow_up_form") or FollowUpForm(),
        # Both ask for support again: only a contact the customer authorised to ask
        # (`requester_authorized_check`, which the services ask too) is offered them.
        "can_reopen": asks and Ticket.Status.REOPENED in ALLOWED[ticket.status],
        "can_follow_up": asks and ticket.status in Ticket.FINISHED_STATUSES,
        "can_reply": ticket.is_open,
        "explanation": ticket.charge_explanation_in(),
    }
    return render(request, "portal/ticket.html", context)


@require_POST
@portal_view
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReplyForm(request.POST, request.FILES)

    def reply(data: dict) -> object:
        return message_with_attachments(
            files=data["attachments"],
            write=lambda: ticket_customer_reply(ticket, contact=request.contact, body=data["body"]),
        )

    if form_submit(request, form, reply):
        messages.success(request, _("Mensaje enviado."))
        return redirect("web:ticket", number=number)
    return _render_ticket(request, ticket, reply_form=form)


@require_POST
@portal_view
def ticket_reopen_view(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReopenForm(request.POST)
    if form_submit(
        request, form, lambda data: ticket_reopen(ticket, by=request.user, reason=data["reason"])
    ):
        messages.success(request, _("Solicitud reabierta."))
        return redirect("web:ticket", number=number)
    return _render_ticket(request, ticket, reopen_form=form)


def reopen_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The resolution notice's link: the customer reopens without signing in. The GET only
    shows the button (a mail scanner following links reopens nothing); the POST reopens."""
    ticket, current = reopen_token_ticket(token)
    if ticket is None:
        raise Http404
    form = ReopenForm(request.POST or None, reason_required=False)
    reopened = False
    if request.method == "POST" and current:
        reopened = bool(
            form_submit(
                request,
                form,
                lambda data: ticket_reopen(ticket, reason=f"reopen_link: {data['reason']}".strip()),
            )
        )
    return render(
        request,
        "portal/reopen_link.html",
        {"ticket": ticket, "form": form, "current": current, "reopened": reopened},
    )


@require_POST
@portal_view
def ticket_follow_up_view(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = FollowUpForm(request.POST)
    result = form_submit(
        request,
        form,
        lambda data: ticket_follow_up(
            ticket, requester=request.contact, channel=Channel.PORTAL, **data
        ),
    )
    if result is not None and result.accepted:
        messages.success(
            request, _("Seguimiento %(number)s abierto.") % {"number": result.ticket.number}
        )
        return redirect("web:ticket", number=result.ticket.number)
    if result is not None:
        show_refusal(request, result.refusal)
    return _render_ticket(request, ticket, follow_up_form=form)


@portal_view
def credits(
    request: HttpRequest, auto_top_up_form: object = None, status: int = 200
) -> HttpResponse:
    customer = request.customer
    summary = selectors.credits_summary(customer=customer, now=timezone.now())
    ledger = LedgerEntryFilter(
        request.GET or None, queryset=selectors.ledger_entries(customer=customer)
    )
    return render(
        request,
        "portal/credits.html",
        {
            "summary": summary,
            "blocks": credit_blocks_of(account=summary.account, now=timezone.now()),
            "charts": selectors.portal_charts(
                summary=summary,
                customer=customer,
                now=timezone.now(),
                language=language_code(),
                compliance=False,
            ),
            "filter": ledger,
            "entries": paginate(request, ledger.qs, per_page=50),
            "packs": credit_packs_on_sale(contract=summary.contract),
            # Without Stripe keys a pack is paid by bank transfer, recorded by finance.
            "card_payments": stripe_gateway.is_configured(),
            "payment_instructions": settings.SELLER_PAYMENT_INSTRUCTIONS,
            **autotopup.section_context(customer, auto_top_up_form),
        },
        status=status,
    )


@require_POST
@portal_view
def topup(request: HttpRequest, pack_id: int) -> HttpResponse:
    pack = CreditPack.objects.filter(pk=pack_id).first()
    if pack is None:
        raise Http404
    try:
        started = topup_start(customer=request.customer, credit_pack=pack)
    except CreditdeskError as error:
        show_refusal(request, error)
        return redirect("web:credits")
    request.session[f"payment:{started.payment.pk}"] = started.client_secret
    return redirect("web:payment", pk=started.payment.pk)


@portal_view
def payment(request: HttpRequest, pk: int) -> HttpResponse:
    """The card form (Stripe.js) until Stripe's webhook has applied the payment; the status
    box polls `?fragment=status` (without JavaScript the page refreshes itself)."""
    found = selectors.customer_payment_get(customer=request.customer, pk=pk)
    if found is None:
        raise Http404
    if request.GET.get("fragment") == "status":
        return render(request, "portal/_payment_status.html", {"payment": found})
    config = stripe_js_config(
        secret=request.session.get(f"payment:{pk}", ""), failed=_("El pago no se completó.")
    )
    return render(
        request,
        "portal/payment.html",
        {
            "payment": found,
            "stripe_config": config,
            "stripe_js": stripe_js_url(),
            "waiting": found.applied_at is None and found.status in ("started", "pending"),
        },
    )


@portal_view
def invoices(request: HttpRequest) -> HttpResponse:
    customer = request.customer
    contract = contract_get_live(customer=customer)
    reports = selectors.compliance_months(contract=contract, now=timezone.now()) if contract else []
    return render(
        request,
        "portal/invoices.html",
        {
            "invoices": invoices_visible_to(request.user),
            "reports": reports,
        },
    )


@require_safe
@portal_view
def invoice_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The customer's own issued invoice as billing stored it (rendered on first download)."""
    invoice = invoices_visible_to(request.user).filter(pk=pk).first()
    if invoice is None:
        raise Http404
    return FileResponse(
        stored_file_open(invoice_pdf_get(invoice=invoice)),
        as_attachment=True,
        filename=f"{invoice.display_number}.pdf",
        content_type="application/pdf",
    )


@require_safe
@portal_view
def sla_report_view(request: HttpRequest, month: str, document: str) -> HttpResponse:
    """The month's SLA compliance report of the customer's live contract: the PDF to read,
    or the CSV with every figure and every breach."""
    contract = contract_get_live(customer=request.customer)
    try:
        first, last = month_bounds(month)
    except ValueError as error:
        raise Http404 from error
    if contract is None:
        raise Http404
    report = sla_report_data(contract=contract, period_start=first, period_end=last)
    if document == "csv":
        response = HttpResponse(sla_report_csv(report), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            sla_report_pdf(report, language=language_code()), content_type="application/pdf"
        )
    response["Content-Disposition"] = f'attachment; filename="sla-{month}.{document}"'
    return response
