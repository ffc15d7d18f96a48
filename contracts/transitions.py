"""The contract lifecycle as data: which status may follow which."""

from django.core.exceptions import ValidationError
from django.db import models

from contracts.exceptions import IllegalContractTransition
from contracts.models import Contract
from core.errors import InvalidInput, choice_labels

Status = Contract.Status

ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.ACTIVE, Status.CANCELLED},
    Status.ACTIVE: {Status.SUSPENDED, Status.CANCELLED},
    Status.SUSPENDED: {Status.ACTIVE, Status.CANCELLED},
    Status.CANCELLED: set(),
}

LIVE = frozenset({Status.ACTIVE, Status.SUSPENDED})


def check_transition(from_status: str, to_status: str) -> None:
    if to_status not in Status.values:
        invalid = models.Field.default_error_messages["invalid_choice"]
        raise InvalidInput({"status": [ValidationError(invalid, params={"value": to_status})]})
    if to_status not in ALLOWED[from_status]:
        raise IllegalContractTransition(
            field="status",
            from_status=choice_labels(from_status, Status),
            to_status=choice_labels(to_status, Status),
        )
