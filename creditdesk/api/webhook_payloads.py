"""The `data` of each webhook event: the object as this API shows it, through the same
serializers (registered with `webhooks.payloads` when the API app is ready)."""

from billing.models import Invoice
from contracts.models import Contract
from creditdesk.api.serializers.billing import InvoiceSerializer
from creditdesk.api.serializers.contracts import ContractSerializer
from creditdesk.api.serializers.credits import (
    CreditSummarySerializer,
    LedgerEntrySerializer,
    credit_summary,
)
from creditdesk.api.serializers.quotes import QuoteSerializer
from creditdesk.api.serializers.statuspage import IncidentSerializer
from creditdesk.api.serializers.tickets import IntakeAttemptSerializer, TicketSerializer
from credits.models import CreditAccount, LedgerEntry
from quotes.models import Quote
from sla.models import SlaClock
from statuspage.models import Incident
from tickets.models import IntakeAttempt, Ticket
from webhooks.payloads import Rendered, payload_renderer_register


def _ticket(ticket: Ticket) -> Rendered:
    return ticket.customer_id, dict(TicketSerializer(ticket).data)


def _clock(clock: SlaClock) -> Rendered:
    """An SLA warning or breach is about the ticket whose clock it is ("ticket:<pk>")."""
    ticket = Ticket.objects.get(pk=int(clock.subject.removeprefix("ticket:")))
    customer_id, data = _ticket(ticket)
    return customer_id, {**data, "clock": {"id": clock.pk, "kind": clock.kind}}


def _attempt(attempt: IntakeAttempt) -> Rendered:
    return attempt.customer_id, dict(IntakeAttemptSerializer(attempt).data)


def _entry(entry: LedgerEntry) -> Rendered:
    customer_id = CreditAccount.objects.values_list("customer_id", flat=True).get(
        pk=entry.account_id
    )
    return customer_id, dict(LedgerEntrySerializer(entry).data)


def _account(account: CreditAccount) -> Rendered:
    summary = credit_summary(account.customer_id, account)
    return account.customer_id, dict(CreditSummarySerializer(summary).data)


def _invoice(invoice: Invoice) -> Rendered:
    return invoice.customer_id, dict(InvoiceSerializer(invoice).data)


def _contract(contract: Contract) -> Rendered:
    return contract.customer_id, dict(ContractSerializer(contract).data)


def _incident(incident: Incident) -> Rendered:
    """An incident is public: about no customer (every subscribed endpoint receives it,
    `core.events.PUBLIC_EVENT_TYPES`), without the linked tickets."""
    return None, dict(IncidentSerializer(incident).data)


def _quote(quote: Quote) -> Rendered:
    return quote.customer_id, dict(QuoteSerializer(quote).data)


def register() -> None:
    for model, render in (
        (Ticket, _ticket),
        (SlaClock, _clock),
        (IntakeAttempt, _attempt),
        (LedgerEntry, _entry),
        (CreditAccount, _account),
        (Invoice, _invoice),
        (Contract, _contract),
        (Incident, _incident),
        (Quote, _quote),
    ):
        payload_renderer_register(model, render)
