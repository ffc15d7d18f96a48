from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.amounts import PlainDecimalField


class CreditAdjustmentForm(forms.Form):
    """Staff correction: signed credits and a reason (both required)."""

    credits = PlainDecimalField(
        label=_("créditos (+ o -)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Positivo suma, negativo resta (nunca más de lo disponible)."),
    )
    reason = forms.CharField(label=_("motivo"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_credits(self) -> Decimal:
        value: Decimal = self.cleaned_data["credits"]
        if value == 0:
            raise forms.ValidationError(_("Un ajuste de cero créditos no corrige nada."))
        return value
