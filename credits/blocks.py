"""Credit blocks: credits that arrived together and expire together, and the order they are
drawn in.

Every purchase, grant, refund, positive correction and month's included credits is a block
(`CreditBlock`) with its own validity: a purchase from its pack's or plan's validity
(`PackCreditTerms`, `PlanCreditTerms`, e.g. 12 months), a grant as given, the month's
included credits until the customer's month ends. "Included allowance" here is the plan's
monthly included *credits* (`PlanCreditTerms.monthly_credits`), a grant of credits; the
monthly allowance of included *hours* (`credits.allowance`) is time, drawn by the minutes of
a resolved request before any credit is charged. So a plan may include hours, then credits,
then sell credits, and a charge takes them in that order.

Which account tracks blocks
---------------------------
An account begins to track blocks with its first credits that expire (or its first month's
included credits); its balance at that moment becomes one block that never expires (the
opening block: or, when negative, its debt). An account whose credits never expire keeps
its whole balance as one implicit block that never expires: its entries, their hashes and
their one-statement writes stay exactly as they were.

The rules (for an account that tracks blocks)
--------------------------------------------
- Draw order: included credits of the month first, then blocks by earliest expiry (blocks
  that never expire last), then by when they arrived, then by number.
- No expired block is ever drawn, with one exception that is not a new draw: a hold
  reserved credits of a block while it was valid (`HoldAllocation`), and the charge that
  converts that hold takes them even after the block expired.
- A hold reserves its credits from the blocks' free credits (remaining less what active
  holds reserve) in the draw order.
- A charge takes the converted hold's reservation first, then free credits in the draw
  order, then credits other holds reserve on valid blocks (the work was delivered: a
  charge may take the balance below the held credits, as before blocks), and then, past
  every valid block, adds to the account's debt block. Other debits (expiry by hand,
  corrections, a refunded purchase) take only free credits and never make debt.
- Credits in pay the debt first. A reversal of a debit gives its credits back to the
  blocks it drew from while they are valid; the rest, and credits of blocks that lapsed
  since, go to a new block that never expires.
- Lapsing: once a block has expired, its free credits lapse in an expiry entry (one per
  block). Credits a hold reserves on it wait until that hold is charged (they are taken)
  or released (they lapse). Every write on the account lapses what is due first, so a
  decision on available credits never counts credits that already expired; the expiry job
  (`manage.py expire_credits`) lapses the blocks of accounts nobody writes to.

Invariants (`credits.selectors.ledger_verify` re-checks them): the blocks' remaining credits
sum to the balance; each block's remaining is its credits plus its movements; each entry's
movements and the blocks it created are in its hashed content and add up to its credits;
no movement draws an expired block except a converted hold's reservation of it.

Locks: blocks, their movements and holds' allocations change only under their account's
row lock (`credits.locks`), which guards them; they have no lock of their own, so the
account stays the last row every write locks.
"""

from calendar import monthrange
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from contracts.models import CreditPack, Customer, Plan
from credits import ledger
from credits.exceptions import HoldAccountMismatch, HoldNotActive, InsufficientCredits
from credits.locks import account_lock, active_hold_lock
from credits.models import (
    BlockKind,
    BlockMovement,
    CreditAccount,
    CreditBlock,
    CreditHold,
    EntryKind,
    HoldAllocation,
    LedgerEntry,
    PackCreditTerms,
    PlanCreditTerms,
)

ZERO = Decimal("0")
_NEVER = datetime.max.replace(tzinfo=UTC)


# Validity.


