"""Every write of a quote: draft, send, accept, reject.

- `quote_draft` checks every bound before writing (lines, amounts in the customer's
  currency, validity date, terms) and refuses with `InvalidInput` naming the field
  (`lines.<i>.<name>` for a line); tax is the customer's rate in force
  (`billing.tax.tax_rate_for`), each line rounded once like an invoice line
  (`billing.services.invoices.line_amounts`).
- `quote_send` numbers the quote in its own gapless series under the series row lock
  (billing's pattern: a rolled-back send rolls the bump back) and, on commit, mails its PDF
  to the customer's contacts (`quotes.tasks.send_quote`) and announces `quote.sent`.
- `quote_accept` / `quote_reject` lock the quote first (`quotes.locks`), so a quote is
  decided exactly once whoever clicks at the same time; an expired quote (its validity
  date past, in the customer's day) is refused, and so is a contact the customer has not
  authorised (`contact_decides_quotes`: those the quote's mail goes to decide it).
  Accepting a money quote issues its invoice (`billing.services.invoices`); a credit quote
  holds its credits on the ticket (`tickets.services.holds.ticket_hold_replace`), which the
  work is charged against, reopening the ticket first when it was resolved (as "quote
  issued"); a closed or abandoned ticket takes no quote. On commit the quote's author is
  mailed the decision (`quotes.tasks.send_quote_decided`).
- `quotes_expire` (the daily `expire_quotes` job) marks expired every sent quote whose
  validity date ended in its customer's day (`Quote.past_validity`, the one expiry rule);
  running it again marks nothing more.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _
from djmoney.money import Money

from background.queue import enqueue_on_commit
from billing.models import InvoiceLine
from billing.services.invoices import (
    invoice_add_line,
    invoice_create_draft,
    invoice_issue,
    line_amounts,
)
from billing.tax import tax_rate_for
from contracts.models import Contact
from core.amounts import (
    CREDITS_COLUMN,
    MONEY_COLUMN,
    MONEY_MAX,
    AmountTooLarge,
    is_plain_number,
    parse_decimal,
    parse_money,
)
from core.errors import InvalidInput, text_printable
from core.events import event_emit
from core.formatting import document_locale
from core.languages import language_code
from core.money import money_sum
from quotes import tasks
from quotes.exceptions import (
    QuoteAlreadyDecided,
    QuoteDeciderUnauthorized,
    QuoteExpired,
    QuoteNotDraft,
    QuoteNotSent,
    QuoteTicketClosed,
)
from quotes.locks import quote_lock, quote_series_lock
from quotes.models import (
    DESCRIPTION_LIMIT,
    LINES_LIMIT,
    TERMS_LIMIT,
    Quote,
    QuoteLine,
    QuoteSeries,
)
from quotes.selectors import quote_deciders
from tickets.locks import ticket_lock
from tickets.models import Ticket
from tickets.services.holds import ticket_hold_replace
from tickets.services.lifecycle import ticket_reopen

Status = Quote.Status
Kind = Quote.Kind
DEFAULT_SERIES = "PR"
# How far ahead a quote may be valid, and the most one line may ask for.
VALIDITY_MAX_DAYS = 365
QUANTITY_MAX = Decimal("100000")
REASON_LIMIT = 1000


def _refuse(field: str, message: Any) -> InvalidInput:
    return InvalidInput({field: [message]})


def _text(value: Any, *, field: str, limit: int, required: bool) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise _refuse(field, _("Escriba un texto."))
    if required and not text:
        raise _refuse(field, _("Este campo es obligatorio."))
    if len(text) > limit:
        raise _refuse(field, _("Es demasiado largo."))
    return text_printable(text, field=field)


def _number_written(value: Decimal) -> str:
    return format_decimal(
        value.normalize(), locale=document_locale(language_code()), decimal_quantization=False
    )


def _number(value: Decimal) -> Promise:
    """`value` as the reader's language writes it ("100.000,5" / "100,000.5"), every place
    kept. Lazy: a refusal is worded in the language it is read in (the page's, the API
    caller's), which is not known when it is raised."""
    return lazy(_number_written, str)(value)


def _too_large(message: Any) -> ValidationError:
    return ValidationError(message, params={"maximum": _number(MONEY_MAX)})


def _quantity(value: Any, *, field: str) -> Decimal:
    if value in (None, ""):
        return Decimal("1")
    if isinstance(value, bool | float):
        raise _refuse(field, _("Escriba una cantidad positiva."))
    if isinstance(value, str) and not is_plain_number(value):
        raise _refuse(field, _("Escriba una cantidad positiva."))
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _refuse(field, _("Escriba una cantidad positiva.")) from None
    if not number.is_finite() or number <= 0:
        raise _refuse(field, _("Escriba una cantidad positiva."))
    if number > QUANTITY_MAX:
        # Worded like every amount past its bound, introduced by the field ("Línea 1: cantidad").
        raise AmountTooLarge(
            field=field,
            value=_number(number),
            places=4,
            maximum=_number(QUANTITY_MAX),
        )
    if number != number.quantize(Decimal("0.0001")):
        raise _refuse(field, _("Use como máximo cuatro decimales."))
    return number


def _valid_until(value: Any, *, today: date) -> date:
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value.strip())
        except ValueError:
            raise _refuse("valid_until", _("Escriba una fecha (AAAA-MM-DD).")) from None
    if not isinstance(value, date):
        raise _refuse("valid_until", _("Escriba una fecha (AAAA-MM-DD)."))
    if value < today:
        raise _refuse("valid_until", _("La validez no puede terminar antes de hoy."))
    if value > today + timedelta(days=VALIDITY_MAX_DAYS):
        raise _refuse("valid_until", _("La validez puede ser como máximo de un año."))
    return value


