"""Domain events: what happened, announced once the transaction that did it commits.

A service that does something an integrator may care about (a ticket opened, credits
charged, an invoice paid) calls `event_emit(type, instance)` at the point where it happens.
Receivers of `domain_event` (the webhooks app) learn of it only after commit, so an event is
never announced for work that rolled back. The apps that emit know nothing of who listens:
the top layer connects the receivers.
"""

from collections.abc import Callable

from django.db import transaction
from django.dispatch import Signal

# sender: the event type ("ticket.created"); kwargs: instance (a model row) and key.
domain_event = Signal()

EVENT_TYPES = (
    "ticket.created",
    "ticket.refused",
    "ticket.resolved",
    "ticket.reopened",
    "ticket.sla_warning",
    "ticket.sla_breached",
    "credits.topped_up",
    "credits.charged",
    "credits.low",
    "invoice.issued",
    "invoice.paid",
    "invoice.overdue",
    "contract.suspended",
    "contract.reactivated",
)


# Functions a listener registers to say whether it wants an event type now (the webhooks
# app: is any active endpoint subscribed?), so an emitter of many events can skip the work.
_interest: list[Callable[[str], bool]] = []


def event_interest_register(wants: Callable[[str], bool]) -> None:
    if wants not in _interest:
        _interest.append(wants)


def event_wanted(event_type: str) -> bool:
    return any(wants(event_type) for wants in _interest)


def event_emit(event_type: str, instance: object, *, key: str = "") -> None:
    """Announce `event_type` about `instance` when the current transaction commits.

    `key` names an event that may be emitted again for the same fact (an invoice found
    overdue by every daily run): listeners announce one event per key."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    transaction.on_commit(
        lambda: domain_event.send(sender=event_type, instance=instance, key=key), robust=True
    )
