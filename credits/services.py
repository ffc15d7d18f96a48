"""Every change of credits. Views, admin, tickets and billing call these and nothing else.

Each function validates its input first (nothing is written on bad input), then makes one
ledger write through `credits.ledger` (one statement on PostgreSQL; see that module for
the hash chain and the lock order), and refreshes the `account` object it was given from
what the database returned. All of them may run inside a caller's transaction.

On an account that tracks credit blocks (its credits may expire), or that begins to with
this write, the write goes through `credits.blocks` instead: in one transaction under the
account's lock it lapses what expired, moves blocks in the draw order and appends.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from djmoney.money import Money

from contracts.models import Contract, Customer
from core.amounts import CreditsInput, InvalidAmount, Sign, parse_decimal, parse_money
from core.errors import InvalidInput, ReasonRequired, text_at_most, text_printable
from core.events import event_emit
from credits import blocks, ledger
from credits.blocks import BlockSpec
from credits.exceptions import (
    AlreadyReversed,
    ExpiryWithoutZone,
    HoldAccountMismatch,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientCredits,
    NotReversible,
    StaffOnly,
)
from credits.models import REASON_LIMIT, BlockKind, CreditAccount, CreditHold, LedgerEntry
from credits.rules import CreditRule, Explanation
from credits.signals import available_credits_announce

Kind = LedgerEntry.Kind
# Ledger writes that integrators hear of (core.events); the others are internal moves.
ANNOUNCED: dict[str, str] = {
    Kind.TOP_UP: "credits.topped_up",
    Kind.CHARGE: "credits.charged",
    Kind.NO_SHOW: "credits.charged",
}


def credit_account_get_or_create(*, customer: Customer) -> CreditAccount:
    """The customer's account, created empty on first use (a unique row per customer)."""
    account = CreditAccount.objects.filter(customer=customer).first()
    if account is not None:
        return account
    with transaction.atomic():
        account, _created = CreditAccount.objects.get_or_create(customer=customer)
    return account


# Input checks. They run before any write and name the field they refuse.

CREDIT_DIGITS = LedgerEntry._meta.get_field("credits").max_digits


def _credits(value: object, *, field: str = "credits", sign: Sign = "positive") -> Decimal:
    return parse_decimal(value, field=field, sign=sign, max_digits=CREDIT_DIGITS)


def _reason(reason: Any, *, required: bool) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if required and not text:
        raise ReasonRequired()
    return text_at_most(text, field="reason", limit=REASON_LIMIT)


# A person's reason, as written, or one Creditdesk writes itself, in both languages.
Reason = str | Explanation


def _reasons(reason: Reason) -> tuple[str, str]:
    """An entry's `reason` and `reason_en`."""
    if isinstance(reason, Explanation):
        return reason.es.strip(), reason.en.strip()
    return _reason(reason, required=False), ""


def _text(value: Any, *, field: str, max_length: int) -> str:
    text = "" if value is None else str(value).strip()
    try:
        MaxLengthValidator(max_length)(text)
    except ValidationError as error:
        raise InvalidInput({field: [error]}) from None
    return text_printable(text, field=field)


def _key(value: str | None) -> str | None:
    if value is None:
        return None
    key = _text(value, field="idempotency_key", max_length=100)
    if not key:
        blank = models.Field.default_error_messages["blank"]
        raise InvalidInput({"idempotency_key": [ValidationError(blank, code="blank")]})
    return key


def _money(amount: object, *, account: CreditAccount) -> Money | None:
    if amount is None:
        return None
    if not isinstance(amount, Money):
        raise InvalidAmount(field="amount", value=amount)
    return parse_money(
        amount,
        field="amount",
        currency=account.customer.currency,
        sign="positive",
        max_digits=LedgerEntry._meta.get_field("amount").max_digits,
    )


def _expiry(expires_at: object) -> datetime | None:
    """An aware instant, or None (never expires)."""
    if expires_at is None:
        return None
    if not isinstance(expires_at, datetime) or timezone.is_naive(expires_at):
        raise ExpiryWithoutZone(value=expires_at)
    return expires_at


def _user_id(by: User | None) -> int | None:
    return None if by is None else by.pk


# The one path every entry takes.


