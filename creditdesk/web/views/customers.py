"""The account manager's workspace: the customers list, a customer's page with its
contracts, contacts, credits, timeline and private notes, and the forms that change them.

Every action asks one service (`contracts.services`, `credits.services`) through
`form_submit`, so a refusal shows on the form's field; who may do what is
`creditdesk.roles` (CUSTOMER_WRITERS, CREDIT_GRANTERS, CREDIT_ADJUSTERS, NOTE_WRITERS),
and which customers exist for the user is `scope` (another manager's customer is a 404).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from contracts import services as contract_services
from contracts.models import Contact, Contract, Customer
from contracts.selectors import contract_get_live, plan_change_waiting
from core.errors import CreditdeskError
from core.formatting import credits_text, day_text
from creditdesk.roles import (
    CREDIT_ADJUSTERS,
    CREDIT_GRANTERS,
    CUSTOMER_WRITERS,
    NOTE_WRITERS,
    Role,
    has_role,
    scope,
)
from creditdesk.web import selectors
from creditdesk.web.access import roles_view, staff_view
from creditdesk.web.customer_forms import (
    ContactForm,
    ContractForm,
    ContractStatusForm,
    CreditsForm,
    CustomerForm,
    NoteForm,
    PlanChangeForm,
)
from creditdesk.web.customers import (
    CustomerFilter,
    customer_page_rows,
    customer_rows,
    customer_timeline,
)
from creditdesk.web.invitations import contact_invite
from creditdesk.web.pagination import paginate
from creditdesk.web.views.common import form_submit, show_refusal
from credits.exceptions import IdempotencyConflict
from credits.services import credit_account_get_or_create, credits_adjust, credits_grant

PER_PAGE = 25


def _customers(request: HttpRequest):
    return scope(Customer.objects.all(), request.user, path="")


def _customer(request: HttpRequest, pk: int) -> Customer:
    customer = _customers(request).select_related("account_manager").filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def _is_admin(request: HttpRequest) -> bool:
    return has_role(request.user, {Role.ADMIN})


@staff_view
def customers(request: HttpRequest) -> HttpResponse:
    """The customers the user may see, with what a seller watches; a fixed number of
    queries per page whatever the customers and their history."""
    now = timezone.now()
    filterset = CustomerFilter(
        request.GET or None,
        queryset=customer_rows(_customers(request), now=now),
        may_choose_manager=_is_admin(request),
    )
    page = paginate(request, filterset.qs, per_page=PER_PAGE)
    return render(
        request,
        "workspace/customers.html",
        {
            "filter": filterset,
            "customers": page,
            "rows": customer_page_rows(list(page.object_list), now=now),
            "may_write": has_role(request.user, CUSTOMER_WRITERS),
        },
    )


@roles_view(CUSTOMER_WRITERS)
def customer_new(request: HttpRequest) -> HttpResponse:
    may_choose = _is_admin(request)
    form = CustomerForm(request.POST or None, may_choose_manager=may_choose)
    if request.method == "POST":

        def create(data):
            if not may_choose:
                data["account_manager"] = request.user
            return contract_services.customer_create(**data)

        customer = form_submit(request, form, create)
        if customer is not None:
            messages.success(request, _("Cliente creado."))
            return redirect("web:customer", customer.pk)
    return render(request, "workspace/customer_form.html", {"form": form, "customer": None})


@roles_view(CUSTOMER_WRITERS)
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    may_choose = _is_admin(request)
    form = CustomerForm(request.POST or None, instance=customer, may_choose_manager=may_choose)
    if request.method == "POST":
        done = form_submit(
            request,
            form,
            lambda data: contract_services.customer_update(
                Customer.objects.get(pk=customer.pk), **data
            ),
        )
        if done is not None:
            messages.success(request, _("Datos del cliente guardados."))
            return redirect("web:customer", customer.pk)
    return render(request, "workspace/customer_form.html", {"form": form, "customer": customer})


def _detail(request: HttpRequest, customer: Customer, **forms) -> HttpResponse:
    """The customer's page; `forms` are bound forms to show again with their errors."""
    timezone.activate(customer.time_zone_info)
    try:
        now = timezone.now()
        overview = selectors.customer_overview(customer=customer, now=now)
        contract = overview.summary.contract or (
            Contract.objects.filter(customer=customer, status=Contract.Status.DRAFT)
            .select_related("plan")
            .order_by("-pk")
            .first()
        )
        user = request.user
        may_write = has_role(user, CUSTOMER_WRITERS)
        kinds = [
            kind
            for kind, roles in (("grant", CREDIT_GRANTERS), ("adjust", CREDIT_ADJUSTERS))
            if has_role(user, roles)
        ]
        context = {
            "o": overview,
            "customer": customer,
            "contract": contract,
            "plan_change": plan_change_waiting(contract) if contract else None,
            "contacts": list(customer.contacts.order_by("name", "pk")),
            "timeline": customer_timeline(customer=customer),
            "may_write": may_write,
            "may_note": has_role(user, NOTE_WRITERS),
            "note_form": forms.get("note_form") or NoteForm(),
            "credits_form": (forms.get("credits_form") or CreditsForm(kinds=kinds))
            if kinds
            else None,
        }
        if may_write:
            context["contract_form"] = forms.get("contract_form") or ContractForm(
                customer=customer, initial={"starts_on": timezone.localdate()}
            )
            if contract is not None:
                context["plan_form"] = forms.get("plan_form") or PlanChangeForm(
                    contract=contract, initial={"effective_on": timezone.localdate()}
                )
                context["status_form"] = forms.get("status_form") or ContractStatusForm(
                    contract=contract
                )
        return render(request, "workspace/customer.html", context)
    finally:
        timezone.deactivate()


