from core.errors import CreditdeskError


class WebhookError(CreditdeskError):
    pass


class DestinationRefused(WebhookError):
    code = "webhook_destination_refused"
    message_es = (
        "La dirección {url} no es un destino válido: debe ser http o https y resolver a una "
        "dirección pública."
    )
    message_en = (
        "{url} is not a valid destination: it must be http or https and resolve to a public "
        "address."
    )


class UnknownEvent(WebhookError):
    code = "webhook_unknown_event"
    message_es = "Evento desconocido: {event}."
    message_en = "Unknown event: {event}."


class CustomerRequired(WebhookError):
    code = "webhook_customer_required"
    message_es = "Elija uno de sus clientes: solo un administrador registra webhooks para todos."
    message_en = "Choose one of your customers: only an administrator registers webhooks for all."
