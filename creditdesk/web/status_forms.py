"""Forms of the status page's workspace pages: they parse input; `statuspage.services`
decides (bounds, states, windows)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import RowIdsChoiceField
from creditdesk.web.forms import TEXTAREA, FinishedMomentField, InstantFormField
from statuspage.models import BODY_LIMIT, TITLE_LIMIT, Component, Impact, Incident, State
from statuspage.transitions import OPEN_STATES

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _components_field() -> forms.ModelMultipleChoiceField:
    return RowIdsChoiceField(
        label=_("Componentes afectados"),
        queryset=Component.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )


class IncidentForm(forms.Form):
    title = forms.CharField(label=_("Título"), max_length=TITLE_LIMIT)
    title_en = forms.CharField(label=_("Título en inglés"), max_length=TITLE_LIMIT, required=False)
    impact = forms.ChoiceField(label=_("Impacto"), choices=Impact.choices)
    state = forms.ChoiceField(
        label=_("Estado"),
        choices=[(value, label) for value, label in State.choices if value in OPEN_STATES],
    )
    components = _components_field()
    body = forms.CharField(
        label=_("Mensaje para los clientes"), max_length=BODY_LIMIT, widget=forms.Textarea(TEXTAREA)
    )
    body_en = forms.CharField(
        label=_("Mensaje en inglés"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(TEXTAREA),
        required=False,
    )
    started_at = FinishedMomentField(
        label=_("Comenzó (vacío: ahora)"), widget=DATETIME_INPUT, required=False
    )


class UpdateForm(forms.Form):
    state = forms.ChoiceField(label=_("Nuevo estado"), choices=State.choices)
    impact = forms.ChoiceField(
        label=_("Impacto"), choices=[("", _("(sin cambio)")), *Impact.choices], required=False
    )
    body = forms.CharField(
        label=_("Mensaje para los clientes"), max_length=BODY_LIMIT, widget=forms.Textarea(TEXTAREA)
    )
    body_en = forms.CharField(
        label=_("Mensaje en inglés"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(TEXTAREA),
        required=False,
    )
    at = FinishedMomentField(
        label=_("Hora del cambio (vacío: ahora)"), widget=DATETIME_INPUT, required=False
    )
    send_to_tickets = forms.BooleanField(
        label=_("Enviar también a las solicitudes vinculadas abiertas"), required=False
    )


class MaintenanceForm(forms.Form):
    title = forms.CharField(label=_("Título"), max_length=TITLE_LIMIT)
    title_en = forms.CharField(label=_("Título en inglés"), max_length=TITLE_LIMIT, required=False)
    components = _components_field()
    starts_at = InstantFormField(label=_("Inicio"), widget=DATETIME_INPUT)
    ends_at = InstantFormField(label=_("Fin"), widget=DATETIME_INPUT)
    description = forms.CharField(
        label=_("Descripción"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(TEXTAREA),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Descripción en inglés"),
        max_length=BODY_LIMIT,
        widget=forms.Textarea(TEXTAREA),
        required=False,
    )


class IncidentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Incident) -> str:
        return f"{obj.local_title} ({obj.get_state_display()})"


class TicketIncidentForm(forms.Form):
    """Link a ticket to an open incident, or (with `unlink`) remove a link it has."""

    incident = IncidentChoiceField(
        label=_("Incidente"), queryset=Incident.objects.none(), empty_label=_("(elija uno)")
    )

    def __init__(self, *args, incidents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["incident"].queryset = incidents
