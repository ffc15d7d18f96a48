"""Invoice lifecycle as data. Paid and void are final; corrections are credit notes."""

from billing.exceptions import IllegalInvoiceTransition
from billing.models import Invoice
from core.errors import choice_labels

Status = Invoice.Status

ALLOWED: dict[str, set[str]] = {
    Status.DRAFT: {Status.ISSUED, Status.VOID},
    Status.ISSUED: {Status.PAID, Status.VOID},
    Status.PAID: set(),
    Status.VOID: set(),
}


def check_transition(from_status: str, to_status: str) -> None:
    if to_status not in ALLOWED[from_status]:
        raise IllegalInvoiceTransition(
            field="status",
            from_status=choice_labels(from_status, Status),
            to_status=choice_labels(to_status, Status),
        )
