from core.errors import CreditdeskError


class ContractsError(CreditdeskError):
    code = "contracts_error"


class IllegalContractTransition(ContractsError):
    """`from_status` and `to_status` are the statuses' labels, rendered in each language."""

    code = "illegal_transition"
    message_es = "Un contrato en estado «{from_status}» no puede pasar a «{to_status}»."
    message_en = "A contract in status '{from_status}' cannot become '{to_status}'."


class SecondLiveContract(ContractsError):
    code = "second_active_contract"
    message_es = "El cliente ya tiene un contrato vigente (n.º {existing_id})."
    message_en = "The customer already has a current contract (no. {existing_id})."


class HasHistory(ContractsError):
    """`related` names (lazily, so in each language) the rows that make `what` history."""

    code = "has_history"
    message_es = "No se puede eliminar {what}: tiene historia ({related}). Cancele en su lugar."
    message_en = "{what} cannot be deleted: it has history ({related}). Cancel it instead."


class CurrencyLocked(ContractsError):
    code = "currency_locked"
    message_es = "{what} ya tiene {related} en {currency}; la moneda no se puede cambiar."
    message_en = "{what} already has {related} in {currency}; its currency cannot change."

    def __init__(self, *, what: str, related: object, currency: str) -> None:
        super().__init__(field="currency", what=what, related=related, currency=currency)


class PlanChangeNotAllowed(ContractsError):
    code = "plan_change_not_allowed"
    message_es = "No se puede cambiar el plan: {why_es}"
    message_en = "The plan cannot be changed: {why_en}"
