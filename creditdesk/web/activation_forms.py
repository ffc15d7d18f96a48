"""Forms of the activation pages: they parse input; `activations.services` decides (bounds,
the price's currency, whose ticket). Fields are named as the services name them in a
refusal, so a refusal lands on its own field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from activations.models import Activation
from activations.services import activation_kind
from core.amounts import PRICE_DIGITS
from core.forms import AmountField
from creditdesk.web.forms import OneSubmit
from sla.models import ActivationLeadTime, BusinessCalendar


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Producto"), max_length=120)
    kind = forms.ChoiceField(
        label=_("Tipo de activación"), choices=Activation.Kind.choices, widget=forms.RadioSelect
    )
    minutes_max = forms.IntegerField(
        label=_("Minutos como máximo tras el pago (instantánea)"), required=False, min_value=0
    )
    business_days_min = forms.IntegerField(
        label=_("Días hábiles como mínimo"), required=False, min_value=0
    )
    business_days_max = forms.IntegerField(
        label=_("Días hábiles como máximo (el compromiso)"), required=False, min_value=0
    )
    calendar = forms.ModelChoiceField(
        label=_("Calendario de días hábiles"),
        queryset=BusinessCalendar.objects.order_by("name"),
        required=False,
    )
    prerequisite = forms.CharField(label=_("Requisito previo"), max_length=240, required=False)
    note = forms.CharField(label=_("Nota"), max_length=240, required=False)

    @classmethod
    def for_product(cls, product: ActivationLeadTime, data=None) -> "ProductForm":
        initial = {
            "name": product.product,
            "kind": activation_kind(product),
            "minutes_max": product.minutes_max,
            "business_days_min": product.business_days_min,
            "business_days_max": product.business_days_max,
            "calendar": product.calendar_id,
            "prerequisite": product.prerequisite,
            "note": product.note,
        }
        return cls(data, initial=initial)


class PurchaseForm(OneSubmit):
    customer = forms.ModelChoiceField(label=_("Cliente"), queryset=None)
    product = forms.ModelChoiceField(
        label=_("Producto"), queryset=ActivationLeadTime.objects.order_by("product")
    )
    unit_price = AmountField(
        label=_("Precio sin impuesto, en la moneda del cliente"), max_digits=PRICE_DIGITS
    )
    ticket = forms.CharField(
        label=_("Solicitud relacionada (opcional)"),
        required=False,
        max_length=40,
        help_text=_("Número de la solicitud donde el cliente confirma textos o datos."),
    )

    def __init__(self, *args, customers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
