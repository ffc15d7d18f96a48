from typing import Any

from django.utils.functional import Promise

from core.errors import CreditdeskError


class TicketsError(CreditdeskError):
    code = "tickets_error"


class IllegalTicketTransition(TicketsError):
    """Always on the field `to_status`, the status asked for, as the API's request and the
    workspace's form name it."""

    code = "illegal_transition"
    message_es = "Una solicitud en estado {from_status} no puede pasar a {to_status}."
    message_en = "A ticket in state {from_status} cannot move to {to_status}."

    def __init__(self, *, from_status: Promise, to_status: Promise) -> None:
        super().__init__(field="to_status", from_status=from_status, to_status=to_status)


class WorkLogLocked(TicketsError):
    code = "work_log_locked"
    message_es = "Este registro ya fue cobrado; registre una corrección nueva."
    message_en = "This work log has been charged; record a new correction instead."


class TicketFinished(TicketsError):
    code = "ticket_finished"
    message_es = (
        "La solicitud {ticket} ya terminó ({status}): no se registra nada más en ella; "
        "una solicitud de seguimiento la continúa."
    )
    message_en = (
        "Request {ticket} is over ({status}): nothing more is recorded on it; "
        "a follow-up request continues it."
    )


class SessionNotScheduled(TicketsError):
    code = "session_not_scheduled"
    message_es = "La sesión no está programada (estado {status})."
    message_en = "The session is not scheduled (state {status})."


class SessionNotStarted(TicketsError):
    code = "session_not_started"
    message_es = "La sesión aún no ha empezado: la inasistencia se marca después de su inicio."
    message_en = "The session has not started yet: a no-show is marked after its start."


class FollowUpNotAllowed(TicketsError):
    code = "follow_up_not_allowed"
    message_es = "Solo una solicitud cerrada admite seguimiento; reabra la solicitud {number}."
    message_en = "Only a closed ticket takes a follow-up; reopen ticket {number} instead."


class UnknownTicket(TicketsError):
    code = "unknown_ticket"
    message_es = "No existe la solicitud {number} para este cliente."
    message_en = "There is no ticket {number} for this customer."


class IntakeRefusal(TicketsError):
    """A request intake refused; the subclasses are the reasons checked before credits."""


class UnknownRequester(IntakeRefusal):
    code = "unknown_requester"
    message_es = "No reconocemos a {requester} como contacto de un cliente."
    message_en = "We do not recognise {requester} as a customer contact."


class UnauthenticatedSender(IntakeRefusal):
    """Mail whose From domain did not authenticate it (`tickets.mail.sender_authenticated`):
    anyone can write any From, and a request spends the customer's credits."""

    code = "unauthenticated_sender"
    message_es = (
        "No pudimos comprobar que el dominio de {requester} envió este mensaje, así que no lo "
        "tomamos. Escríbanos desde el portal, o pida a su proveedor de correo que autentique "
        "sus mensajes (SPF, DKIM, DMARC)."
    )
    message_en = (
        "We could not verify that the domain of {requester} sent this message, so we did not "
        "take it. Write to us from the portal, or ask your mail provider to authenticate your "
        "messages (SPF, DKIM, DMARC)."
    )


class UnauthorizedRequester(IntakeRefusal):
    code = "unauthorized_requester"
    # The customer's name comes first: a legal name ends in a period ("S.A.S.") more often than
    # not, and a sentence ending with it read "S.A.S..".
    message_es = "{customer} no autorizó a {requester} a abrir solicitudes."
    message_en = "{customer} has not authorised {requester} to open requests."


class ChannelNotAllowed(IntakeRefusal):
    code = "channel_not_allowed"
    message_es = "El plan {plan} no recibe solicitudes por {channel}."
    message_en = "The {plan} plan does not take requests by {channel}."


class ServiceChannelNotAllowed(ChannelNotAllowed):
    message_es = "Las solicitudes de «{service}» se reciben solo por {allowed}, no por {channel}."
    message_en = "Requests about “{service}” are taken only by {allowed}, not by {channel}."


class ChannelClosed(ChannelNotAllowed):
    code = "channel_closed"
    message_es = (
        "El canal {channel} atiende en horario hábil: abre de nuevo el {opens_at} ({zone}). "
        "Ahora puede escribir por: {open_channels}."
    )
    message_en = (
        "The {channel} channel works in business hours: it opens again on {opens_at} ({zone}). "
        "Right now you can write through: {open_channels}."
    )


class PhoneNeedsTicketNumber(ChannelNotAllowed):
    message_es = (
        "El plan {plan} atiende por teléfono solo solicitudes existentes: indique el número."
    )
    message_en = "The {plan} plan takes phone calls only about an existing ticket: give its number."


class OutOfScope(IntakeRefusal):
    code = "out_of_scope"
    message_es = "El servicio «{service}» no está cubierto por su contrato."
    message_en = "The service “{service}” is not covered by your contract."


class AttachmentRefused(TicketsError):
    """An uploaded file refused before anything is written (`tickets.attachments`); the
    field is always `attachments`."""

    def __init__(self, **params: Any) -> None:
        super().__init__(field="attachments", **params)


class TooManyAttachments(AttachmentRefused):
    code = "too_many_attachments"
    message_es = "Se admiten como máximo {limit} adjuntos por mensaje (hay {count})."
    message_en = "At most {limit} attachments are accepted per message ({count} given)."


class AttachmentTooLarge(AttachmentRefused):
    code = "attachment_too_large"
    message_es = "«{name}» ocupa {size}; cada adjunto admite como máximo {limit}."
    message_en = "«{name}» is {size}; each attachment may be at most {limit}."


class AttachmentEmpty(AttachmentRefused):
    code = "attachment_empty"
    message_es = "«{name}» está vacío."
    message_en = "«{name}» is empty."


class AttachmentTypeRefused(AttachmentRefused):
    code = "attachment_type_refused"
    message_es = (
        "«{name}» no es de un tipo admitido: se aceptan PDF, PNG, JPEG, GIF, WebP, texto y ZIP."
    )
    message_en = (
        "«{name}» is not an accepted type: PDF, PNG, JPEG, GIF, WebP, text and ZIP are accepted."
    )


class AttachmentTypeMismatch(AttachmentRefused):
    code = "attachment_type_mismatch"
    message_es = "«{name}» tiene contenido {actual}, que no corresponde a su extensión."
    message_en = "«{name}» contains {actual}, which does not match its extension."


class AttachmentUnreadable(AttachmentRefused):
    code = "attachment_unreadable"
    message_es = "La imagen «{name}» no se puede leer o es demasiado grande ({limit} megapíxeles)."
    message_en = "The image «{name}» cannot be read or is too large ({limit} megapixels)."
