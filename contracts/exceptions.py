from creditdesk.errors import CreditdeskError


class ContractsError(CreditdeskError):
    code = "contracts_error"


class IllegalContractTransition(ContractsError):
    code = "illegal_transition"
    message_es = "Un contrato {from_status} no puede pasar a {to_status}."
    message_en = "A {from_status} contract cannot become {to_status}."


class SecondLiveContract(ContractsError):
    code = "second_active_contract"
    message_es = "El cliente ya tiene un contrato vigente (n.º {existing_id})."
    message_en = "The customer already has a current contract (no. {existing_id})."


class HasHistory(ContractsError):
    code = "has_history"
    message_es = "No se puede eliminar {what}: tiene historia ({related}). Cancele en su lugar."
    message_en = "{what} cannot be deleted: it has history ({related}). Cancel it instead."


class ReasonRequired(ContractsError):
    code = "reason_required"
    message_es = "Indique el motivo."
    message_en = "A reason is required."


class PlanChangeNotAllowed(ContractsError):
    code = "plan_change_not_allowed"
    message_es = "No se puede cambiar el plan: {why_es}"
    message_en = "The plan cannot be changed: {why_en}"
