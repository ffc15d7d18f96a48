"""Domain events: what happened, told to the listeners inside the transaction that did it.

A service that does something an integrator may care about (a ticket opened, credits
charged, an invoice paid) calls `event_emit(type, instance)` at the point where it happens.
Receivers of `domain_event` run there and then, in the emitter's transaction, and may only
write what must commit or roll back with the work: a task row (`background.queue.
enqueue_with_transaction`) that does the announcing once the work has committed. So an
event is never announced for work that rolled back, and one whose work committed is
announced even when the process dies right after its commit, before any on-commit
callback. The apps that emit know nothing of who listens: the top layer connects the
receivers.
"""

from collections.abc import Callable, Iterable

from django.dispatch import Signal
from django.utils import timezone

# sender: the event type ("ticket.created"); kwargs: instances (the rows it happened to, in
# the order they are announced), key and occurred_at (when it was emitted).
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
    "invoice.voided",
    "invoice.credited",
    "contract.suspended",
    "contract.reactivated",
    "incident.created",
    "incident.updated",
    "incident.resolved",
    "quote.sent",
    "quote.accepted",
    "quote.rejected",
)

# Events about no customer in particular (the public status page): every endpoint subscribed
# to one receives it, also an endpoint registered for a single customer.
PUBLIC_EVENT_TYPES = frozenset({"incident.created", "incident.updated", "incident.resolved"})


# Functions a listener registers to say which of some event types it wants now (the
# webhooks app: those an active endpoint subscribes to), so an emitter of many events can
# skip the work.
_interest: list[Callable[[Iterable[str]], set[str]]] = []


def event_interest_register(wants: Callable[[Iterable[str]], set[str]]) -> None:
    if wants not in _interest:
        _interest.append(wants)


def events_wanted(event_types: Iterable[str]) -> set[str]:
    """The ones among `event_types` that some listener wants now."""
    event_types = list(event_types)
    wanted: set[str] = set()
    for wants in _interest:
        wanted |= wants(event_types)
    return wanted


def event_emit(event_type: str, instance: object, *, key: str = "") -> None:
    """Tell the listeners, in the current transaction, that `event_type` happened to
    `instance` (a saved row, as it is now).

    `key` names an event that may be emitted again for the same fact (an invoice found
    overdue by every hourly run): listeners announce one event per key. A keyed event's
    row carries its customer (`customer_id`), so a listener can tell whom it is owed to
    without rendering it."""
    _send(event_type, [instance], key=key)


def events_emit(event_type: str, instances: Iterable[object]) -> None:
    """`event_emit` for each of `instances` at once: a batch (a monthly run's invoices, a
    monitor run's clocks) costs its listeners the same few statements as one event."""
    _send(event_type, list(instances), key="")


def _send(event_type: str, instances: list[object], *, key: str) -> None:
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    if instances:
        domain_event.send(
            sender=event_type, instances=instances, key=key, occurred_at=timezone.now()
        )
