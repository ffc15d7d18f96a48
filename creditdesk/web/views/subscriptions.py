"""Premium subscriptions people start and cancel themselves: the customer's contact in the
portal (`/portal/subscription/`), account managers and admins on the workspace customer
page (`templates/workspace/_subscription.html`). Both ask the same services,
`billing.services.subscriptions.subscription_subscribe` and `subscription_cancel`."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing import stripe_gateway
from billing.models import StripeSubscription
from billing.services.subscriptions import (
    plans_subscribable,
    subscription_cancel,
    subscription_open_of,
    subscription_subscribe,
)
from contracts.models import Contract, Customer, Plan
from contracts.selectors import contract_get_live
from core.formatting import format_day, money_text
from creditdesk.roles import SUBSCRIPTION_STAFF, scope
from creditdesk.web.access import portal_view, roles_view
from creditdesk.web.views.common import form_submit


class PlanChoiceField(forms.ModelChoiceField):
    """A tier as the customer reads it: its name and monthly fee."""

    def label_from_instance(self, obj: Plan) -> str:
        fee = money_text(obj.monthly_fee)
        return _("%(plan)s · %(fee)s al mes más impuestos") % {"plan": obj.name, "fee": fee}


class SubscribeForm(forms.Form):
    premium_plan = PlanChoiceField(
        label=gettext_lazy("Nivel premium"), queryset=Plan.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, contract: Contract | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["premium_plan"]
        field.queryset = plans_subscribable(contract)


def subscription_context(customer: Customer, form: SubscribeForm | None = None) -> dict[str, Any]:
    """What the portal page and the workspace block show: the contract, its open
    subscription, the tiers it may take (none without card payments)."""
    contract = contract_get_live(customer=customer)
    if contract is not None:
        contract.customer = customer
    subscription = subscription_open_of(contract)
    card_payments = stripe_gateway.is_configured()
    offered = card_payments and subscription is None and contract is not None
    if offered and form is None:
        form = SubscribeForm(contract=contract)
    return {
        "contract": contract,
        "subscription": subscription,
        "card_payments": card_payments,
        "subscribe_form": form if offered and form.fields["premium_plan"].queryset else None,
        "cancellable": subscription is not None
        and subscription.stripe_id
        and not subscription.cancel_at_period_end
        and subscription.status != StripeSubscription.Status.CANCELED,
    }


def _subscribed_message(request: HttpRequest, row: StripeSubscription) -> None:
    if row.status == StripeSubscription.Status.ACTIVE:
        messages.success(
            request,
            _("Suscripción a %(plan)s activa.") % {"plan": row.premium_plan.name},
        )
    else:
        messages.warning(
            request,
            _("Suscripción a %(plan)s iniciada; queda activa cuando Stripe confirme el pago.")
            % {"plan": row.premium_plan.name},
        )


def _cancelled_message(request: HttpRequest, row: StripeSubscription) -> None:
    messages.success(
        request,
        _("Cancelación registrada: %(plan)s sigue vigente hasta el %(day)s.")
        % {"plan": row.premium_plan.name, "day": format_day(row.ends_on)},
    )


# Portal


@portal_view
def portal_subscription(request: HttpRequest) -> HttpResponse:
    context = subscription_context(request.customer)
    return render(request, "portal/subscription.html", context)


@require_POST
@portal_view
def portal_subscribe(request: HttpRequest) -> HttpResponse:
    contract = contract_get_live(customer=request.customer)
    form = SubscribeForm(request.POST, contract=contract)
    row = form_submit(
        request,
        form,
        lambda data: subscription_subscribe(
            contract=contract, premium_plan=data["premium_plan"], by=request.user
        ),
    )
    if row is None:
        context = subscription_context(request.customer, form)
        return render(request, "portal/subscription.html", context, status=400)
    _subscribed_message(request, row)
    return redirect("web:subscription")


def _own_subscription(customer: Customer, pk: int) -> StripeSubscription:
    row = StripeSubscription.objects.filter(pk=pk, contract__customer=customer).first()
    if row is None:
        raise Http404
    return row


@require_POST
@portal_view
def portal_subscription_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    row = _own_subscription(request.customer, pk)
    cancelled = form_submit(
        request,
        forms.Form(request.POST),
        lambda _data: subscription_cancel(subscription=row, by=request.user),
    )
    if cancelled is not None:
        _cancelled_message(request, cancelled)
    return redirect("web:subscription")


# Workspace (the customer page's block)


def _customer_for(request: HttpRequest, pk: int) -> Customer:
    customer = (
        scope(Customer.objects.all(), request.user, path="", roles=SUBSCRIPTION_STAFF)
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise Http404
    return customer


def _back(customer: Customer) -> HttpResponse:
    return redirect(reverse("web:customer", args=[customer.pk]) + "#subscription")


@require_POST
@roles_view(SUBSCRIPTION_STAFF)
def workspace_subscribe(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer_for(request, pk)
    contract = contract_get_live(customer=customer)
    form = SubscribeForm(request.POST, contract=contract)
    row = form_submit(
        request,
        form,
        lambda data: subscription_subscribe(
            contract=contract, premium_plan=data["premium_plan"], by=request.user
        ),
    )
    if row is None:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        _subscribed_message(request, row)
    return _back(customer)


@require_POST
@roles_view(SUBSCRIPTION_STAFF)
def workspace_subscription_cancel(request: HttpRequest, pk: int, sub: int) -> HttpResponse:
    customer = _customer_for(request, pk)
    row = _own_subscription(customer, sub)
    cancelled = form_submit(
        request,
        forms.Form(request.POST),
        lambda _data: subscription_cancel(subscription=row, by=request.user),
    )
    if cancelled is not None:
        _cancelled_message(request, cancelled)
    return _back(customer)