def _append(
    account: CreditAccount,
    *,
    kind: str,
    credits: Decimal,
    needs_available: bool = False,
    hold: CreditHold | None = None,
    reverses: LedgerEntry | None = None,
    amount: Money | None = None,
    reference_type: Any = "",
    reference_id: Any = "",
    by: User | None = None,
    reason: str = "",
    reason_en: str = "",
    idempotency_key: str | None = None,
    spec: BlockSpec | None = None,
) -> LedgerEntry:
    new = ledger.NewEntry(
        account_id=account.pk,
        kind=kind,
        credits=credits,
        created_at=timezone.now(),
        amount=amount,
        hold_id=None if hold is None else hold.pk,
        reverses_id=None if reverses is None else reverses.pk,
        reference_type=_text(reference_type, field="reference_type", max_length=40),
        reference_id=_text(reference_id, field="reference_id", max_length=64),
        created_by_id=_user_id(by),
        reason=reason,
        reason_en=reason_en,
        idempotency_key=_key(idempotency_key),
        needs_available=needs_available,
    )
    if new.idempotency_key is not None:
        existing = _replayed(new)
        if existing is not None:
            return existing
    try:
        entry = _write(account, new, spec or BlockSpec())
    except IntegrityError:
        # A concurrent twin won the unique key (idempotency key, or the reversed entry).
        if (
            new.reverses_id is not None
            and LedgerEntry.objects.filter(reverses_id=new.reverses_id).exists()
        ):
            raise AlreadyReversed(entry=new.reverses_id) from None
        existing = _replayed(new) if new.idempotency_key is not None else None
        if existing is None:
            raise
        return existing
    if kind in ANNOUNCED:
        event_emit(ANNOUNCED[kind], entry)  # a replay returned above: announced once
    available_credits_announce(account.customer_id)
    return entry


def _replayed(new: ledger.NewEntry) -> LedgerEntry | None:
    """The entry already written under this idempotency key, if it is the same request."""
    existing = LedgerEntry.objects.filter(
        account_id=new.account_id, idempotency_key=new.idempotency_key
    ).first()
    if existing is None:
        return None
    if existing.kind != new.kind or existing.credits != new.credits:
        raise IdempotencyConflict(key=existing.idempotency_key or "")
    return existing


def _write(account: CreditAccount, new: ledger.NewEntry, spec: BlockSpec) -> LedgerEntry:
    """The one-statement write while the account tracks no blocks (the statement checks it
    does not); on one that does, or with credits that expire, the blocks' write."""
    if not account.tracks_blocks and spec.expires_at is None:
        written = ledger.append_entry(new)
        if written is not None:
            entry, state = written
            state.apply_to(account)
            return entry
        current = CreditAccount.objects.get(pk=new.account_id)  # DoesNotExist: no account
        if not current.tracks_blocks:
            raise ledger.refusal(new, account=current)
    return blocks.blocks_append(account=account, new=new, spec=spec)


# Credits in.


def credits_top_up(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    amount: Money | None = None,
    idempotency_key: str | None = None,
    reference_type: str = "",
    reference_id: str = "",
    by: User | None = None,
    expires_at: datetime | None = None,
) -> LedgerEntry:
    """Paid credits land once: with an idempotency key a repeat returns the first entry.
    `amount` (what was paid) must be in the customer's currency. They form a block valid
    until `expires_at` (`credits.blocks.purchase_expiry`; None: they never expire)."""
    credits = _credits(credits)
    money = _money(amount, account=account)
    return _append(
        account,
        kind=Kind.TOP_UP,
        credits=credits,
        amount=money,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
        by=by,
        spec=BlockSpec(kind=BlockKind.PURCHASE, expires_at=_expiry(expires_at)),
    )


def credits_grant(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    reason: str = "",
    by: User | None = None,
    idempotency_key: str | None = None,
    reference_type: str = "",
    reference_id: str = "",
    expires_at: datetime | None = None,
) -> LedgerEntry:
    """Free credits (a courtesy, a promotion, an SLA penalty paid in credits), a block valid
    until `expires_at` (`credits.blocks.grant_expiry`; None: they never expire)."""
    return _append(
        account,
        kind=Kind.GRANT,
        credits=_credits(credits),
        reason=_reason(reason, required=False),
        by=by,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
        spec=BlockSpec(kind=BlockKind.GRANT, expires_at=_expiry(expires_at)),
    )


