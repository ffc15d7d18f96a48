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


class DuplicateEndpoint(WebhookError):
    """The same destination twice for the same customers would deliver every event twice."""

    code = "webhook_duplicate_endpoint"
    message_es = "Ya hay un webhook a {url} para {scope}: cambie sus eventos en él."
    message_en = "There is already a webhook to {url} for {scope}: change its events there."

    def __init__(self, *, url: str, scope: object) -> None:
        super().__init__(field="url", url=url, scope=scope)


class CustomerRequired(WebhookError):
    code = "webhook_customer_required"
    message_es = "Elija uno de sus clientes: solo un administrador registra webhooks para todos."
    message_en = "Choose one of your customers: only an administrator registers webhooks for all."
