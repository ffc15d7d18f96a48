"""The status page's refusals: a stable code and a message in Spanish and English."""

from core.errors import CreditdeskError


class StatusPageError(CreditdeskError):
    code = "statuspage_error"


class TextRequired(StatusPageError):
    code = "text_required"
    message_es = "Escriba el texto."
    message_en = "Write the text."


class TextTooLong(StatusPageError):
    code = "text_too_long"
    message_es = "Admite hasta {limit} caracteres (tiene {length})."
    message_en = "At most {limit} characters (it has {length})."


class TextControlCharacters(StatusPageError):
    code = "text_control_characters"
    message_es = (
        "El texto tiene caracteres de control invisibles (copiados con él, quizá): "
        "escríbalo de nuevo."
    )
    message_en = (
        "The text holds invisible control characters (copied along with it, perhaps): "
        "type it again."
    )


class UnknownChoice(StatusPageError):
    """A value outside a fixed list (an impact, a state); `choices` lists the valid ones."""

    code = "unknown_choice"
    message_es = "«{value}» no es válido; elija uno de: {choices}."
    message_en = "'{value}' is not valid; choose one of: {choices}."


class ComponentsRequired(StatusPageError):
    code = "components_required"
    message_es = "Elija al menos un componente visible de la página de estado."
    message_en = "Choose at least one visible component of the status page."


class IncidentResolved(StatusPageError):
    code = "incident_resolved"
    message_es = (
        "El incidente «{title}» ya está resuelto; si el problema vuelve, publique uno nuevo."
    )
    message_en = (
        "Incident '{title}' is already resolved; if the problem returns, publish a new one."
    )


class IncidentUpdateSuperseded(StatusPageError):
    """Only an incident's latest update goes to its tickets: an older one would tell the
    requesters a state the incident has left."""

    code = "incident_update_superseded"
    message_es = (
        "Solo la última actualización del incidente «{title}» se envía a sus solicitudes; "
        "esta ya tiene una posterior."
    )
    message_en = (
        "Only the latest update of incident '{title}' is sent to its tickets; "
        "a later one has been posted since."
    )


class InstantOutOfWindow(StatusPageError):
    """`earliest` and `latest` are aware datetimes in the reader's zone."""

    code = "instant_out_of_window"
    message_es = "La hora debe estar entre {earliest} y {latest}."
    message_en = "The time must be between {earliest} and {latest}."


class MaintenanceEndsBeforeStart(StatusPageError):
    code = "maintenance_ends_before_start"
    message_es = "El mantenimiento debe terminar después de empezar."
    message_en = "The maintenance must end after it starts."


class MaintenanceTooLong(StatusPageError):
    code = "maintenance_too_long"
    message_es = "Un mantenimiento dura como máximo {days} días; divídalo en varios."
    message_en = "A maintenance lasts at most {days} days; split it into several."


class MaintenanceOver(StatusPageError):
    code = "maintenance_over"
    message_es = "El mantenimiento «{title}» ya terminó; no se puede cancelar."
    message_en = "Maintenance '{title}' is already over; it cannot be cancelled."