def credits_grant_included(*, contract: Contract, month: date) -> LedgerEntry | None:
    """The plan's included credits of the customer's `month` (any day of it): a block drawn
    before any other, lapsing when the month ends; once per contract and month (its
    idempotency key). None when the plan includes no credits or `month` is not the
    customer's month now."""
    terms = blocks.plan_terms(contract.plan)
    if terms is None or not terms.monthly_credits:
        return None
    zone = contract.customer.time_zone_info
    ends, now = blocks.next_month_start(month, zone=zone), timezone.now()
    if not blocks.month_start(month, zone=zone) <= now < ends:
        return None
    account = credit_account_get_or_create(customer=contract.customer)
    return _append(
        account,
        kind=Kind.GRANT,
        credits=terms.monthly_credits,  # positive by the terms' check constraint
        reason=f"Créditos incluidos del plan {contract.plan.name}, {month:%Y-%m}",
        reason_en=f"Credits included in plan {contract.plan.name}, {month:%Y-%m}",
        idempotency_key=f"included:{contract.pk}:{month:%Y-%m}",
        reference_type="contracts.contract",
        reference_id=str(contract.pk),
        spec=BlockSpec(kind=BlockKind.ALLOWANCE, expires_at=ends),
    )


def credits_refund(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    reason: str = "",
    by: User | None = None,
    idempotency_key: str | None = None,
    reference_type: str = "",
    reference_id: str = "",
) -> LedgerEntry:
    """Credits given back for work that should not have been billed (e.g. a ticket), in a
    block that never expires."""
    return _append(
        account,
        kind=Kind.REFUND,
        credits=_credits(credits),
        reason=_reason(reason, required=False),
        by=by,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
        spec=BlockSpec(kind=BlockKind.REFUND),
    )


# Credits out.


def credits_place_hold(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    min_available_credits: CreditsInput | None = None,
    reference_type: str = "",
    reference_id: str = "",
    locked: bool = False,
) -> CreditHold:
    """Reserve credits for an open request, only while available >= max(credits,
    min_available_credits); decided in the write, so concurrent holds never overdraw.
    `locked`: the caller read `account` under `credits.locks` in the current transaction
    (intake's solvency check), so the hold needs no second read of it."""
    credits = _credits(credits)
    needed = credits
    if min_available_credits is not None:
        minimum = _credits(
            min_available_credits, field="min_available_credits", sign="non_negative"
        )
        needed = max(credits, minimum)
    reference_type = _text(reference_type, field="reference_type", max_length=40)
    reference_id = _text(reference_id, field="reference_id", max_length=64)
    created_at = timezone.now()
    if not account.tracks_blocks:
        placed = ledger.place_hold(
            account_id=account.pk,
            credits=credits,
            needed=needed,
            reference_type=reference_type,
            reference_id=reference_id,
            created_at=created_at,
            locked=account if locked else None,
        )
        if placed is not None:
            hold, state = placed
            state.apply_to(account)
            available_credits_announce(account.customer_id)
            return hold
        current = CreditAccount.objects.get(pk=account.pk)
        if not current.tracks_blocks:
            raise InsufficientCredits(available=current.available, required=needed)
    # The hold reserves credits of blocks in the draw order (`credits.blocks`).
    hold = blocks.blocks_place_hold(
        account=account,
        credits=credits,
        needed=needed,
        reference_type=reference_type,
        reference_id=reference_id,
        created_at=created_at,
    )
    available_credits_announce(account.customer_id)
    return hold


def credits_release_hold(*, hold: CreditHold, account: CreditAccount | None = None) -> CreditHold:
    """Give a hold's credits back to the available balance; no ledger entry (the balance
    did not change). Refuses a hold already released or charged."""
    closed_at = timezone.now()
    state = ledger.release_hold(hold_id=hold.pk, closed_at=closed_at)
    if state is None:
        raise HoldNotActive(hold=hold.pk)
    hold.status, hold.closed_at = CreditHold.Status.RELEASED, closed_at
    if account is not None and account.pk == hold.account_id:
        state.apply_to(account)
    available_credits_announce(
        account.customer_id if account is not None else hold.account.customer_id
    )
    return hold


def credits_charge(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    hold: CreditHold | None = None,
    reason: Reason = "",
    by: User | None = None,
    idempotency_key: str | None = None,
    reference_type: str = "",
    reference_id: str = "",
) -> LedgerEntry:
    """Charge work already done, converting `hold` (if given) in the same write. The charge
    may exceed the hold and take the balance below zero: the work was delivered.
    `reason` carries the billing explanation."""
    credits = _credits(credits)
    if hold is not None and hold.account_id != account.pk:
        raise HoldAccountMismatch(hold=hold.pk)
    reason, reason_en = _reasons(reason)
    entry = _append(
        account,
        kind=Kind.CHARGE,
        credits=-credits,
        hold=hold,
        reason=reason,
        reason_en=reason_en,
        by=by,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
    )
    if hold is not None:
        hold.status, hold.closed_at = CreditHold.Status.CONVERTED, entry.created_at
    return entry


