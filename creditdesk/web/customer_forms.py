"""Forms of the account manager's workspace: they parse input; `contracts.services` and
`credits.services` decide (and name the field of any refusal)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from contracts.models import REASON_LIMIT, Contact, Contract, Customer, CustomerNote, Plan
from core.amounts import CREDITS_COLUMN
from core.forms import AmountField
from creditdesk.web.forms import OneSubmit
from credits.models import REASON_LIMIT as CREDITS_REASON_LIMIT

TEXTAREA = {"rows": 3}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

CUSTOMER_FIELDS = [
    "legal_name",
    "tax_id",
    "country",
    "currency",
    "time_zone",
    "language",
    "billing_email",
    "address",
    "membership",
    "tax_exempt",
]


class CustomerForm(forms.ModelForm):
    """A customer's data; the account manager is chosen by admins only (an account manager's
    new customer is their own)."""

    class Meta:
        model = Customer
        fields = [*CUSTOMER_FIELDS, "account_manager"]
        widgets = {"address": forms.Textarea(attrs=TEXTAREA)}

    def __init__(self, *args, may_choose_manager: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if may_choose_manager:
            self.fields["account_manager"].queryset = (
                get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")
            )
        else:
            del self.fields["account_manager"]
        self.fields["country"].help_text = _("Código de dos letras: CO, VE, AR…")

    def _post_clean(self) -> None:
        """The services run the model's checks (and name the field); not twice here."""


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "email", "phone", "can_request", "language"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left blank, the contact reads mail and the portal in the customer's language
        # (`Contact.preferred_language`): the blank choice says so.
        field = self.fields["language"]
        field.choices = [("", _("El idioma del cliente")), *(c for c in field.choices if c[0])]

    def _post_clean(self) -> None:
        """The services run the model's checks."""


class ContractForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.none(), empty_label=_("Elija un plan")
    )
    starts_on = forms.DateField(label=_("Inicio"), widget=DATE)
    activate = forms.BooleanField(
        label=_("Activarlo ya"),
        required=False,
        initial=True,
        help_text=_("Sin marcar queda como borrador."),
    )

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, auto_id="contract-%s", **kwargs)
        self.fields["plan"].queryset = Plan.objects.filter(
            is_active=True, currency=customer.currency
        ).order_by("name")


class PlanChangeForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan nuevo"), queryset=Plan.objects.none(), empty_label=_("Elija un plan")
    )
    effective_on = forms.DateField(label=_("Desde"), widget=DATE)
    reason = forms.CharField(label=_("Motivo"), required=False, max_length=REASON_LIMIT)

    def __init__(self, *args, contract: Contract, **kwargs) -> None:
        super().__init__(*args, auto_id="plan-%s", **kwargs)
        self.fields["plan"].queryset = (
            Plan.objects.filter(is_active=True, currency=contract.plan.currency)
            .exclude(pk=contract.plan_id)
            .order_by("name")
        )


class ContractStatusForm(forms.Form):
    ACTIONS = {
        "activate": _("Activar"),
        "suspend": _("Suspender"),
        "reactivate": _("Reactivar"),
        "cancel": _("Cancelar"),
    }
    action = forms.ChoiceField(label=_("Acción"), choices=[])
    reason = forms.CharField(
        label=_("Motivo"),
        required=False,
        max_length=REASON_LIMIT,
        help_text=_("Obligatorio para suspender o cancelar."),
    )

    def __init__(self, *args, contract: Contract, **kwargs) -> None:
        super().__init__(*args, auto_id="status-%s", **kwargs)
        Status = Contract.Status
        offered = {
            Status.DRAFT: ["activate", "cancel"],
            Status.ACTIVE: ["suspend", "cancel"],
            Status.SUSPENDED: ["reactivate", "cancel"],
        }.get(contract.status, [])
        self.fields["action"].choices = [(name, self.ACTIONS[name]) for name in offered]


class CreditsForm(OneSubmit):
    """A courtesy grant (account managers and admins) or a correction, positive or negative
    (finance and admins): `kinds` are those the user may make. Submitted twice, the credits
    move once (`OneSubmit`)."""

    KINDS = {"grant": _("Cortesía (créditos gratis)"), "adjust": _("Ajuste (corrección)")}
    kind = forms.ChoiceField(label=_("Tipo"), choices=[])
    # Signed for an adjustment; `credits.services` refuses a negative courtesy grant.
    credits = AmountField(
        label=_("Créditos"),
        sign="nonzero",
        money=False,
        max_digits=CREDITS_COLUMN["max_digits"],
        help_text=_("Un ajuste puede ser negativo: -2,5"),
    )
    reason = forms.CharField(label=_("Motivo"), max_length=CREDITS_REASON_LIMIT)

    def __init__(self, *args, kinds: list[str], **kwargs) -> None:
        super().__init__(*args, auto_id="credits-%s", **kwargs)
        self.fields["kind"].choices = [(kind, self.KINDS[kind]) for kind in kinds]
        if "adjust" not in kinds:  # a courtesy grant is never negative: no hint saying so
            self.fields["credits"].help_text = ""
            self.fields["credits"].sign = "positive"


class NoteForm(forms.Form):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, auto_id="note-%s", **kwargs)

    text = forms.CharField(
        label=_("Nota privada"),
        max_length=CustomerNote.TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Solo la ve el equipo; nunca aparece en el portal."),
    )
