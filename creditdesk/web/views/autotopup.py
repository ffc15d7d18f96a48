"""The portal's auto top-up: save a card (Stripe SetupIntent), choose a threshold and a pack,
turn it on or off, and complete a charge the bank wants the customer to authorize. The
rules are `billing.services.autotopup`; the section itself is on the credits page."""

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
from billing.services import autotopup
from contracts.models import CreditPack, Customer
from contracts.selectors import contract_get_live, credit_packs_on_sale
from core.errors import CreditdeskError
from core.formatting import credits_text
from core.forms import AmountField
from creditdesk.web.access import portal_view
from creditdesk.web.stripe_js import stripe_js_config, stripe_js_url
from creditdesk.web.views.common import form_submit, show_refusal

SECTION = "#auto-top-up"
SETUP_SESSION_KEY = "auto-top-up:setup"


class PackChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: CreditPack) -> str:
        return _("%(name)s: %(credits)s créditos") % {
            "name": obj.name,
            "credits": credits_text(obj.credits),
        }


class AutoTopUpForm(forms.Form):
    enabled = forms.BooleanField(label=gettext_lazy("Recarga automática activa"), required=False)
    threshold_credits = AmountField(
        label=gettext_lazy("Recargar cuando los créditos disponibles bajen de"),
        required=False,
        money=False,
        max_digits=12,
    )
    credit_pack = PackChoiceField(
        label=gettext_lazy("Paquete que se compra"),
        queryset=CreditPack.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        packs = credit_packs_on_sale(contract=contract_get_live(customer=customer))
        self.fields["credit_pack"].queryset = packs


def section_context(customer: Customer, form: AutoTopUpForm | None = None) -> dict[str, Any]:
    """What the credits page's auto top-up section shows (nothing without card payments:
    the section needs Stripe)."""
    if not stripe_gateway.is_configured():
        return {"auto_top_up_offered": False}
    row = autotopup.auto_top_up_of(customer)
    if form is None:
        initial = {}
        if row is not None:
            initial = {
                "enabled": row.enabled,
                "threshold_credits": row.threshold_credits,
                "credit_pack": row.credit_pack_id,
            }
        form = AutoTopUpForm(customer=customer, initial=initial)
    attempts = list(autotopup.auto_top_up_attempts(customer))
    for attempt in attempts:
        attempt.shown_status = autotopup.attempt_shown_status(attempt)
        attempt.shown_label = autotopup.Status(attempt.shown_status).label
    return {
        "auto_top_up_offered": True,
        "auto_top_up": row,
        "auto_top_up_form": form,
        "auto_top_up_attempts": attempts,
        "auto_top_up_failures": autotopup.MAX_CONSECUTIVE_FAILURES,
    }


@require_POST
@portal_view
def auto_top_up_save(request: HttpRequest) -> HttpResponse:
    from creditdesk.web.views.portal import credits

    form = AutoTopUpForm(request.POST, customer=request.customer)
    saved = form_submit(
        request,
        form,
        lambda data: autotopup.auto_top_up_configure(
            customer=request.customer,
            enabled=data["enabled"],
            threshold_credits=data["threshold_credits"],
            credit_pack=data["credit_pack"],
        ),
    )
    if saved is None:
        return credits(request, auto_top_up_form=form, status=400)
    if saved.enabled:
        messages.success(request, _("Recarga automática activada."))
    else:
        messages.success(request, _("Recarga automática desactivada."))
    return redirect(reverse("web:credits") + SECTION)


@require_POST
@portal_view
def auto_top_up_card_start(request: HttpRequest) -> HttpResponse:
    try:
        intent = autotopup.card_setup_start(customer=request.customer)
    except CreditdeskError as error:
        show_refusal(request, error)
        return redirect(reverse("web:credits") + SECTION)
    request.session[SETUP_SESSION_KEY] = intent.client_secret
    return redirect("web:auto-top-up-card")


@portal_view
def auto_top_up_card(request: HttpRequest) -> HttpResponse:
    """The card form: Stripe.js confirms the SetupIntent, then posts its id back to us."""
    config = stripe_js_config(
        secret=request.session.get(SETUP_SESSION_KEY, ""),
        failed=_("La tarjeta no quedó guardada."),
    )
    if config is None:
        return redirect(reverse("web:credits") + SECTION)
    return render(
        request,
        "portal/auto_top_up_card.html",
        {"stripe_config": config, "stripe_js": stripe_js_url()},
    )


@require_POST
@portal_view
def auto_top_up_card_done(request: HttpRequest) -> HttpResponse:
    try:
        row = autotopup.card_setup_finish(
            customer=request.customer, setup_intent_id=request.POST.get("setup_intent", "")
        )
    except CreditdeskError as error:
        show_refusal(request, error)
        return redirect(reverse("web:credits") + SECTION)
    request.session.pop(SETUP_SESSION_KEY, None)
    messages.success(
        request,
        _("Tarjeta guardada: %(brand)s terminada en %(last4)s.")
        % {"brand": row.card_brand or _("tarjeta"), "last4": row.card_last4 or "····"},
    )
    return redirect(reverse("web:credits") + SECTION)


@portal_view
def auto_top_up_attempt(request: HttpRequest, pk: int) -> HttpResponse:
    """One automatic charge: what happened, and for one the bank wants authorized, the
    button that lets the customer do it (Stripe.js); the webhook then lands the credits."""
    attempt = autotopup.attempt_of_customer(request.customer, pk)
    if attempt is None:
        raise Http404
    row = attempt.auto_top_up
    config = stripe_js_config(
        secret=autotopup.attempt_completion_secret(attempt),
        failed=_("El pago no se completó."),
        done=_("Pago autorizado. Los créditos llegarán en unos segundos."),
    )
    shown = autotopup.attempt_shown_status(attempt)
    return render(
        request,
        "portal/auto_top_up_attempt.html",
        {
            "attempt": attempt,
            "auto_top_up": row,
            "shown_status": shown,
            "shown_label": autotopup.Status(shown).label,
            "turned_off": not row.enabled and row.disabled_by_failures_at is not None,
            "failures": autotopup.MAX_CONSECUTIVE_FAILURES,
            "stripe_config": config,
            "stripe_js": stripe_js_url(),
            "card_payments": stripe_gateway.is_configured(),
        },
    )