def credits_charge_no_show(
    *,
    account: CreditAccount,
    rule: CreditRule,
    reason: Reason = "",
    by: User | None = None,
    idempotency_key: str | None = None,
    reference_type: str = "",
    reference_id: str = "",
) -> LedgerEntry:
    """A customer absent from a scheduled session pays the rule's minimum billable (seed
    003); like any charge for committed work it may take the balance below zero."""
    reason, reason_en = _reasons(reason)
    return _append(
        account,
        kind=Kind.NO_SHOW,
        credits=-_credits(rule.min_billable_credits, field="min_billable_credits"),
        reason=reason,
        reason_en=reason_en,
        by=by,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
    )


def credits_expire(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    reason: str = "",
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Credits that lapse by hand; never more than are available (held credits do not
    expire). On an account that tracks blocks they are taken in the draw order; blocks lapse
    by themselves (`credits_lapse_due`)."""
    return _append(
        account,
        kind=Kind.EXPIRY,
        credits=-_credits(credits),
        needs_available=True,
        reason=_reason(reason, required=False),
        idempotency_key=idempotency_key,
    )


def credits_lapse_due(*, account: CreditAccount, at: datetime | None = None) -> list[LedgerEntry]:
    """Write an expiry entry for each block of the account that expired with free credits
    (credits a hold reserves wait for it). Locks the account; nothing on an account that
    tracks no blocks. The expiry job calls it per account."""
    entries = blocks.blocks_lapse(account_id=account.pk, at=at or timezone.now())
    if entries:
        account.refresh_from_db(fields=["balance", "held", "entry_count", "chain_head"])
        available_credits_announce(account.customer_id)
    return entries


def credits_take_back_refunded(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    idempotency_key: str,
    reason: Reason = "",
    reference_type: str = "",
    reference_id: str = "",
    bought_by: tuple[str, str] | None = None,
) -> LedgerEntry:
    """Money paid for credits went back to the customer: take back that many credits, never
    more than are available (used credits stay used). Once per idempotency key. On an
    account that tracks blocks, from the block the refunded purchase brought first
    (`bought_by`: its reference type and id), then in the draw order."""
    prefers: tuple[int, ...] = ()
    if bought_by is not None:
        prefers = blocks.blocks_bought_by(
            account_id=account.pk, reference_type=bought_by[0], reference_id=bought_by[1]
        )
    reason, reason_en = _reasons(reason)
    return _append(
        account,
        kind=Kind.PURCHASE_REFUNDED,
        credits=-_credits(credits),
        needs_available=True,
        reason=reason,
        reason_en=reason_en,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
        spec=BlockSpec(prefers=prefers),
    )


# Corrections.


def credits_adjust(
    *,
    account: CreditAccount,
    credits: CreditsInput,
    reason: str,
    by: User | None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """A staff correction, positive or negative, with its reason. A negative adjustment
    takes only available credits: it never creates debt nor uncovers a hold. With an
    idempotency key a repeat returns the first entry (a form submitted twice)."""
    credits = _credits(credits, sign="nonzero")
    reason = _reason(reason, required=True)
    if by is None or not getattr(by, "is_staff", False):
        raise StaffOnly()
    return _append(
        account,
        kind=Kind.ADJUSTMENT,
        credits=credits,
        needs_available=credits < 0,
        reason=reason,
        by=by,
        idempotency_key=idempotency_key,
        spec=BlockSpec(kind=BlockKind.ADJUSTMENT),
    )


def credits_reverse(
    *,
    entry: LedgerEntry,
    reason: str,
    by: User | None = None,
    account: CreditAccount | None = None,
) -> LedgerEntry:
    """Undo an entry with its opposite, once (a unique reference decides between racing
    reversals). Reversing credits in takes only available credits, from the blocks the
    entry credited first; reversing a debit gives its credits back to the blocks it drew
    from while they are valid (`credits.blocks`)."""
    reason = _reason(reason, required=True)
    if entry.kind == Kind.REVERSAL:
        raise NotReversible(entry=entry.pk)
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise AlreadyReversed(entry=entry.pk)
    # The entry's own account otherwise: its customer is told available credits changed.
    target = account if account is not None and account.pk == entry.account_id else entry.account
    return _append(
        target,
        kind=Kind.REVERSAL,
        credits=-entry.credits,
        needs_available=entry.credits > 0,
        reverses=entry,
        reason=reason,
        by=by,
        spec=BlockSpec(restores=entry.pk)
        if entry.credits < 0
        else BlockSpec(prefers=blocks.blocks_credited_by(entry)),
    )
