"""The contract lifecycle as data: which status may follow which."""

from contracts.exceptions import IllegalContractTransition
from contracts.models import Contract

Status = Contract.Status

ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.ACTIVE, Status.CANCELLED},
    Status.ACTIVE: {Status.SUSPENDED, Status.CANCELLED},
    Status.SUSPENDED: {Status.ACTIVE, Status.CANCELLED},
    Status.CANCELLED: set(),
}

LIVE = frozenset({Status.ACTIVE, Status.SUSPENDED})


def check_transition(from_status: str, to_status: str) -> None:
    if to_status not in ALLOWED[from_status]:
        raise IllegalContractTransition(
            field="status", from_status=from_status, to_status=to_status
        )
