"""Refusals of the credits app. Each has a stable `code`; the five solvency codes are shared
with intake (`free_membership`, `no_active_contract`, `contract_suspended`,
`administratively_insolvent`, `insufficient_credits`). Bad amounts are refused by
`core.amounts` (`invalid_amount`, `currency_mismatch`), shared with contracts."""

from decimal import Decimal

from core.errors import CreditdeskError


class CreditsError(CreditdeskError):
    code = "credits_error"


class InvalidMinutes(CreditsError):
    code = "invalid_minutes"
    message_es = "«{value}» no es un tiempo válido; use un número entero de minutos, cero o más."
    message_en = "'{value}' is not a valid time; use a whole number of minutes, zero or more."

    def __init__(self, *, value: object) -> None:
        super().__init__(field="minutes", value=value)


class StaffOnly(CreditsError):
    code = "staff_only"
    message_es = "Solo el personal puede ajustar créditos."
    message_en = "Only staff may adjust credits."

    def __init__(self) -> None:
        super().__init__(field="user")


class HoldNotActive(CreditsError):
    code = "hold_not_active"
    message_es = "La retención {hold} ya no está activa (fue liberada o cobrada)."
    message_en = "Hold {hold} is no longer active (it was released or charged)."

    def __init__(self, *, hold: int) -> None:
        super().__init__(field="hold", hold=hold)


class HoldAccountMismatch(CreditsError):
    code = "hold_account_mismatch"
    message_es = "La retención {hold} pertenece a otra cuenta."
    message_en = "Hold {hold} belongs to another account."

    def __init__(self, *, hold: int) -> None:
        super().__init__(field="hold", hold=hold)


class AlreadyReversed(CreditsError):
    code = "already_reversed"
    message_es = "El movimiento {entry} ya fue revertido."
    message_en = "Entry {entry} has already been reversed."

    def __init__(self, *, entry: int) -> None:
        super().__init__(field="entry", entry=entry)


class NotReversible(CreditsError):
    code = "not_reversible"
    message_es = "El movimiento {entry} es una reversión; corríjalo con un ajuste."
    message_en = "Entry {entry} is a reversal; correct it with an adjustment."

    def __init__(self, *, entry: int) -> None:
        super().__init__(field="entry", entry=entry)


class IdempotencyConflict(CreditsError):
    code = "idempotency_conflict"
    message_es = "La clave {key} ya se usó para otro movimiento de esta cuenta."
    message_en = "Key {key} was already used for a different entry of this account."

    def __init__(self, *, key: str) -> None:
        super().__init__(field="idempotency_key", key=key)


class ExpiryWithoutZone(CreditsError):
    """Shares the code of `sla.exceptions.NaiveDatetime`: the same mistake, the same answer."""

    code = "naive_datetime"
    message_es = "La fecha y hora {value} no indica zona horaria."
    message_en = "The date and time {value} has no time zone."

    def __init__(self, *, value: object) -> None:
        super().__init__(field="expires_at", value=value)


class LedgerImmutable(CreditsError):
    code = "ledger_immutable"
    message_es = "Los movimientos del libro de créditos no se modifican ni se borran."
    message_en = "Credit ledger entries are never changed or deleted."


# Solvency refusals, in the order intake checks them.


class FreeMembership(CreditsError):
    code = "free_membership"
    message_es = "La membresía gratuita no permite abrir solicitudes."
    message_en = "A free membership cannot open requests."


class NoActiveContract(CreditsError):
    code = "no_active_contract"
    message_es = "El cliente no tiene un contrato activo."
    message_en = "The customer has no active contract."


class ContractSuspended(CreditsError):
    code = "contract_suspended"
    message_es = "El contrato del cliente está suspendido."
    message_en = "The customer's contract is suspended."


class AdministrativelyInsolvent(CreditsError):
    code = "administratively_insolvent"
    message_es = "El cliente tiene pagos vencidos; regularice su cuenta para abrir solicitudes."
    message_en = "The customer has overdue payments; settle the account to open requests."


class InsufficientCredits(CreditsError):
    code = "insufficient_credits"
    message_es = "Se necesitan {required} créditos disponibles y hay {available}."
    message_en = "{required} available credits are needed and there are {available}."

    def __init__(self, *, available: object, required: object) -> None:
        super().__init__(field="credits", available=available, required=required)
        self.available = available
        self.required = required


class BalanceOutOfRange(CreditsError):
    """The entry would take the balance beyond what the account's column holds."""

    code = "invalid_amount"
    message_es = (
        "Con {credits} créditos el saldo sería {balance}, fuera de lo que admite una "
        "cuenta (menos de {limit} en valor absoluto)."
    )
    message_en = (
        "With {credits} credits the balance would be {balance}, beyond what an "
        "account holds (less than {limit} either way)."
    )

    def __init__(self, *, credits: Decimal, balance: Decimal, limit: Decimal) -> None:
        super().__init__(field="credits", credits=credits, balance=balance, limit=limit)
