"""A ticket's hold raised to an agreed amount of credits (an accepted credit quote).

The quotes app calls `ticket_hold_replace` when a customer accepts a quote in credits: the
ticket's own hold (intake's minimum, if still active) goes back and one hold of the quoted
credits takes its place, so the work is then charged against it on resolution
(`tickets.services.charging.ticket_charge` converts the ticket's hold, whatever its size).
Locks: the ticket, then the credit account inside `credits` (tickets.locks' order).
"""

from decimal import Decimal

from django.db import transaction

from credits.models import CreditHold
from credits.services import (
    credit_account_get_or_create,
    credits_place_hold,
    credits_release_hold,
)
from tickets.locks import ticket_lock
from tickets.models import Ticket


def ticket_hold_replace(
    ticket: Ticket, *, credits: Decimal, reference_type: str, reference_id: str
) -> CreditHold:
    """Release the ticket's active hold and hold `credits` instead (refused with
    `InsufficientCredits` when the customer lacks them; then nothing changed)."""
    with transaction.atomic():
        locked = ticket_lock(ticket.pk)
        account = credit_account_get_or_create(customer=locked.customer)
        if locked.hold_id is not None:
            current = CreditHold.objects.get(pk=locked.hold_id)
            if current.is_active:
                credits_release_hold(hold=current, account=account)
        hold = credits_place_hold(
            account=account,
            credits=credits,
            reference_type=reference_type,
            reference_id=reference_id,
        )
        locked.hold = hold
        locked.save(update_fields=["hold"])
    ticket.hold = hold
    return hold