def _lines(quote: Quote, kind: str, lines: Any, *, on: date) -> list[QuoteLine]:
    if not isinstance(lines, list | tuple) or not lines:
        raise _refuse("lines", _("Añada al menos una línea."))
    if len(lines) > LINES_LIMIT:
        raise _refuse("lines", _("Un presupuesto admite como máximo 50 líneas."))
    currency = quote.currency
    rate = tax_rate_for(customer=quote.customer, on=on) if kind == Kind.MONEY else Decimal("0")
    built = []
    for index, raw in enumerate(lines):
        if not isinstance(raw, dict):
            raise _refuse(f"lines.{index}", _("Cada línea lleva descripción e importe."))
        prefix = f"lines.{index}"
        description = _text(
            raw.get("description"),
            field=f"{prefix}.description",
            limit=DESCRIPTION_LIMIT,
            required=True,
        )
        line = QuoteLine(quote=quote, position=index + 1, description=description)
        line.currency = currency
        if kind == Kind.MONEY:
            quantity = _quantity(raw.get("quantity"), field=f"{prefix}.quantity")
            unit_price = parse_money(
                raw.get("unit_price"),
                field=f"{prefix}.unit_price",
                currency=currency,
                sign="positive",
                max_digits=MONEY_COLUMN["max_digits"] - 4,
            )
            amounts = line_amounts(quantity=quantity, unit_price=unit_price, tax_rate=rate)
            if not amounts.subtotal.amount:
                rounded_away = _("La línea suma cero al redondear: suba la cantidad o el precio.")
                raise _refuse(f"{prefix}.quantity", rounded_away)
            if amounts.total.amount > MONEY_MAX:
                # Shown after the line's name ("Línea 1: el total..."), as a field's refusal.
                too_large = _("el total de la línea con impuesto supera el máximo de %(maximum)s.")
                raise _refuse(prefix, _too_large(too_large))
            line.quantity, line.unit_price, line.tax_rate = quantity, unit_price, rate
            line.subtotal, line.tax, line.total = amounts.subtotal, amounts.tax, amounts.total
        else:
            line.credits = parse_decimal(
                raw.get("credits"),
                field=f"{prefix}.credits",
                sign="positive",
                max_digits=CREDITS_COLUMN["max_digits"] - 2,
            )
            zero = Money(Decimal("0"), currency)
            line.unit_price = line.subtotal = line.tax = line.total = zero
        built.append(line)
    return built


