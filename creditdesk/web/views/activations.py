"""Activation pages (seed 004): staff follow activations by due time, register a purchase,
tick prerequisites, record a product active, cancel an activation and edit the catalogue's
lead times; the customer follows their activations in the portal. Reads go through
`creditdesk.roles.activations_visible_to`, writes through `activations.services`."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from djmoney.money import Money

from activations.models import Activation, ActivationStep
from activations.selectors import (
    COUNTDOWN_STATES,
    STATE_LABELS,
    activations_list,
    lead_time_text,
    products_list,
    state_of,
)
from activations.services import (
    activation_cancel,
    activation_complete,
    activation_kind,
    activation_purchase,
    activation_step_meet,
    product_save,
)
from contracts.models import Customer
from core.errors import CreditdeskError
from creditdesk.roles import (
    ACTIVATION_SELLERS,
    ACTIVATION_WORKERS,
    CATALOGUE_EDITORS,
    STAFF,
    activation_notes_visible_to,
    activations_visible_to,
    has_role,
    scope,
)
from creditdesk.web.access import portal_view, roles_view
from creditdesk.web.activation_forms import ProductForm, PurchaseForm
from creditdesk.web.pagination import paginate
from creditdesk.web.views.common import form_submit, show_refusal
from sla.models import ActivationLeadTime


def _rows(activations, now) -> list[dict]:
    """What a list shows of each activation: its state, label, countdown state, checklist."""
    rows = []
    for activation in activations:
        state = getattr(activation, "state", None) or state_of(activation, now)
        steps = list(activation.steps.all())
        rows.append(
            {
                "activation": activation,
                "state": state,
                "state_label": STATE_LABELS[state],
                "countdown": COUNTDOWN_STATES.get(state),
                "steps": steps,
                "pending": [step for step in steps if step.met_at is None],
                "lead_time": lead_time_text(
                    minutes_max=activation.minutes_max,
                    business_days_min=None,
                    business_days_max=activation.business_days,
                ),
            }
        )
    return rows


def _activation(request: HttpRequest, pk: int) -> Activation:
    """The activation if the user may read it (else a 404), its state annotated."""
    visible = activations_visible_to(request.user).filter(pk=pk)
    activation = activations_list(activations=visible, now=timezone.now()).first()
    if activation is None:
        raise Http404
    return activation


# --- workspace --------------------------------------------------------------------------------


@roles_view(STAFF)
def work_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    show_all = request.GET.get("all") == "1"
    page = paginate(
        request,
        activations_list(
            activations=activations_visible_to(request.user), now=now, open_only=not show_all
        ),
    )
    return render(
        request,
        "activations/work_list.html",
        {
            "page": page,
            "rows": _rows(page.object_list, now),
            "now": now,
            "show_all": show_all,
            "may_sell": has_role(request.user, ACTIVATION_SELLERS),
        },
    )


@roles_view(ACTIVATION_SELLERS)
def work_purchase(request: HttpRequest) -> HttpResponse:
    customers = scope(Customer.objects.order_by("legal_name"), request.user, path="")
    form = PurchaseForm(request.POST or None, customers=customers)
    if request.method == "POST":

        def buy(data: dict) -> Activation:
            customer = data["customer"]
            return activation_purchase(
                customer=customer,
                product=data["product"],
                unit_price=Money(data["unit_price"], customer.currency),
                ticket_number=data["ticket"],
                by=request.user,
                submission_key=data["submission_key"],
            )

        created = form_submit(request, form, buy)
        if created is not None:
            messages.success(
                request,
                _("Compra registrada: factura %(number)s emitida.")
                % {"number": created.invoice.display_number},
            )
            return redirect("activations:work-detail", pk=created.pk)
    return render(request, "activations/work_new.html", {"form": form})


@roles_view(STAFF)
def work_activation(request: HttpRequest, pk: int) -> HttpResponse:
    activation = _activation(request, pk)
    now = timezone.now()
    timezone.activate(activation.customer.time_zone_info)
    try:
        return render(
            request,
            "activations/work_activation.html",
            {
                "row": _rows([activation], now)[0],
                "activation": activation,
                "now": now,
                "show_notes": activation_notes_visible_to(request.user),
                "may_work": has_role(request.user, ACTIVATION_WORKERS)
                and activation.status in (Activation.Status.WAITING, Activation.Status.RUNNING),
            },
        )
    finally:
        timezone.deactivate()


@require_POST
@roles_view(ACTIVATION_WORKERS)
def work_step_meet(request: HttpRequest, pk: int, step: int) -> HttpResponse:
    activation = _activation(request, pk)
    row = get_object_or_404(ActivationStep, pk=step, activation=activation)
    try:  # the service bounds the note: one too long is refused, never dropped
        activation_step_meet(step=row, by=request.user, note=request.POST.get("note", ""))
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Requisito cumplido: %(label)s.") % {"label": row.label})
    return redirect("activations:work-detail", pk=activation.pk)


@require_POST
@roles_view(ACTIVATION_WORKERS)
def work_complete(request: HttpRequest, pk: int) -> HttpResponse:
    activation = _activation(request, pk)
    try:
        activation_complete(activation=activation, by=request.user)
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Producto activado."))
    return redirect("activations:work-detail", pk=activation.pk)


@require_POST
@roles_view(ACTIVATION_WORKERS)
def work_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activation = _activation(request, pk)
    try:  # the service asks for the reason and bounds it: refused, never cut
        activation_cancel(
            activation=activation, reason=request.POST.get("reason", ""), by=request.user
        )
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(request, _("Activación cancelada."))
    return redirect("activations:work-detail", pk=activation.pk)


@roles_view(STAFF)
def work_products(request: HttpRequest) -> HttpResponse:
    products = [
        {
            "product": product,
            "instant": activation_kind(product) == Activation.Kind.INSTANT,
            "lead_time": lead_time_text(
                minutes_max=product.minutes_max,
                business_days_min=product.business_days_min,
                business_days_max=product.business_days_max,
            ),
        }
        for product in products_list()
    ]
    return render(
        request,
        "activations/work_products.html",
        {"products": products, "may_edit": has_role(request.user, CATALOGUE_EDITORS)},
    )


def _product_page(request: HttpRequest, product: ActivationLeadTime | None) -> HttpResponse:
    if product is None:
        form = ProductForm(request.POST or None)
    else:
        form = ProductForm.for_product(product, request.POST or None)
    if request.method == "POST":
        saved = form_submit(request, form, lambda data: product_save(product=product, **data))
        if saved is not None:
            messages.success(request, _("Plazo de %(product)s guardado.") % {"product": saved})
            return redirect("activations:products")
    return render(request, "activations/work_product_form.html", {"form": form, "product": product})


@roles_view(CATALOGUE_EDITORS)
def work_product_new(request: HttpRequest) -> HttpResponse:
    return _product_page(request, None)


@roles_view(CATALOGUE_EDITORS)
def work_product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _product_page(request, get_object_or_404(ActivationLeadTime, pk=pk))


# --- portal -----------------------------------------------------------------------------------


@portal_view
def portal_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    activations = activations_list(
        activations=activations_visible_to(request.user).filter(customer=request.customer),
        now=now,
    )
    return render(
        request,
        "activations/portal_list.html",
        {
            "rows": _rows(activations, now),
            "now": now,
            "show_notes": activation_notes_visible_to(request.user),
        },
    )