def add_months(at: datetime, months: int, *, zone: ZoneInfo) -> datetime:
    """The same local time `months` calendar months later in `zone` (the 31st of a shorter
    month is its last day)."""
    local = at.astimezone(zone)
    index = local.month - 1 + months
    year, month = local.year + index // 12, index % 12 + 1
    day = min(local.day, monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(UTC)


def month_start(month: date, *, zone: ZoneInfo) -> datetime:
    """The first instant of `month` (any day of it) in `zone`, in UTC."""
    return datetime.combine(month.replace(day=1), time(0), tzinfo=zone).astimezone(UTC)


def next_month_start(month: date, *, zone: ZoneInfo) -> datetime:
    """When the customer's month of `month` ends: the first instant of the next one."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return month_start(following, zone=zone)


def plan_terms(plan: Plan | None) -> PlanCreditTerms | None:
    if plan is None:
        return None
    return PlanCreditTerms.objects.filter(plan=plan).first()


def purchase_expiry(
    *, customer: Customer, packs: Iterable[CreditPack], plan: Plan | None, at: datetime
) -> datetime | None:
    """When credits bought at `at` expire: each pack's own validity, else its plan's (`plan`:
    the customer's plan, for a purchase that names no pack). Packs of different validity
    bought together land as one block with the longest; None when any of them never
    expires."""
    bought: list[CreditPack | None] = list(packs)
    own = dict(
        PackCreditTerms.objects.filter(pack__in=[p for p in bought if p]).values_list(
            "pack_id", "validity_months"
        )
    )
    months: list[int | None] = []
    for pack in bought or [None]:
        if pack is not None and pack.pk in own:
            months.append(own[pack.pk])
            continue
        terms = plan_terms(pack.plan if pack is not None else plan)
        months.append(None if terms is None else terms.purchase_validity_months)
    if any(value is None for value in months):
        return None
    longest = max(value for value in months if value is not None)
    return add_months(at, longest, zone=customer.time_zone_info)


def grant_expiry(*, customer: Customer, plan: Plan | None, at: datetime) -> datetime | None:
    """When a courtesy granted at `at` expires by its plan's terms (None: never)."""
    terms = plan_terms(plan)
    if terms is None or terms.grant_validity_months is None:
        return None
    return add_months(at, terms.grant_validity_months, zone=customer.time_zone_info)


# What an entry does to blocks.


@dataclass(frozen=True)
class BlockSpec:
    """How an entry moves blocks when its account tracks them. Credits in create a block of
    `kind` valid until `expires_at` (None: never; a date makes the account track blocks);
    `restores` is the entry a positive reversal gives back; `prefers` the blocks a debit
    takes free credits from first; `lapses` the expired block an expiry entry lapses."""

    kind: str = BlockKind.ADJUSTMENT
    expires_at: datetime | None = None
    restores: int | None = None
    prefers: tuple[int, ...] = ()
    lapses: int | None = None


def draw_key(block: CreditBlock) -> tuple:
    """A block's place in the draw order (sort by it)."""
    return (
        block.kind != BlockKind.ALLOWANCE,
        block.expires_at or _NEVER,
        block.created_at,
        block.pk or 0,
    )


def valid(block: CreditBlock, at: datetime) -> bool:
    """Whether the block may be drawn at `at` (never the debt)."""
    return block.kind != BlockKind.DEBT and (block.expires_at is None or block.expires_at > at)


class _Refused(Exception):
    def __init__(self, error: Exception) -> None:
        self.error = error


@dataclass
class _Book:
    """An account's blocks as one write sees them under the account's lock: what is left and
    reserved, and the blocks and movements of the entry being planned."""

    account: CreditAccount
    at: datetime
    blocks: dict[int, CreditBlock] = field(default_factory=dict)
    reserved: dict[int, Decimal] = field(default_factory=dict)
    # hold pk -> [(block pk, credits)]
    allocations: dict[int, list[tuple[int, Decimal]]] = field(default_factory=dict)
    created: list[CreditBlock] = field(default_factory=list)
    moves: dict[tuple[int, bool], Decimal] = field(default_factory=dict)

    @classmethod
    def load(cls, account: CreditAccount, at: datetime, *, also: Iterable[int] = ()) -> "_Book":
        book = cls(account=account, at=at)
        if not account.tracks_blocks:
            book._open()
            return book
        wanted = set(also)
        rows = CreditBlock.objects.filter(account=account).exclude(remaining=0)
        extra = CreditBlock.objects.filter(account=account, pk__in=wanted)
        debt = CreditBlock.objects.filter(account=account, kind=BlockKind.DEBT)
        for block in (*rows, *extra, *debt):
            book.blocks[block.pk] = block
        for hold_id, block_id, credits in HoldAllocation.objects.filter(
            hold__account=account, hold__status=CreditHold.Status.ACTIVE
        ).values_list("hold_id", "block_id", "credits"):
            book.reserved[block_id] = book.reserved.get(block_id, ZERO) + credits
            book.allocations.setdefault(hold_id, []).append((block_id, credits))
        missing = set(book.reserved) - set(book.blocks)  # reserved, nothing left: read them too
        for block in CreditBlock.objects.filter(pk__in=missing):
            book.blocks[block.pk] = block
        return book

    def _open(self) -> None:
        """The account's balance becomes its opening block (or its debt)."""
        balance = self.account.balance
        if balance > 0:
            self._new_block(BlockKind.OPENING, credits=balance)
        elif balance < 0:
            self._new_block(BlockKind.DEBT, credits=balance)

    def _new_block(
        self,
        kind: str,
        *,
        credits: Decimal,
        expires_at: datetime | None = None,
        entry: ledger.NewEntry | None = None,
    ) -> CreditBlock:
        block = CreditBlock(
            account=self.account,
            kind=kind,
            credits=credits,
            remaining=credits,
            expires_at=expires_at,
            amount=None if entry is None else entry.amount,
            reference_type="" if entry is None else entry.reference_type,
            reference_id="" if entry is None else entry.reference_id,
            created_at=self.at,
        )
        self.created.append(block)
        return block

    # Figures.

    def _all(self) -> list[CreditBlock]:
        return [*self.blocks.values(), *self.created]

    def _free(self, block: CreditBlock) -> Decimal:
        reserved = self.reserved.get(block.pk, ZERO) if block.pk is not None else ZERO
        return max(block.remaining - reserved, ZERO)

    def _valid_in_order(self) -> list[CreditBlock]:
        return sorted((b for b in self._all() if valid(b, self.at)), key=draw_key)

    def _debt(self) -> CreditBlock:
        for block in self._all():
            if block.kind == BlockKind.DEBT:
                return block
        return self._new_block(BlockKind.DEBT, credits=ZERO)

    def _move(self, block: CreditBlock, credits: Decimal, *, reserved: bool = False) -> None:
        if credits == 0:
            return
        block.remaining += credits
        key = (id(block), reserved)
        self.moves[key] = self.moves.get(key, ZERO) + credits

    # Planning one entry.

    def plan_credit(self, new: ledger.NewEntry, spec: BlockSpec) -> None:
        """Credits in: a new block (or, for a reversal, back to the blocks drawn), the debt
        paid first."""
        credits = new.credits
        if spec.restores is not None:
            left = self._pay_debt(source=None, credits=credits)
            left = self._restore(spec.restores, left)
            if left > 0:
                self._new_block(BlockKind.RESTORED, credits=left, entry=new)
            return
        block = self._new_block(spec.kind, credits=credits, expires_at=spec.expires_at, entry=new)
        self._pay_debt(source=block, credits=credits)

    def _pay_debt(self, *, source: CreditBlock | None, credits: Decimal) -> Decimal:
        debt = next((b for b in self._all() if b.kind == BlockKind.DEBT), None)
        if debt is None or debt.remaining >= 0:
            return credits
        paid = min(credits, -debt.remaining)
        if source is not None:
            self._move(source, -paid)
        self._move(debt, paid)
        return credits - paid

    def _restore(self, entry_id: int, credits: Decimal) -> Decimal:
        drawn = BlockMovement.objects.filter(entry_id=entry_id, credits__lt=0).order_by("pk")
        for block_id, taken in drawn.values_list("block_id", "credits"):
            block = self.blocks.get(block_id)
            if credits <= 0 or block is None or not valid(block, self.at):
                continue
            back = min(-taken, credits, block.credits - block.remaining)
            if back > 0:
                self._move(block, back)
                credits -= back
        return credits

    def plan_debit(self, new: ledger.NewEntry, spec: BlockSpec, *, hold: CreditHold | None) -> None:
        """Credits out, in the draw order (see the module docstring)."""
        need = -new.credits
        if spec.lapses is not None:
            self._move(self.blocks[spec.lapses], -need)
            return
        if hold is not None:
            for block_id, credits in sorted(
                self.allocations.pop(hold.pk, []), key=lambda a: draw_key(self.blocks[a[0]])
            ):
                block = self.blocks[block_id]
                self.reserved[block_id] -= credits
                take = min(credits, max(block.remaining, ZERO), need)
                if take > 0:
                    self._move(block, -take, reserved=True)
                    need -= take
        preferred = [self.blocks[pk] for pk in spec.prefers if pk in self.blocks]
        for block in [*preferred, *self._valid_in_order()]:
            if need <= 0:
                break
            if not valid(block, self.at):
                continue
            take = min(self._free(block), need)
            if take > 0:
                self._move(block, -take)
                need -= take
        if need > 0 and not new.needs_available:
            for block in self._valid_in_order():
                take = min(max(block.remaining, ZERO), need)
                if take > 0:
                    self._move(block, -take)
                    need -= take
            if need > 0:
                self._move(self._debt(), -need)
                need = ZERO
        if need > 0:
            raise _Refused(
                InsufficientCredits(available=self.account.available, required=-new.credits)
            )

    # Writing.

    def write(self, new: ledger.NewEntry) -> LedgerEntry:
        """Append `new` with the blocks and movements planned for it."""
        sequence = self.account.entry_count + 1
        for block in self.created:
            block.sequence = sequence
            block.save(force_insert=True)
        by_identity = {id(block): block for block in self._all()}
        movements = [
            (by_identity[key].pk, credits, reserved)
            for (key, reserved), credits in self.moves.items()
            if credits != 0
        ]
        content = ledger.block_content(
            new_blocks=[
                (
                    block.pk,
                    block.kind,
                    block.credits,
                    block.expires_at,
                    None if block.amount is None else block.amount.amount,
                    None if block.amount is None else str(block.amount.currency),
                )
                for block in self.created
            ],
            movements=movements,
        )
        tracked = replace(new, blocks=content, was_tracked=self.account.tracks_blocks)
        written = ledger.append_entry(tracked)
        if written is None:
            raise _Refused(ledger.refusal(tracked, account=self.account))
        entry, state = written
        BlockMovement.objects.bulk_create(
            BlockMovement(entry_id=entry.pk, block_id=pk, credits=credits, reserved=reserved)
            for pk, credits, reserved in movements
        )
        moved = {by_identity[key] for key, _reserved in self.moves} - set(self.created)
        if moved:
            CreditBlock.objects.bulk_update(list(moved), ["remaining"])
        for block in self.created:
            self.blocks[block.pk] = block
        self.created, self.moves = [], {}
        state.apply_to(self.account)
        self.account.tracks_blocks = True
        return entry

    def lapse_due(self) -> list[LedgerEntry]:
        """An expiry entry for the free credits of every expired block (oldest first)."""
        entries = []
        expired = [b for b in self._all() if b.kind != BlockKind.DEBT and not valid(b, self.at)]
        for block in sorted(expired, key=draw_key):
            free = self._free(block)
            if free <= 0:
                continue
            new = ledger.NewEntry(
                account_id=self.account.pk,
                kind=EntryKind.EXPIRY,
                credits=-free,
                created_at=self.at,
                reference_type="credits.creditblock",
                reference_id=str(block.pk),
                reason=f"Vencen {ledger.credits_text(free)} créditos del bloque {block.pk}, "
                f"vencido el {block.expires_at:%Y-%m-%d %H:%M} UTC",
                reason_en=f"{ledger.credits_text(free)} credits of block {block.pk} lapse, "
                f"expired on {block.expires_at:%Y-%m-%d %H:%M} UTC",
            )
            self.plan_debit(new, BlockSpec(lapses=block.pk), hold=None)
            entries.append(self.write(new))
        return entries

    def allocate(self, hold: CreditHold) -> None:
        """Reserve the hold's credits from free credits in the draw order."""
        need = hold.credits
        rows = []
        for block in self._valid_in_order():
            take = min(self._free(block), need)
            if take > 0:
                rows.append(HoldAllocation(hold=hold, block=block, credits=take))
                self.reserved[block.pk] = self.reserved.get(block.pk, ZERO) + take
                need -= take
            if need <= 0:
                break
        if need > 0:
            raise _Refused(InsufficientCredits(available=self.account.available, required=need))
        HoldAllocation.objects.bulk_create(rows)


# The writes (called by credits.services, which validated the input).


def blocks_append(*, account: CreditAccount, new: ledger.NewEntry, spec: BlockSpec) -> LedgerEntry:
    """Append `new` on an account that tracks blocks, or begins to with it (credits that
    expire): locks the hold being converted, then the account; lapses what is due, plans
    the entry's blocks and movements, appends. Refusals roll everything back."""
    try:
        with transaction.atomic():
            return _append_locked(account=account, new=new, spec=spec)
    except _Refused as refused:
        raise refused.error from None


def _append_locked(*, account: CreditAccount, new: ledger.NewEntry, spec: BlockSpec) -> LedgerEntry:
    hold = None
    if new.hold_id is not None:
        hold = active_hold_lock(new.hold_id)
        if hold is None:
            raise _Refused(HoldNotActive(hold=new.hold_id))
        if hold.account_id != new.account_id:
            raise _Refused(HoldAccountMismatch(hold=hold.pk))
    locked = account_lock(new.account_id)
    if not locked.tracks_blocks and spec.expires_at is None:
        # Nothing here expires and the account never tracked blocks: the plain write.
        written = ledger.append_entry(new)
        if written is None:
            raise _Refused(ledger.refusal(new, account=locked))
        entry, state = written
        state.apply_to(account)
        return entry
    also = [*spec.prefers, *([] if spec.lapses is None else [spec.lapses])]
    if spec.restores is not None:
        also += BlockMovement.objects.filter(entry_id=spec.restores).values_list(
            "block_id", flat=True
        )
    book = _Book.load(locked, new.created_at, also=also)
    if locked.tracks_blocks:
        book.lapse_due()
    if new.credits > 0:
        book.plan_credit(new, spec)
    else:
        if new.needs_available and locked.available < -new.credits:
            raise _Refused(ledger.refusal(new, account=locked))
        book.plan_debit(new, spec, hold=hold)
    entry = book.write(new)
    _copy_state(locked, account)
    return entry


def _copy_state(locked: CreditAccount, account: CreditAccount) -> None:
    for name in ("balance", "held", "entry_count", "chain_head", "tracks_blocks"):
        setattr(account, name, getattr(locked, name))


def blocks_place_hold(
    *,
    account: CreditAccount,
    credits: Decimal,
    needed: Decimal,
    reference_type: str,
    reference_id: str,
    created_at: datetime,
) -> CreditHold:
    """Place a hold on an account that tracks blocks: locks the account, lapses what is due,
    reserves the credits from blocks in the draw order."""
    try:
        with transaction.atomic():
            locked = account_lock(account.pk)
            tracked = locked.tracks_blocks
            book = _Book.load(locked, created_at) if tracked else None
            if book is not None:
                book.lapse_due()
            placed = ledger.place_hold(
                account_id=locked.pk,
                credits=credits,
                needed=needed,
                reference_type=reference_type,
                reference_id=reference_id,
                created_at=created_at,
                tracked=tracked,
            )
            if placed is None:
                raise _Refused(InsufficientCredits(available=locked.available, required=needed))
            hold, state = placed
            if book is not None:
                book.allocate(hold)
            state.apply_to(locked)
            _copy_state(locked, account)
            return hold
    except _Refused as refused:
        raise refused.error from None


def blocks_lapse(*, account_id: int, at: datetime) -> list[LedgerEntry]:
    """Lapse the account's expired free credits (the expiry job, one account per
    transaction). Locks the account; nothing when it tracks no blocks."""
    with transaction.atomic():
        locked = account_lock(account_id)
        if not locked.tracks_blocks:
            return []
        return _Book.load(locked, at).lapse_due()


def accounts_with_lapsed_blocks(*, at: datetime) -> list[int]:
    """Accounts with credits left on an expired block (some may be reserved by a hold)."""
    return list(
        CreditBlock.objects.filter(expires_at__lte=at, remaining__gt=0)
        .exclude(kind=BlockKind.DEBT)
        .values_list("account_id", flat=True)
        .distinct()
        .order_by("account_id")
    )


def blocks_credited_by(entry: LedgerEntry) -> tuple[int, ...]:
    """The blocks an entry put credits in (created, or gave back to), for its reversal."""
    created = CreditBlock.objects.filter(account_id=entry.account_id, sequence=entry.sequence)
    given = BlockMovement.objects.filter(entry=entry, credits__gt=0)
    return (
        *created.order_by("pk").values_list("pk", flat=True),
        *given.order_by("block_id").values_list("block_id", flat=True),
    )


def blocks_bought_by(*, account_id: int, reference_type: str, reference_id: str) -> tuple[int, ...]:
    return tuple(
        CreditBlock.objects.filter(
            account_id=account_id, reference_type=reference_type, reference_id=reference_id
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