def quote_draft(
    *,
    ticket: Ticket,
    kind: str,
    lines: list[dict[str, Any]],
    valid_until: date | str,
    terms: str = "",
    by: AbstractBaseUser | None = None,
    language: str | None = None,
) -> Quote:
    """A draft quote on `ticket` with its lines and totals; nothing is written on a refusal.
    `language` (else the active one) is the author's: their decision mail is written in it."""
    if kind not in Kind.values:
        raise _refuse("kind", _("Elija dinero o créditos."))
    if ticket.status in Ticket.FINISHED_STATUSES:
        raise QuoteTicketClosed(ticket=ticket.number)
    customer = ticket.customer
    now = timezone.now()
    today = timezone.localtime(now, customer.time_zone_info).date()
    quote = Quote(
        ticket=ticket,
        customer=customer,
        kind=kind,
        currency=customer.currency,
        valid_until=_valid_until(valid_until, today=today),
        terms=_text(terms, field="terms", limit=TERMS_LIMIT, required=False),
        created_by=by,
        created_at=now,
        author_language=language_code(language),
    )
    built = _lines(quote, kind, lines, on=today)
    quote.subtotal = money_sum([line.subtotal for line in built], quote.currency)
    quote.tax = money_sum([line.tax for line in built], quote.currency)
    quote.total = money_sum([line.total for line in built], quote.currency)
    quote.credits = sum((line.credits for line in built), Decimal("0"))
    if quote.total.amount > MONEY_MAX:
        too_large = _("El total del presupuesto con impuesto supera el máximo de %(maximum)s.")
        raise _refuse("lines", _too_large(too_large))
    with transaction.atomic():
        quote.save(force_insert=True)
        for line in built:
            line.quote = quote
        QuoteLine.objects.bulk_create(built)
    return quote


def quote_send(quote: Quote, *, by: AbstractBaseUser | None = None) -> Quote:
    """Draft -> sent: numbered under the series lock; mailed with its PDF after commit."""
    with transaction.atomic():
        locked = quote_lock(quote.pk)
        if locked.status != Status.DRAFT:
            raise QuoteNotDraft(number=locked.display_number)
        if locked.ticket.status in Ticket.FINISHED_STATUSES:  # as `quote_draft` refuses it
            raise QuoteTicketClosed(ticket=locked.ticket.number)
        if locked.valid_until < locked.local_today():  # a draft whose date passed unsent
            raise QuoteExpired(number=locked.display_number or "—", valid_until=locked.valid_until)
        series = quote_series_lock(DEFAULT_SERIES)
        locked.series = series
        locked.number = series.next_number
        QuoteSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + 1)
        locked.status = Status.SENT
        locked.sent_at = timezone.now()
        locked.sent_by = by
        locked.save(update_fields=["series", "number", "status", "sent_at", "sent_by"])
        event_emit("quote.sent", locked)
        enqueue_on_commit(tasks.send_quote, locked.pk)
    return locked


def _decidable(locked: Quote) -> None:
    if locked.status in (Status.ACCEPTED, Status.REJECTED):
        raise QuoteAlreadyDecided(
            number=locked.display_number, decision=locked.get_status_display().lower()
        )
    if locked.is_expired:
        raise QuoteExpired(number=locked.display_number, valid_until=locked.valid_until)
    if locked.status != Status.SENT:
        raise QuoteNotSent()


def contact_decides_quotes(contact: Contact) -> bool:
    """Whether the contact accepts or rejects the customer's quotes: one of
    `quotes.selectors.quote_deciders`, the contacts a sent quote is mailed to."""
    return quote_deciders(customer_id=contact.customer_id).filter(pk=contact.pk).exists()


def _decider(quote: Quote, contact: Contact | None) -> Contact | None:
    if contact is not None and contact.customer_id != quote.customer_id:
        raise _refuse("contact", _("El contacto no es de este cliente."))
    if contact is not None and not contact_decides_quotes(contact):
        raise QuoteDeciderUnauthorized(
            field="contact", contact=contact.email, customer=quote.customer.legal_name
        )
    return contact


