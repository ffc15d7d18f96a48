"""The activations app's refusals: a stable code and a message in Spanish and English."""

from core.errors import CreditdeskError


class ActivationError(CreditdeskError):
    code = "activation_error"


class ActivationClosed(ActivationError):
    code = "activation_closed"
    message_es = "La activación de {product} ya terminó ({status})."
    message_en = "The activation of {product} is already over ({status})."


class ActivationNotStarted(ActivationError):
    code = "activation_not_started"
    message_es = "La activación de {product} espera sus requisitos; todavía no puede activarse."
    message_en = (
        "The activation of {product} is waiting for its prerequisites; it cannot be activated yet."
    )


class StepIsPayment(ActivationError):
    code = "activation_step_is_payment"
    message_es = "El pago se marca solo al acreditarse la factura {invoice}."
    message_en = "The payment is ticked only when invoice {invoice} is paid."


class InvoiceNotForActivation(ActivationError):
    code = "activation_invoice_unusable"
    message_es = "La factura no es de este cliente, está anulada o acreditada por completo."
    message_en = "The invoice is not this customer's, or it is void or fully credited."


class ProductWithoutCalendar(ActivationError):
    code = "activation_product_without_calendar"
    message_es = "El producto {product} cuenta días hábiles y necesita un calendario."
    message_en = "Product {product} counts business days and needs a calendar."


class CancelReasonRequired(ActivationError):
    code = "activation_cancel_reason_required"
    message_es = "Indique por qué se cancela la activación."
    message_en = "Say why the activation is cancelled."
