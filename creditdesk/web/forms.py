"""Forms of the portal and the workspace: they parse input; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from contracts.models import Customer, Service
from core.events import EVENT_TYPES
from core.instants import InstantFieldMixin
from sla.choices import Impact, Urgency
from tickets.models import Ticket
from tickets.transitions import ALLOWED
from webhooks.models import URL_MAX_LENGTH

TEXTAREA = {"rows": 5}


class InstantFormField(InstantFieldMixin, forms.DateTimeField):
    """A date-time typed in a form, within the accepted years (core.instants)."""


class ServiceTypeChoiceField(forms.ModelChoiceField):
    """Each type with its plain description, so the customer knows which to pick."""

    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.name}: {obj.description}" if obj.description else obj.name


class TicketOpenForm(forms.Form):
    subject = forms.CharField(label=_("Asunto"), max_length=200)
    description = forms.CharField(
        label=_("Descripción"), widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    service = ServiceTypeChoiceField(
        label=_("Tipo de solicitud"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("(sin especificar)"),
    )
    impact = forms.ChoiceField(
        label=_("Impacto"),
        choices=[("", _("Según el tipo de solicitud")), *Impact.choices],
        required=False,
    )
    urgency = forms.ChoiceField(
        label=_("Urgencia"), choices=Urgency.choices, initial=Urgency.MEDIUM
    )

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Mensaje"), widget=forms.Textarea(attrs=TEXTAREA))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la reapertura"), max_length=500)

    def __init__(self, *args, reason_required: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class FollowUpForm(forms.Form):
    subject = forms.CharField(label=_("Asunto del seguimiento"), max_length=200)
    description = forms.CharField(
        label=_("Descripción"), widget=forms.Textarea(attrs=TEXTAREA), required=False
    )


class AgentReplyForm(forms.Form):
    PUBLIC, INTERNAL, ASK = "public", "internal", "ask"
    KINDS = [
        (PUBLIC, _("Respuesta al cliente")),
        (ASK, _("Pedir información al cliente (pausa el SLA)")),
        (INTERNAL, _("Nota interna")),
    ]
    body = forms.CharField(label=_("Mensaje"), widget=forms.Textarea(attrs=TEXTAREA))
    kind = forms.ChoiceField(label=_("Tipo"), choices=KINDS, initial=PUBLIC)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Nuevo estado"))
    reason = forms.CharField(label=_("Motivo"), max_length=500, required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED[ticket.status]
        self.fields["to_status"].choices = [
            (value, label) for value, label in Ticket.Status.choices if value in allowed
        ]


class WorkLogForm(forms.Form):
    started_at = InstantFormField(
        label=_("Inicio (hora del cliente)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(label=_("Minutos"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("Nota"), required=False, max_length=1000)
    onsite = forms.BooleanField(label=_("En sitio"), required=False)
    billable = forms.BooleanField(label=_("Facturable"), required=False, initial=True)


class SessionForm(forms.Form):
    starts_at = InstantFormField(
        label=_("Fecha y hora (hora del cliente)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(label=_("Duración (minutos)"), min_value=1, initial=60)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Asignar a"),
        queryset=get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .order_by("username"),
        required=False,
        empty_label=_("(nadie)"),
    )


class ReclassifyForm(forms.Form):
    service = ServiceTypeChoiceField(
        label=_("Tipo de solicitud"),
        queryset=Service.objects.none(),
        empty_label=_("(elija un tipo)"),
    )
    reason = forms.CharField(label=_("Motivo del cambio de tipo"), max_length=500)

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class EscalateForm(forms.Form):
    """Another resolution level; the choices are the ticket's policy's levels
    (`tickets.clocks.levels_for`), the rules are `ticket_escalate`'s."""

    to_level = forms.TypedChoiceField(label=_("Nivel de resolución"), coerce=int)
    reason = forms.CharField(label=_("Motivo del escalamiento"), max_length=500)
    referred_to = forms.CharField(
        label=_("Derivada a (proveedor, fabricante o comité)"), max_length=160, required=False
    )

    def __init__(self, *args, levels, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_level"].choices = [
            (number, f"{number}. {level.name}" if level else str(number))
            for number, level in levels.items()
        ]


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL de destino"), max_length=URL_MAX_LENGTH, assume_scheme="https"
    )
    events = forms.MultipleChoiceField(
        label=_("Eventos"),
        choices=[(event, event) for event in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )
    customer = forms.ModelChoiceField(
        label=_("Cliente"), queryset=Customer.objects.none(), required=False
    )

    def __init__(self, *args, customers, may_cover_all: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        field.queryset = customers
        field.required = not may_cover_all
        field.empty_label = _("Todos los clientes") if may_cover_all else None