def _invoice_for(quote: Quote, by: AbstractBaseUser | None):
    """The accepted money quote's invoice: its lines as quoted (rate kept), issued now."""
    invoice = invoice_create_draft(customer=quote.customer, contract=quote.ticket.contract)
    for line in quote.lines.all():
        invoice_add_line(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description=f"{quote.display_number} · {line.description}"[:300],
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_rate=line.tax_rate,
        )
    return invoice_issue(invoice, by=by)


def quote_accept(
    quote: Quote,
    *,
    contact: Contact | None = None,
    by: AbstractBaseUser | None = None,
) -> Quote:
    """Sent and still valid -> accepted, once. A money quote becomes an issued invoice; a
    credit quote a hold of its credits on the ticket, reopened if it was resolved (refused,
    with nothing written, when the customer lacks them or may not reopen it)."""
    with transaction.atomic():
        locked = quote_lock(quote.pk)
        _decidable(locked)
        contact = _decider(locked, contact)
        if locked.kind == Kind.MONEY:
            locked.invoice = _invoice_for(locked, by)
        else:
            # Read under the ticket's lock (after the quote's, `quotes.locks`), so a resolution
            # that took it first is seen.
            locked.ticket = ticket_lock(locked.ticket_id)
            if locked.ticket.status in Ticket.FINISHED_STATUSES:
                raise QuoteTicketClosed(ticket=locked.ticket.number)
            if locked.ticket.status == Ticket.Status.RESOLVED:
                # Resolved as "quote issued": the accepted work reopens the request, as the
                # customer may (authorised, solvent), so its next resolution charges the
                # quote's hold; a hold on a resolved ticket would be charged or released never.
                locked.ticket = ticket_reopen(locked.ticket, by=by, reason=locked.display_number)
            locked.hold = ticket_hold_replace(
                locked.ticket,
                credits=locked.credits,
                reference_type="quotes.quote",
                reference_id=str(locked.pk),
            )
        locked.status = Status.ACCEPTED
        locked.decided_at = timezone.now()
        locked.decided_contact = contact
        locked.decided_by = by
        locked.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_contact",
                "decided_by",
                "invoice",
                "hold",
            ]
        )
        event_emit("quote.accepted", locked)
        enqueue_on_commit(tasks.send_quote_decided, locked.pk)
    return locked


def quote_reject(
    quote: Quote,
    *,
    contact: Contact | None = None,
    by: AbstractBaseUser | None = None,
    reason: str = "",
) -> Quote:
    """Sent -> rejected, once; the reason is optional. An expired quote is refused too (it
    lapsed by itself: nothing to decide)."""
    reason = _text(reason, field="reason", limit=REASON_LIMIT, required=False)
    with transaction.atomic():
        locked = quote_lock(quote.pk)
        _decidable(locked)
        locked.decided_contact = _decider(locked, contact)
        locked.status = Status.REJECTED
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.decision_reason = reason
        locked.save(
            update_fields=[
                "status",
                "decided_at",
                "decided_contact",
                "decided_by",
                "decision_reason",
            ]
        )
        event_emit("quote.rejected", locked)
        enqueue_on_commit(tasks.send_quote_decided, locked.pk)
    return locked


def quotes_expire(*, now: datetime | None = None) -> int:
    """Mark expired each sent quote past its validity date in its customer's day; the number
    marked now. One quote per transaction, under its lock: a decision that got the lock
    first stands, and a second run finds nothing left to mark."""
    now = now or timezone.now()
    # No customer's day is ahead of UTC's by more than one: later dates cannot have ended.
    horizon = now.astimezone(UTC).date() + timedelta(days=1)
    candidates = list(
        Quote.objects.filter(status=Status.SENT, valid_until__lt=horizon)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    expired = 0
    for pk in candidates:
        with transaction.atomic():
            locked = quote_lock(pk)
            if not locked.past_validity(now):
                continue
            locked.status = Status.EXPIRED
            locked.expired_at = now
            locked.save(update_fields=["status", "expired_at"])
            expired += 1
    return expired
