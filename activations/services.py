"""Activation tracking (seed 004): the catalogue's lead times, purchases, their checklist,
the clock and the monitor. Every write of the app is here.

- `product_save`: a catalogue row (`sla.ActivationLeadTime`) within bounds, named by field.
- `activation_purchase`: an invoice for a catalogue product (issued here, or an existing one
  of the customer's) becomes an activation with its checklist; the lead time is copied.
- `activations_payment_credited`: the invoice was paid (task after `invoice.paid`): ticks
  "pago acreditado" at the invoice's `paid_at`, once, however often it is replayed.
- `activation_step_meet`: staff tick another prerequisite (domain delegated, texts confirmed).
- The clock starts when the last step is met, at that step's time (`_start_if_ready`): an
  instant product is due `minutes_max` later, a manual one when the `business_days`-th
  business day of its calendar closes (`sla.business_days.end_of_business_days`); the
  warning comes at `WARNING_PERCENT` of that span, like an SLA clock's.
- `activation_complete`: staff record the product active; on time when not after `due_at`.
- `activation_cancel`: staff cancel an activation not active yet, with a reason; once.
- `activations_invoice_withdrawn`: the purchase invoice was voided or credited in full (task
  after `invoice.voided` / `invoice.credited`): its open activations are cancelled, once.
- `activations_monitor_run`: marks warnings and lateness once per activation (set-based).

Each activation write locks the activation row (`activations.locks`) and decides under it.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from djmoney.money import Money

from activations import tasks
from activations.exceptions import (
    ActivationClosed,
    ActivationNotStarted,
    CancelReasonRequired,
    InvoiceNotForActivation,
    ProductWithoutCalendar,
    StepIsPayment,
)
from activations.locks import activation_lock
from activations.models import CANCEL_REASON_LIMIT, NOTE_LIMIT, Activation, ActivationStep
from background.queue import enqueue_on_commit
from billing.locks import invoice_lock
from billing.models import Invoice, InvoiceLine
from billing.selectors import invoice_credited_in_full
from billing.services.invoices import invoice_add_line, invoice_create_draft, invoice_issue
from contracts.models import Customer
from core.amounts import PRICE_DIGITS, parse_money
from core.errors import InvalidInput, choice_labels, text_at_most, text_printable
from core.instants import instant_check
from sla.business_days import end_of_business_days
from sla.calendars import ALWAYS_OPEN, Calendar, to_us
from sla.models import ActivationLeadTime, BusinessCalendar
from sla.selectors import calendar_current_version, calendar_value
from tickets.models import Ticket

Kind = Activation.Kind
Status = Activation.Status
Cause = Activation.CancelCause

WARNING_PERCENT = 80
MINUTES_LIMIT = 7 * 24 * 60  # an "instant" product promised within a week at most
BUSINESS_DAYS_LIMIT = 250  # about a working year
PAYMENT_LABEL = "pago acreditado"
PRESET = "workspace"  # catalogue rows added from the workspace
OPEN_STATUSES = (Status.WAITING, Status.RUNNING)


# --- the catalogue ----------------------------------------------------------------------------


def activation_kind(product: ActivationLeadTime) -> str:
    """Instant when the catalogue promises minutes after payment, else business days."""
    return Kind.INSTANT if product.minutes_max is not None else Kind.BUSINESS_DAYS


def _required() -> ValidationError:
    return ValidationError(_("Este campo es obligatorio."), code="required")


def _bounded(value: int | None, name: str, low: int, high: int, errors: dict) -> None:
    if value is None:
        errors.setdefault(name, []).append(_required())
    elif not low <= value <= high:
        errors.setdefault(name, []).append(
            ValidationError(
                gettext_lazy("Entre %(low)s y %(high)s.") % {"low": low, "high": high},
                code="out_of_range",
            )
        )


def product_check(
    *,
    name: str,
    kind: str,
    minutes_max: int | None = None,
    business_days_min: int | None = None,
    business_days_max: int | None = None,
    calendar: BusinessCalendar | None = None,
    prerequisite: str = "",
    note: str = "",
) -> None:
    """The catalogue's bounds (see `product_save`), for the admin's form to ask first."""
    # The name is printed on the purchase's invoice: no control character in any text.
    for field, text in (("name", name), ("prerequisite", prerequisite), ("note", note)):
        text_printable(text or "", field=field)
    errors: dict[str, list] = {}
    if not (name or "").strip():
        errors["name"] = [_required()]
    if kind == Kind.INSTANT:
        _bounded(minutes_max, "minutes_max", 1, MINUTES_LIMIT, errors)
    elif kind == Kind.BUSINESS_DAYS:
        _bounded(business_days_max, "business_days_max", 1, BUSINESS_DAYS_LIMIT, errors)
        if business_days_min is not None:
            _bounded(business_days_min, "business_days_min", 1, BUSINESS_DAYS_LIMIT, errors)
            if business_days_max is not None and business_days_min > business_days_max:
                errors.setdefault("business_days_min", []).append(
                    ValidationError(
                        _("No puede superar los días hábiles como máximo."), code="range"
                    )
                )
        if calendar is None:
            errors["calendar"] = [_required()]
    else:
        errors["kind"] = [
            ValidationError(_("Elija instantánea o en días hábiles."), code="invalid")
        ]
    if errors:
        raise InvalidInput(errors)


def product_save(
    *,
    product: ActivationLeadTime | None = None,
    name: str,
    kind: str,
    minutes_max: int | None = None,
    business_days_min: int | None = None,
    business_days_max: int | None = None,
    calendar: BusinessCalendar | None = None,
    prerequisite: str = "",
    note: str = "",
    preset: str = PRESET,
) -> ActivationLeadTime:
    """Add or edit a catalogue row. Instant: minutes (1 to a week), no days, no calendar;
    business days: 1 to 250 days (min <= max) on a calendar. Nothing is written on a refusal;
    activations already bought keep the lead time they were sold with."""
    product_check(
        name=name,
        kind=kind,
        minutes_max=minutes_max,
        business_days_min=business_days_min,
        business_days_max=business_days_max,
        calendar=calendar,
        prerequisite=prerequisite,
        note=note,
    )
    name = name.strip()
    if kind == Kind.INSTANT:
        business_days_min = business_days_max = None
        calendar = None
    else:
        minutes_max = None
    row = product or ActivationLeadTime(preset=preset or PRESET)
    row.product = name
    row.minutes_max = minutes_max
    row.business_days_min = business_days_min
    row.business_days_max = business_days_max
    row.calendar = calendar
    row.prerequisite = (prerequisite or "").strip()
    row.note = (note or "").strip()
    try:
        row.full_clean()
    except ValidationError as error:
        fields = dict(error.error_dict) if hasattr(error, "error_dict") else {}
        if "product" in fields:
            fields["name"] = fields.pop("product")
        if "__all__" in fields:  # the (preset, product) pair is taken
            fields["name"] = fields.pop("__all__")
        raise InvalidInput(fields or {"name": error.messages}) from error
    row.save()
    return row


# --- due time ---------------------------------------------------------------------------------


def activation_due(
    *,
    kind: str,
    start: datetime,
    minutes_max: int | None,
    business_days: int | None,
    calendar: Calendar,
) -> tuple[datetime, datetime]:
    """(warn_at, due_at) of a clock started at `start`: instant products count wall-clock
    minutes, manual ones whole business days of `calendar` (the close of the last one)."""
    to_us(start, "start")
    if kind == Kind.INSTANT:
        due = start + timedelta(minutes=minutes_max or 0)
    else:
        due = end_of_business_days(start, business_days or 0, calendar)
    warn = start + (due - start) * WARNING_PERCENT / 100
    return warn, due


def _calendar_of(activation: Activation) -> Calendar:
    if activation.calendar_version_id is None:
        return ALWAYS_OPEN
    return calendar_value(activation.calendar_version)


def _start_if_ready(activation: Activation) -> bool:
    """Start the locked activation's clock if every step is met, at the last step's time."""
    if activation.status != Status.WAITING:
        return False
    met = [step.met_at for step in activation.steps.all()]
    if not met or any(at is None for at in met):
        return False
    start = max(at for at in met if at is not None)
    warn, due = activation_due(
        kind=activation.kind,
        start=start,
        minutes_max=activation.minutes_max,
        business_days=activation.business_days,
        calendar=_calendar_of(activation),
    )
    activation.status = Status.RUNNING
    activation.started_at, activation.warn_at, activation.due_at = start, warn, due
    activation.save(update_fields=["status", "started_at", "warn_at", "due_at"])
    return True


# --- purchase ---------------------------------------------------------------------------------


def _is_payment(label: str) -> bool:
    return label.strip().casefold() in {PAYMENT_LABEL, "pago", "payment credited"}


def _ticket_of(customer: Customer, number: str) -> Ticket | None:
    number = (number or "").strip()
    if not number:
        return None
    ticket = Ticket.objects.filter(number=number, customer=customer).first()
    if ticket is None:
        unknown = gettext_lazy("No hay una solicitud de este cliente con ese número.")
        raise InvalidInput({"ticket": [ValidationError(unknown, code="invalid")]})
    return ticket


def _usable_invoice(invoice: Invoice, customer: Customer) -> Invoice:
    if (
        invoice.customer_id != customer.pk
        or invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PAID)
        or invoice_credited_in_full(invoice)  # the sale was undone
    ):
        raise InvoiceNotForActivation(field="invoice")
    return invoice


def activation_purchase(
    *,
    customer: Customer,
    product: ActivationLeadTime,
    unit_price: Money | None = None,
    invoice: Invoice | None = None,
    ticket_number: str = "",
    by: User | None = None,
    submission_key: UUID | None = None,
) -> Activation:
    """A purchase: without `invoice`, one is issued for the product at `unit_price` (with the
    customer's tax); with one (an issued or paid invoice of the customer's, e.g. an accepted
    quote's), it is linked. `ticket_number` names the customer's request where texts are
    confirmed (another customer's reads like a number of nobody's). The checklist is "pago
    acreditado" then the product's own prerequisite; a paid invoice ticks the payment at its
    `paid_at` at once. With the purchase form's `submission_key`, a second submit of the same
    form returns the purchase the first registered: no second activation nor invoice."""
    if (earlier := _submitted(customer, submission_key)) is not None:
        return earlier
    try:
        return _purchase(
            customer=customer,
            product=product,
            unit_price=unit_price,
            invoice=invoice,
            ticket_number=ticket_number,
            by=by,
            submission_key=submission_key,
        )
    except IntegrityError:
        # a twin submit registered it meanwhile (the key's unique index): that purchase
        if (earlier := _submitted(customer, submission_key)) is None:
            raise
        return earlier


def _submitted(customer: Customer, submission_key: UUID | None) -> Activation | None:
    if submission_key is None:
        return None
    return Activation.objects.filter(customer=customer, submission_key=submission_key).first()


def _purchase(
    *,
    customer: Customer,
    product: ActivationLeadTime,
    unit_price: Money | None,
    invoice: Invoice | None,
    ticket_number: str,
    by: User | None,
    submission_key: UUID | None,
) -> Activation:
    ticket = _ticket_of(customer, ticket_number)
    kind = activation_kind(product)
    # A calendar never published has no hours yet: its days are not counted as 24x7 ones.
    version = calendar_current_version(product.calendar) if product.calendar_id else None
    if kind == Kind.BUSINESS_DAYS and version is None:
        raise ProductWithoutCalendar(field="product", product=product.product)
    if invoice is not None and unit_price is not None:  # never a price silently ignored
        both = gettext_lazy("Indique un precio o una factura ya emitida, no los dos.")
        raise InvalidInput({"unit_price": [ValidationError(both, code="invalid")]})
    if invoice is None:
        if unit_price is None:
            raise InvalidInput({"unit_price": [_required()]})
        price = parse_money(
            unit_price,
            field="unit_price",
            currency=customer.currency,
            sign="positive",
            max_digits=PRICE_DIGITS,
        )
    with transaction.atomic():
        if invoice is None:
            draft = invoice_create_draft(customer=customer)
            invoice_add_line(
                invoice=draft,
                kind=InvoiceLine.Kind.OTHER,
                description=_("Activación: %(product)s") % {"product": product.product},
                quantity=Decimal("1"),
                unit_price=price,
            )
            invoice = invoice_issue(draft, by=by)
        else:
            # Locked: a payment landing now either commits first (the invoice reads paid
            # below) or waits for this activation, whose payment task then finds it.
            invoice = _usable_invoice(invoice_lock(invoice.pk), customer)
        activation = Activation.objects.create(
            customer=customer,
            product=product,
            product_name=product.product,
            kind=kind,
            minutes_max=product.minutes_max,
            business_days=product.business_days_max,
            calendar_version=version,
            invoice=invoice,
            ticket=ticket,
            created_by=by,
            submission_key=submission_key,
        )
        steps = [
            ActivationStep(activation=activation, position=1, kind="payment", label=PAYMENT_LABEL)
        ]
        if product.prerequisite and not _is_payment(product.prerequisite):
            steps.append(
                ActivationStep(
                    activation=activation, position=2, kind="other", label=product.prerequisite
                )
            )
        ActivationStep.objects.bulk_create(steps)
        if invoice.status == Invoice.Status.PAID:
            _credit_payment(activation.pk, invoice.paid_at or timezone.now())
    activation.refresh_from_db()
    return activation


# --- the checklist ----------------------------------------------------------------------------


def _moment(at: datetime | None) -> datetime:
    """When staff say something happened: `at`, else now; aware, within the accepted years
    (`core.instants`) and never in the future. A refusal names the field `at`."""
    now = timezone.now()
    at = at or now
    to_us(at, "at")
    try:
        instant_check(at)
    except ValidationError as error:
        raise InvalidInput({"at": [error]}) from None
    if at > now:
        raise InvalidInput({"at": [ValidationError(_("No puede ser posterior a ahora."))]})
    return at


def _credit_payment(activation_id: int, paid_at: datetime) -> bool:
    locked = activation_lock(activation_id)
    if locked.status not in OPEN_STATUSES:
        return False
    ticked = ActivationStep.objects.filter(
        activation=locked, kind=ActivationStep.Kind.PAYMENT, met_at__isnull=True
    ).update(met_at=paid_at)
    _start_if_ready(locked)
    return bool(ticked)


def activations_payment_credited(*, invoice_id: int) -> int:
    """The invoice was paid: tick "pago acreditado" on its open activations at its `paid_at`
    and start the clocks now complete. Idempotent: a replayed payment ticks nothing twice and
    never moves a clock. Returns how many steps it ticked."""
    paid_at = (
        Invoice.objects.filter(pk=invoice_id, status=Invoice.Status.PAID)
        .values_list("paid_at", flat=True)
        .first()
    )
    if paid_at is None:
        return 0
    ticked = 0
    ids = Activation.objects.filter(invoice_id=invoice_id, status__in=OPEN_STATUSES)
    for activation_id in ids.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            ticked += _credit_payment(activation_id, paid_at)
    return ticked


def activation_step_meet(
    *, step: ActivationStep, by: User | None, at: datetime | None = None, note: str = ""
) -> Activation:
    """Staff tick a prerequisite (not the payment: the invoice does). Met once: ticking it
    again changes nothing. `at` (when it was met, not in the future) defaults to now; the
    note has at most `NOTE_LIMIT` characters (refused, never cut)."""
    at = _moment(at)
    note = text_at_most((note or "").strip(), field="note", limit=NOTE_LIMIT)
    with transaction.atomic():
        locked = activation_lock(step.activation_id)
        if locked.status not in OPEN_STATUSES:
            raise ActivationClosed(
                field="step",
                product=locked.product_name,
                status=choice_labels(locked.status, Status),
            )
        row = ActivationStep.objects.get(pk=step.pk, activation=locked)
        if row.kind == ActivationStep.Kind.PAYMENT:
            raise StepIsPayment(
                field="step", invoice=locked.invoice.display_number if locked.invoice else "-"
            )
        if row.met_at is None:
            row.met_at, row.met_by, row.note = at, by, note
            row.save(update_fields=["met_at", "met_by", "note"])
            _start_if_ready(locked)
    locked.refresh_from_db()
    return locked


def activation_complete(
    *, activation: Activation, by: User | None, at: datetime | None = None
) -> Activation:
    """Staff record the product active (only once its clock runs); on time iff at <= due.
    `at` (when it became active, not in the future) defaults to now."""
    at = _moment(at)
    with transaction.atomic():
        locked = activation_lock(activation.pk)
        if locked.status == Status.WAITING:
            raise ActivationNotStarted(field="activation", product=locked.product_name)
        if locked.status != Status.RUNNING:
            raise ActivationClosed(
                field="activation",
                product=locked.product_name,
                status=choice_labels(locked.status, Status),
            )
        locked.status = Status.ACTIVE
        locked.activated_at = max(at, locked.started_at or at)
        locked.save(update_fields=["status", "activated_at"])
    return locked


# --- cancellation -----------------------------------------------------------------------------


def _cancel_locked(
    locked: Activation, *, cause: str, reason: str = "", by: User | None = None
) -> None:
    locked.status = Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by, locked.cancel_cause, locked.cancel_reason = by, cause, reason
    locked.save(
        update_fields=["status", "cancelled_at", "cancelled_by", "cancel_cause", "cancel_reason"]
    )


def activation_cancel(*, activation: Activation, reason: str, by: User | None) -> Activation:
    """Staff cancel an activation that is not active yet (waiting or running: the customer
    gave up the product, the sale was undone). The reason is required, at most
    `CANCEL_REASON_LIMIT` characters (refused, never cut). Idempotent: cancelling a cancelled
    activation changes nothing, whoever asks and with whatever reason. Locks the activation;
    its clock stops counting (the monitor reads running ones only) and a payment landing later
    ticks nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise CancelReasonRequired(field="reason")
    reason = text_at_most(reason, field="reason", limit=CANCEL_REASON_LIMIT)
    with transaction.atomic():
        locked = activation_lock(activation.pk)
        if locked.status == Status.CANCELLED:
            return locked
        if locked.status not in OPEN_STATUSES:
            raise ActivationClosed(
                field="activation",
                product=locked.product_name,
                status=choice_labels(locked.status, Status),
            )
        _cancel_locked(locked, cause=Cause.STAFF, reason=reason, by=by)
    return locked


def activations_invoice_withdrawn(*, invoice_id: int) -> int:
    """The purchase invoice was voided or credited in full (task after `invoice.voided` or
    `invoice.credited`): cancel its open activations, each under its lock. Idempotent, and
    nothing for a partial credit note. Returns how many it cancelled."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return 0
    if invoice.status == Invoice.Status.VOID:
        cause = Cause.INVOICE_VOID
    elif invoice_credited_in_full(invoice):
        cause = Cause.INVOICE_CREDITED
    else:
        return 0
    cancelled = 0
    ids = Activation.objects.filter(invoice_id=invoice_id, status__in=OPEN_STATUSES)
    for activation_id in ids.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = activation_lock(activation_id)
            if locked.status in OPEN_STATUSES:
                _cancel_locked(locked, cause=cause)
                cancelled += 1
    return cancelled


# --- the monitor ------------------------------------------------------------------------------


@transaction.atomic
def activations_monitor_run(*, now: datetime) -> tuple[int, int]:
    """Mark running activations past their warning, then past their due time, once each
    (the UPDATE takes only unmarked rows: a second or concurrent run marks nothing again),
    and mail the staff after commit, once per activation and kind. Returns (warned, late)."""
    to_us(now, "now")
    running = Activation.objects.filter(status=Status.RUNNING)
    due_warning = running.filter(warn_at__lte=now, due_at__gt=now, warned_at__isnull=True)
    due_late = running.filter(due_at__lte=now, late_at__isnull=True)
    warn_ids = list(due_warning.values_list("pk", flat=True))
    late_ids = list(due_late.values_list("pk", flat=True))
    warned = due_warning.filter(pk__in=warn_ids).update(warned_at=now)
    late = due_late.filter(pk__in=late_ids).update(late_at=F("due_at"))
    for activation_id in warn_ids if warned else ():
        enqueue_on_commit(tasks.send_activation_alert, activation_id, late=False)
    for activation_id in late_ids if late else ():
        enqueue_on_commit(tasks.send_activation_alert, activation_id, late=True)
    return warned, late