@staff_view
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _customer(request, pk))


def _done(customer: Customer, anchor: str = "") -> HttpResponse:
    response = redirect("web:customer", customer.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@require_POST
@roles_view(CUSTOMER_WRITERS)
def contract_start(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    form = ContractForm(request.POST, customer=customer)

    contract = form_submit(
        request,
        form,
        lambda data: contract_services.contract_start(
            customer=customer,
            plan=data["plan"],
            starts_on=data["starts_on"],
            activate=data["activate"],
            by=request.user,
        ),
    )
    if contract is None:
        return _detail(request, customer, contract_form=form)
    messages.success(
        request,
        _("Contrato en %(plan)s: %(status)s.")
        % {"plan": contract.plan.name, "status": contract.get_status_display().lower()},
    )
    return _done(customer, "contrato")


def _contract(customer: Customer) -> Contract:
    contract = contract_get_live(customer=customer) or (
        Contract.objects.filter(customer=customer, status=Contract.Status.DRAFT)
        .select_related("plan")
        .order_by("-pk")
        .first()
    )
    if contract is None:
        raise Http404
    return contract


@require_POST
@roles_view(CUSTOMER_WRITERS)
def contract_plan(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    contract = _contract(customer)
    form = PlanChangeForm(request.POST, contract=contract)
    change = form_submit(
        request,
        form,
        lambda data: contract_services.contract_change_plan(
            contract,
            plan=data["plan"],
            effective_on=data["effective_on"],
            reason=data["reason"],
            by=request.user,
        ),
    )
    if change is None:
        return _detail(request, customer, plan_form=form)
    if change.applied_at:
        messages.success(request, _("Plan cambiado a %(plan)s.") % {"plan": change.to_plan.name})
    else:
        messages.success(
            request,
            _("Cambio a %(plan)s programado para el %(on)s.")
            % {"plan": change.to_plan.name, "on": day_text(change.effective_on)},
        )
    return _done(customer, "contrato")


@require_POST
@roles_view(CUSTOMER_WRITERS)
def contract_status(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    contract = _contract(customer)
    form = ContractStatusForm(request.POST, contract=contract)
    actions = {
        "activate": contract_services.contract_activate,
        "suspend": contract_services.contract_suspend,
        "reactivate": contract_services.contract_reactivate,
        "cancel": contract_services.contract_cancel,
    }
    done = form_submit(
        request,
        form,
        lambda data: actions[data["action"]](contract, by=request.user, reason=data["reason"]),
    )
    if done is None:
        return _detail(request, customer, status_form=form)
    messages.success(
        request, _("Contrato %(status)s.") % {"status": done.get_status_display().lower()}
    )
    return _done(customer, "contrato")


@require_POST
@staff_view
def customer_credits(request: HttpRequest, pk: int) -> HttpResponse:
    """A courtesy grant or a correction; each kind asks its own role (403 otherwise)."""
    customer = _customer(request, pk)
    kinds = [
        kind
        for kind, roles in (("grant", CREDIT_GRANTERS), ("adjust", CREDIT_ADJUSTERS))
        if has_role(request.user, roles)
    ]
    if not kinds:
        raise PermissionDenied
    form = CreditsForm(request.POST, kinds=kinds)

    def write(data):
        account = credit_account_get_or_create(customer=customer)
        action = credits_grant if data["kind"] == "grant" else credits_adjust
        try:
            return action(
                account=account,
                credits=data["credits"],
                reason=data["reason"],
                by=request.user,
                idempotency_key=form.once_key("credits"),
            )
        except IdempotencyConflict:
            form.sent_before()
            return None

    entry = form_submit(request, form, write)
    if entry is None:
        return _detail(request, customer, credits_form=form)
    messages.success(
        request,
        _("Movimiento registrado: %(kind)s de %(credits)s créditos.")
        % {"kind": entry.get_kind_display(), "credits": credits_text(entry.credits)},
    )
    return _done(customer, "creditos")


@require_POST
@roles_view(NOTE_WRITERS)
def customer_note(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    form = NoteForm(request.POST)
    note = form_submit(
        request,
        form,
        lambda data: contract_services.customer_note_add(
            customer=customer, author=request.user, text=data["text"]
        ),
    )
    if note is None:
        return _detail(request, customer, note_form=form)
    messages.success(request, _("Nota guardada."))
    return _done(customer, "historial")


def _contact(customer: Customer, contact_pk: int) -> Contact:
    contact = customer.contacts.filter(pk=contact_pk).first()
    if contact is None:
        raise Http404
    return contact


@roles_view(CUSTOMER_WRITERS)
def contact_new(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        contact = form_submit(
            request,
            form,
            lambda data: contract_services.contact_create(customer=customer, **data),
        )
        if contact is not None:
            messages.success(request, _("Contacto creado."))
            return _done(customer, "contactos")
    return render(
        request,
        "workspace/contact_form.html",
        {"form": form, "customer": customer, "contact": None},
    )


@roles_view(CUSTOMER_WRITERS)
def contact_edit(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    contact = _contact(customer, contact_pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST":
        done = form_submit(
            request,
            form,
            lambda data: contract_services.contact_update(
                Contact.objects.get(pk=contact.pk), **data
            ),
        )
        if done is not None:
            messages.success(request, _("Contacto guardado."))
            return _done(customer, "contactos")
    return render(
        request,
        "workspace/contact_form.html",
        {"form": form, "customer": customer, "contact": contact},
    )


@require_POST
@roles_view(CUSTOMER_WRITERS)
def contact_invite_view(request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
    customer = _customer(request, pk)
    contact = _contact(customer, contact_pk)
    try:
        contact_invite(contact, by=request.user, base_url=request.build_absolute_uri("/"))
    except CreditdeskError as error:
        show_refusal(request, error)
    else:
        messages.success(
            request,
            _("Invitación enviada a %(email)s: elegirá su contraseña desde el enlace.")
            % {"email": contact.email},
        )
    return _done(customer, "contactos")
