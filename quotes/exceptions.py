"""The quotes app's refusals: a stable code and a message in Spanish and English."""

from core.errors import CreditdeskError


class QuoteError(CreditdeskError):
    code = "quote_error"


class QuoteNotDraft(QuoteError):
    code = "quote_not_draft"
    message_es = "El presupuesto {number} ya fue enviado; no se puede cambiar ni volver a enviar."
    message_en = "Quote {number} was already sent; it cannot be changed or sent again."


class QuoteNotSent(QuoteError):
    code = "quote_not_sent"
    message_es = "Este presupuesto todavía no se ha enviado."
    message_en = "This quote has not been sent yet."


class QuoteAlreadyDecided(QuoteError):
    code = "quote_already_decided"
    message_es = "El presupuesto {number} ya fue {decision}."
    message_en = "Quote {number} was already {decision}."


class QuoteExpired(QuoteError):
    code = "quote_expired"
    message_es = "El presupuesto {number} venció el {valid_until}; pida uno nuevo."
    message_en = "Quote {number} expired on {valid_until}; ask for a new one."


class QuoteTicketClosed(QuoteError):
    code = "quote_ticket_closed"
    message_es = "La solicitud {ticket} ya terminó; un presupuesto se prepara sobre una abierta."
    message_en = "Request {ticket} is over; a quote is prepared on an open one."


class QuoteDeciderUnauthorized(QuoteError):
    code = "quote_decider_unauthorized"
    # The customer's name first, as intake's unauthorized_requester: "S.A.S." ends a name.
    message_es = "{customer} no autorizó a {contact} a aceptar ni rechazar presupuestos."
    message_en = "{customer} has not authorised {contact} to accept or reject quotes."
