"""Quote pages: staff draft a quote from a ticket, read it and send it; the customer reads it
in the portal, downloads its PDF and accepts or rejects it. Every page reads quotes through
`creditdesk.roles.quotes_visible_to` and writes through `quotes.services`."""

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import CreditdeskError
from core.languages import language_code
from creditdesk.roles import QUOTE_AUTHORS, STAFF, Role, has_role, quotes_visible_to, scope
from creditdesk.web.access import portal_view, roles_view
from creditdesk.web.quote_forms import QuoteForm, QuoteRejectForm
from creditdesk.web.views.common import form_submit, show_refusal
from quotes.models import Quote
from quotes.pdf import quote_pdf_bytes, quote_pdf_filename
from quotes.services import (
    contact_decides_quotes,
    quote_accept,
    quote_draft,
    quote_reject,
    quote_send,
)
from tickets.models import Outcome, Ticket
from tickets.outcomes import outcomes_by_month


def _quote(request: HttpRequest, pk: int) -> Quote:
    quote = quotes_visible_to(request.user).filter(pk=pk).first()
    if quote is None:
        raise Http404
    return quote


def _ticket(request: HttpRequest, number: str) -> Ticket:
    ticket = (
        scope(Ticket.objects.select_related("customer", "contract"), request.user)
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


@roles_view(QUOTE_AUTHORS)
def work_quote_new(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    timezone.activate(ticket.customer.time_zone_info)
    try:
        form = QuoteForm(request.POST or None, currency=ticket.customer.currency)
        if request.method == "POST":
            created = form_submit(
                request,
                form,
                lambda data: quote_draft(
                    ticket=ticket,
                    kind=data["kind"],
                    lines=form.lines(),
                    valid_until=data["valid_until"],
                    terms=data["terms"],
                    by=request.user,
                ),
            )
            if created is not None:
                messages.success(request, _("Presupuesto guardado como borrador."))
                return redirect("quotes:work", pk=created.pk)
        return render(
            request,
            "quotes/work_new.html",
            {"ticket": ticket, "form": form, "currency": ticket.customer.currency},
        )
    finally:
        timezone.deactivate()


@roles_view(STAFF)
def work_quote(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    timezone.activate(quote.customer.time_zone_info)
    try:
        return render(
            request,
            "quotes/work_quote.html",
            {
                "quote": quote,
                "lines": quote.lines.all(),
                "may_send": has_role(request.user, QUOTE_AUTHORS)
                and quote.status == Quote.Status.DRAFT,
            },
        )
    finally:
        timezone.deactivate()


@require_POST
@roles_view(QUOTE_AUTHORS)
def work_quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        sent = quote_send(quote, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("Presupuesto %(number)s enviado al cliente.") % {"number": sent.display_number},
        )
    return redirect("quotes:work", pk=quote.pk)


def _pdf(request: HttpRequest, quote: Quote) -> HttpResponse:
    language = language_code()
    response = HttpResponse(
        quote_pdf_bytes(quote, language=language), content_type="application/pdf"
    )
    filename = quote_pdf_filename(quote, language=language)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@roles_view(STAFF)
def work_quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, _quote(request, pk))


@portal_view
def portal_quote(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    return _portal_page(request, quote)


def _portal_page(request, quote, reject_form=None) -> HttpResponse:
    return render(
        request,
        "quotes/portal_quote.html",
        {
            "quote": quote,
            "lines": quote.lines.all(),
            "reject_form": reject_form or QuoteRejectForm(),
            "may_decide": quote.is_decidable
            and has_role(request.user, {Role.CONTACT})
            and contact_decides_quotes(request.contact),
        },
    )


@portal_view
def portal_quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, _quote(request, pk))


@require_POST
@portal_view
def portal_quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    try:
        quote_accept(quote, contact=request.contact, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Presupuesto aceptado. Gracias."))
    return redirect("quotes:portal", pk=quote.pk)


@require_POST
@portal_view
def portal_quote_reject(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    form = QuoteRejectForm(request.POST)
    rejected = form_submit(
        request,
        form,
        lambda data: quote_reject(
            quote, contact=request.contact, by=request.user, reason=data["reason"]
        ),
    )
    if rejected is not None:
        messages.info(request, _("Presupuesto rechazado."))
        return redirect("quotes:portal", pk=quote.pk)
    return _portal_page(request, quote, reject_form=form)


@roles_view(STAFF)
def work_outcomes(request: HttpRequest) -> HttpResponse:
    """The outcome mix per month of the last twelve months' resolutions the user may see."""
    zone = timezone.get_current_timezone()
    now = timezone.localtime(timezone.now(), zone)
    first = now.date().replace(day=1)
    for _month in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    start = datetime.combine(first, time(0), tzinfo=zone)
    months = outcomes_by_month(
        scope(Ticket.objects.all(), request.user),
        start=start,
        end=now + timedelta(days=1),
        zone=zone,
    )
    return render(
        request,
        "workspace/outcomes.html",
        {"months": months, "outcomes": Outcome.choices},
    )
