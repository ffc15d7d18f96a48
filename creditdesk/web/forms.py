"""Forms of the portal and the workspace: they parse input; the services decide."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from contracts.models import Customer, Service
from core.events import EVENT_TYPES
from core.forms import OwnIds
from core.instants import InstantFieldMixin, wall_clock_past
from creditdesk.roles import ticket_workers
from knowledge.models import Article
from quotes.selectors import quote_numbers_issued
from sla.choices import Impact, Priority, Urgency
from tickets.models import Outcome, Ticket
from tickets.transitions import ALLOWED
from webhooks.models import URL_MAX_LENGTH

TEXTAREA = {"rows": 5}


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Files attached to a message (none, one or several); what they may be is checked by
    `tickets.services.attachments`, from their content, not here."""

    ACCEPT = ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,.log,.csv,.zip"

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Adjuntos"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            format_lazy(
                _(
                    "PDF, imágenes (PNG, JPEG, GIF, WebP), texto o ZIP; hasta {count} archivos "
                    "de {size} MB cada uno."
                ),
                count=getattr(settings, "ATTACHMENT_MAX_COUNT", 5),
                size=getattr(settings, "ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024) // (1024 * 1024),
            ),
        )
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": self.ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        if isinstance(data, list | tuple):
            return [super(AttachmentsField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class InstantFormField(InstantFieldMixin, forms.DateTimeField):
    """A date-time typed in a form, within the accepted years (core.instants)."""


SKIPPED_TIME = _("Esa hora no existió: ese día los relojes se adelantaron.")


class FinishedMomentField(InstantFormField):
    """A moment already past, typed on the wall clock of the current zone (when work ended,
    when an incident began). Django refuses a time in the hour a change of daylight saving
    time repeats as ambiguous, even the form's own default, now: `wall_clock_past` reads it
    instead. A time the clocks skipped is refused, saying so."""

    def to_python(self, value: object) -> datetime | None:
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
            typed, zone = error.params["datetime"], error.params["current_timezone"]
            moment = wall_clock_past(typed, zone, now=timezone.now())
            if moment is None:
                raise ValidationError(SKIPPED_TIME, code="skipped_time") from error
            return moment


class ServiceTypeChoiceField(forms.ModelChoiceField):
    """Each type with its plain description, so the customer knows which to pick."""

    def label_from_instance(self, obj: Service) -> str:
        return f"{obj.name}: {obj.description}" if obj.description else obj.name


class OneSubmit(forms.Form):
    """A form whose action must happen once per form: its key is new with each blank form and
    posted back with it, so a second submit of the same form (a double click, a browser
    retrying) is known as the first one again, and the service given the key does nothing
    more."""

    submission_key = forms.UUIDField(
        widget=forms.HiddenInput,
        required=False,
        initial=uuid4,
        error_messages={
            "invalid": _(
                "El formulario llegó dañado y no se envió: revise los datos y envíelo de nuevo."
            )
        },
    )

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.has_error("submission_key"):
            # a key that is no key can never be sent again: the form comes back with a new one
            self._renew_key()

    def sent_before(self) -> None:
        """This form's key already did its action with other values (sent, then changed
        after going back): nothing more was done. The form comes back saying so, with a new
        key, so that sending it again is another action."""
        self.add_error(
            None,
            _(
                "Este formulario ya se había enviado y se registró tal como se envió; los "
                "cambios de después no se guardaron. Para registrar otro movimiento, "
                "revise los datos y envíelo de nuevo."
            ),
        )
        self._renew_key()

    def _renew_key(self) -> None:
        self.data = self.data.copy()
        self.data[self.add_prefix("submission_key")] = str(uuid4())

    def once_key(self, action: str) -> str | None:
        """The key of this submit for `action`'s service, or None when the post carried
        none (a page from before the key, a script): then every submit acts."""
        key = self.cleaned_data.get("submission_key")
        return f"{action}:{key}" if key else None


class OneRequestPerSubmit(OneSubmit):
    """A form that opens a request: a second submit of the same form gets the request the
    first opened (`ticket_open`'s `submission_key`)."""


class TicketOpenForm(OneRequestPerSubmit):
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
    attachments = AttachmentsField()

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Mensaje"), widget=forms.Textarea(attrs=TEXTAREA))
    attachments = AttachmentsField()


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Motivo de la reapertura"), max_length=500)

    def __init__(self, *args, reason_required: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class FollowUpForm(OneRequestPerSubmit):
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
    attachments = AttachmentsField()


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Nuevo estado"))
    reason = forms.CharField(label=_("Motivo"), max_length=500, required=False)
    # The outcome, read only when resolving; tickets.outcomes checks what each one needs.
    outcome = forms.ChoiceField(
        label=_("Resultado (al resolver)"),
        choices=Outcome.choices,
        initial=Outcome.SOLVED,
        required=False,  # left out, the service records "solved"
    )
    outcome_article = forms.ModelChoiceField(
        label=_("Artículo enviado (asesoría)"),
        queryset=Article.objects.filter(status=Article.Status.PUBLISHED).order_by("title"),
        required=False,
    )
    outcome_alternative = forms.CharField(
        label=_("Alternativa sugerida (fuera de alcance)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome_quote = forms.ChoiceField(label=_("Presupuesto (emitido)"), required=False)

    def __init__(self, *args, ticket: Ticket, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED[ticket.status]
        self.fields["to_status"].choices = [
            (value, label) for value, label in Ticket.Status.choices if value in allowed
        ]
        if Ticket.Status.RESOLVED not in allowed:
            for name in ("outcome", "outcome_article", "outcome_alternative", "outcome_quote"):
                del self.fields[name]
            return
        self.fields["outcome_quote"].choices = [("", "—")] + [
            (number, number) for number in quote_numbers_issued(ticket)
        ]


class WorkLogForm(forms.Form):
    """Finished work as an agent knows it once done: when it ended and how long it took.
    `cleaned_data` holds what `worklog_add` takes: `started_at` = `ended_at` - `minutes`."""

    ended_at = FinishedMomentField(
        label=_("Terminó (hora del cliente)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(label=_("Minutos"), min_value=1, max_value=24 * 60)
    note = forms.CharField(label=_("Nota"), required=False, max_length=1000)
    onsite = forms.BooleanField(label=_("En sitio"), required=False)
    billable = forms.BooleanField(label=_("Facturable"), required=False, initial=True)

    # The minutes are bounded here, so the service's refusals of when the work happened (a
    # start before the opening, an end in the future) are about the end typed on this page.
    refusal_fields = {"started_at": "ended_at", "minutes": "ended_at"}

    def clean(self) -> dict:
        data = super().clean()
        ended_at = data.pop("ended_at", None)
        minutes = data.get("minutes")
        if ended_at is not None and minutes is not None:
            # In UTC: aware arithmetic in the customer's zone is wall-clock time, off by the
            # hour across a change of daylight saving time.
            data["started_at"] = ended_at.astimezone(UTC) - timedelta(minutes=minutes)
        return data


class SessionForm(OwnIds, forms.Form):
    id_prefix = "session"
    starts_at = InstantFormField(
        label=_("Fecha y hora (hora del cliente)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    minutes = forms.IntegerField(label=_("Duración (minutos)"), min_value=1, initial=60)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Asignar a"),
        queryset=ticket_workers(),  # agents (and admins) only: not finance, not contacts
        required=False,
        empty_label=_("(nadie)"),
    )


class ReclassifyForm(OwnIds, forms.Form):
    id_prefix = "reclassify"
    service = ServiceTypeChoiceField(
        label=_("Tipo de solicitud"),
        queryset=Service.objects.none(),
        empty_label=_("(elija un tipo)"),
    )
    reason = forms.CharField(label=_("Motivo del cambio de tipo"), max_length=500)

    def __init__(self, *args, services, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class PriorityForm(OwnIds, forms.Form):
    """Staff's priority for a ticket, with the reason kept in its history
    (`ticket_override_priority`, as the API's `priority` action)."""

    id_prefix = "priority"
    priority = forms.ChoiceField(label=_("Prioridad"), choices=Priority.choices)
    reason = forms.CharField(label=_("Motivo del cambio de prioridad"), max_length=500)


class EscalateForm(OwnIds, forms.Form):
    """Another resolution level; the choices are the ticket's policy's levels
    (`tickets.clocks.levels_for`), the rules are `ticket_escalate`'s."""

    id_prefix = "escalate"

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


class WebhookEndpointChangeForm(forms.Form):
    """An endpoint's address and events: what may change once it is registered."""

    url = forms.URLField(
        label=_("URL de destino"), max_length=URL_MAX_LENGTH, assume_scheme="https"
    )
    events = forms.MultipleChoiceField(
        label=_("Eventos"),
        choices=[(event, event) for event in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )


class WebhookEndpointForm(WebhookEndpointChangeForm):
    customer = forms.ModelChoiceField(
        label=_("Cliente"), queryset=Customer.objects.none(), required=False
    )

    def __init__(self, *args, customers, may_cover_all: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        field.queryset = customers
        field.required = not may_cover_all
        field.empty_label = _("Todos los clientes") if may_cover_all else None
