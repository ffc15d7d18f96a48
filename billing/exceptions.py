"""Refusals of the billing app, each with a stable `code` and a Spanish and English message.

Bad amounts are refused by `core.amounts` (`invalid_amount`, `currency_mismatch`),
shared with credits and contracts; other bad input is `core.errors.InvalidInput`."""

from datetime import datetime

from core.errors import CreditdeskError


class BillingError(CreditdeskError):
    code = "billing_error"


class InvoiceImmutable(BillingError):
    code = "invoice_immutable"
    message_es = (
        "La factura {number} ya fue emitida y no se modifica; corríjala con una nota crédito."
    )
    message_en = (
        "Invoice {number} has been issued and cannot change; correct it with a credit note."
    )


class IllegalInvoiceTransition(BillingError):
    code = "illegal_invoice_transition"
    message_es = "Una factura en estado {from_status} no puede pasar a {to_status}."
    message_en = "An invoice in status {from_status} cannot become {to_status}."


class EmptyInvoice(BillingError):
    code = "empty_invoice"
    message_es = "La factura no tiene líneas; no se emite."
    message_en = "The invoice has no lines; it is not issued."


class InvalidQuantity(BillingError):
    code = "invalid_quantity"
    message_es = "La cantidad «{value}» no es válida; use un número mayor que cero."
    message_en = "The quantity '{value}' is not valid; use a number greater than zero."

    def __init__(self, *, value: object) -> None:
        super().__init__(field="quantity", value=value)


class TaxRateMissing(BillingError):
    code = "tax_rate_missing"
    message_es = (
        "No hay tarifa de impuesto para el país {country} el {on}; configúrela (0 % si aplica)."
    )
    message_en = "There is no tax rate for country {country} on {on}; configure one (0% if so)."

    def __init__(self, *, country: str, on: object) -> None:
        super().__init__(field="country", country=country, on=on)


class CreditNoteExceedsInvoice(BillingError):
    code = "credit_note_exceeds_invoice"
    message_es = "Las notas crédito sumarían {credited}, más que el total de la factura ({total})."
    message_en = "Credit notes would add up to {credited}, more than the invoice total ({total})."


class CreditNoteNeedsLines(BillingError):
    code = "credit_note_needs_lines"
    message_es = (
        "La factura tiene varias tarifas de impuesto; indique las líneas de la nota crédito."
    )
    message_en = "The invoice has several tax rates; give the credit note's lines."


class NotCorrectable(BillingError):
    code = "not_correctable"
    message_es = "Solo se corrigen facturas emitidas o pagadas; la {number} está {status}."
    message_en = "Only issued or paid invoices are corrected; {number} is {status}."


class CreditNoteNotPayable(BillingError):
    code = "credit_note_not_payable"
    message_es = (
        "La {number} es una nota crédito: no recibe pagos. Registre el pago en la factura que"
        " corrige ({invoice})."
    )
    message_en = (
        "{number} is a credit note: it takes no payments. Record the payment on the invoice it"
        " corrects ({invoice})."
    )


class PackNotForSale(BillingError):
    code = "pack_not_for_sale"
    message_es = "El paquete {pack} no está a la venta para este cliente."
    message_en = "Pack {pack} is not for sale to this customer."


class NoLiveContract(BillingError):
    code = "no_live_contract"
    message_es = "El cliente no tiene un contrato vigente."
    message_en = "The customer has no current contract."


class PaymentNotRefundable(BillingError):
    code = "payment_not_refundable"
    message_es = "El pago {payment} no se puede reembolsar: {why_es}."
    message_en = "Payment {payment} cannot be refunded: {why_en}."


class OverpaymentNotSettled(BillingError):
    code = "overpayment_not_settled"
    message_es = "El pago {payment} no se puede aplicar en parte y devolver el resto: {why_es}."
    message_en = "Payment {payment} cannot be applied in part with the rest returned: {why_en}."


class RefundExceedsPayment(BillingError):
    code = "refund_exceeds_payment"
    message_es = "Del pago {payment} quedan {left} por reembolsar; no se puede devolver más."
    message_en = "{left} of payment {payment} is left to refund; no more can be given back."


class PaymentProviderError(BillingError):
    code = "payment_provider_error"
    message_es = "El proveedor de pagos respondió con un error: {detail}"
    message_en = "The payment provider answered with an error: {detail}"


class PaymentProviderFailed(PaymentProviderError):
    """A top-up's call to the provider failed: the customer sees this short message; the
    provider's own detail goes to the log, never to the page."""

    message_es = "El proveedor de pagos no respondió y no se cobró nada. Inténtelo más tarde."
    message_en = "The payment provider did not answer and nothing was charged. Try again later."


class PaymentProviderUnavailable(BillingError):
    code = "payment_provider_unavailable"
    message_es = (
        "El pago con tarjeta no está disponible. Pague el paquete por transferencia bancaria; "
        "finanzas registrará el pago cuando llegue."
    )
    message_en = (
        "Card payment is not available. Pay for the pack by bank transfer; finance will "
        "record the payment when it arrives."
    )


class PeriodNotOver(BillingError):
    code = "period_not_over"
    message_es = (
        "El mes {period} no ha terminado en la zona horaria de todos los clientes "
        "(termina el {ends_at} UTC); solo se facturan meses terminados."
    )
    message_en = (
        "The month {period} is not over in every customer's time zone (it ends "
        "{ends_at} UTC); only finished months are billed."
    )

    def __init__(self, *, period: object, ends_at: datetime) -> None:
        """`ends_at`: the moment the month ends in the last zone, in UTC."""
        super().__init__(field="period", period=period, ends_at=ends_at)


class InvalidPeriod(BillingError):
    code = "invalid_period"
    message_es = "«{value}» no es un mes válido; use AAAA-MM."
    message_en = "'{value}' is not a valid month; use YYYY-MM."

    def __init__(self, *, value: object) -> None:
        super().__init__(field="period", value=value)


class DuplicatePaymentReference(BillingError):
    code = "duplicate_payment_reference"
    message_es = "Ya hay un pago con la referencia {ref} ({provider})."
    message_en = "There is already a payment with reference {ref} ({provider})."
