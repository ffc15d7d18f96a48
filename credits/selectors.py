"""Reads of the credits app: accounts, entries, and the ledger verification."""

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum

from background.models import SentMail
from contracts.models import Customer
from core.reads import first_row
from credits.blocks import draw_key, valid
from credits.ledger import block_content, chain_hash, credits_text, entry_content
from credits.models import (
    BURNED_KINDS,
    CONSUMED_KINDS,
    CREDIT_KINDS,
    GENESIS_HASH,
    BlockKind,
    CreditAccount,
    CreditBlock,
    CreditHold,
    HoldAllocation,
    LedgerEntry,
)


def credit_account_get(*, customer: Customer) -> CreditAccount | None:
    # compiled once per connection (core.reads): every portal dashboard reads it
    return first_row("credit_account", _credit_account, customer_id=customer.pk)


def _credit_account(*, customer_id: int) -> QuerySet[CreditAccount]:
    return CreditAccount.objects.filter(customer_id=customer_id)


def credit_account_list() -> QuerySet[CreditAccount]:
    """Accounts with their customer and an `available_credits` column (balance - held)."""
    available = ExpressionWrapper(
        F("balance") - F("held"), output_field=DecimalField(max_digits=13, decimal_places=2)
    )
    return CreditAccount.objects.select_related("customer").annotate(available_credits=available)


def ledger_entry_list(*, account: CreditAccount) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(account=account).order_by("sequence")


@dataclass
class BrokenAccount:
    account_id: int
    customer_id: int
    problems: list[str] = field(default_factory=list)
    customer_name: str = ""

    def __str__(self) -> str:
        customer = f"customer {self.customer_id}"
        if self.customer_name:
            customer += f", {self.customer_name}"
        return f"account {self.account_id} ({customer}): " + "; ".join(self.problems)


@dataclass
class LedgerVerification:
    accounts: int = 0
    entries: int = 0
    broken: list[BrokenAccount] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    def summary(self) -> str:
        if self.ok:
            return (
                f"ledger ok: {self.accounts} accounts, {self.entries} entries; "
                "balances, holds and hash chains verified"
            )
        ids = ", ".join(str(broken.account_id) for broken in self.broken)
        return (
            f"ledger BROKEN: {len(self.broken)} of {self.accounts} accounts "
            f"({self.entries} entries checked): {ids}"
        )


_ENTRY_FIELDS = (
    "account_id",
    "sequence",
    "kind",
    "credits",
    "balance_after",
    "amount",
    "amount_currency",
    "hold_id",
    "reverses_id",
    "reference_type",
    "reference_id",
    "created_by_id",
    "reason",
    "idempotency_key",
    "created_at",
    "entry_hash",
)
_MAX_PROBLEMS = 5


# What reading a value no column definition allows raises (a balance wider than its column,
# written on SQLite by an older version): decimal.InvalidOperation is an ArithmeticError.
_UNREADABLE = (ArithmeticError, ValueError, TypeError)


def ledger_verify(
    *, account_ids: Iterable[int] | None = None, chunk_size: int = 5000
) -> LedgerVerification:
    """Recompute every balance and hash chain from the entries, and every `held` from the
    active holds. Three queries, streamed in (account, sequence) order. Never crashes: when
    a row cannot be read, every account is checked on its own and the unreadable ones are
    reported as broken. Broken accounts carry their customer's name."""
    try:
        result = _verify(account_ids, chunk_size)
    except _UNREADABLE:
        result = _verify_one_by_one(account_ids, chunk_size)
    if result.broken:
        names = dict(
            Customer.objects.filter(
                pk__in=[broken.customer_id for broken in result.broken]
            ).values_list("pk", "legal_name")
        )
        for broken in result.broken:
            broken.customer_name = names.get(broken.customer_id, "")
    return result


def _verify_one_by_one(account_ids: Iterable[int] | None, chunk_size: int) -> LedgerVerification:
    accounts = CreditAccount.objects.order_by("pk")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    result = LedgerVerification()
    for pk, customer_id in accounts.values_list("pk", "customer_id"):
        try:
            one = _verify([pk], chunk_size)
        except _UNREADABLE as error:
            result.accounts += 1
            problem = f"cannot be read ({type(error).__name__}): a value beyond its column"
            result.broken.append(BrokenAccount(pk, customer_id, [problem]))
            continue
        result.accounts += one.accounts
        result.entries += one.entries
        result.broken.extend(one.broken)
    return result


_ACCOUNT_FIELDS = (
    "pk",
    "customer_id",
    "balance",
    "held",
    "entry_count",
    "chain_head",
    "tracks_blocks",
)
_BLOCK_FIELDS = (
    "blocks__pk",
    "blocks__kind",
    "blocks__credits",
    "blocks__remaining",
    "blocks__expires_at",
    "blocks__amount",
    "blocks__amount_currency",
    "blocks__sequence",
)
_MOVEMENT_FIELDS = (
    "block_movements__block_id",
    "block_movements__credits",
    "block_movements__reserved",
)
_HOLD_FIELDS = (
    "account_id",
    "pk",
    "status",
    "credits",
    "created_at",
    "allocations__block_id",
    "allocations__credits",
)


@dataclass
class _Block:
    kind: str
    credits: Decimal
    remaining: Decimal
    expires_at: datetime | None
    amount: Decimal | None
    currency: str | None
    sequence: int
    moved: Decimal = Decimal("0")


@dataclass
class _Hold:
    active: bool
    credits: Decimal
    created_at: datetime
    allocations: dict[int, Decimal] = field(default_factory=dict)


def _grouped(rows: Iterator[tuple], width: int) -> Iterator[tuple[tuple, list[tuple]]]:
    """Rows of a query joined to a child table, as (parent's first `width` values, the
    children's values that are not all NULL), for consecutive rows of one parent."""
    current, children = None, []
    for row in rows:
        parent, child = row[:width], row[width:]
        if current is not None and parent != current:
            yield current, children
            children = []
        current = parent
        if any(value is not None for value in child):
            children.append(child)
    if current is not None:
        yield current, children


def _verify(account_ids: Iterable[int] | None, chunk_size: int) -> LedgerVerification:
    """Three queries, each joined to its children: accounts with their blocks, entries with
    their block movements, holds (active ones, and every hold of an account that tracks
    blocks) with their allocations."""
    accounts = CreditAccount.objects.order_by("pk", "blocks__pk")
    entries = LedgerEntry.objects.order_by(
        "account_id", "sequence", "block_movements__block_id", "block_movements__reserved"
    )
    holds = CreditHold.objects.filter(
        Q(status=CreditHold.Status.ACTIVE) | Q(account__tracks_blocks=True)
    ).order_by("account_id", "pk", "allocations__block_id")
    if account_ids is not None:
        ids = list(account_ids)
        accounts, entries = accounts.filter(pk__in=ids), entries.filter(account_id__in=ids)
        holds = holds.filter(account_id__in=ids)
    hold_rows: dict[int, dict[int, _Hold]] = {}
    for (account_id, pk, status, credits, created_at), allocations in _grouped(
        holds.values_list(*_HOLD_FIELDS).iterator(chunk_size=chunk_size), 5
    ):
        hold = _Hold(status == CreditHold.Status.ACTIVE, credits, created_at)
        hold.allocations = dict(allocations)
        hold_rows.setdefault(account_id, {})[pk] = hold
    width = len(_ENTRY_FIELDS)
    rows = _grouped(
        entries.values_list(*_ENTRY_FIELDS, *_MOVEMENT_FIELDS).iterator(chunk_size=chunk_size),
        width,
    )
    pending = next(rows, None)
    result = LedgerVerification()
    for account, block_rows in _grouped(
        accounts.values_list(*_ACCOUNT_FIELDS, *_BLOCK_FIELDS).iterator(chunk_size=chunk_size),
        len(_ACCOUNT_FIELDS),
    ):
        pk = account[0]
        own: list[tuple[tuple, list[tuple]]] = []
        while pending is not None and pending[0][0] == pk:
            own.append(pending)
            pending = next(rows, None)
        result.accounts += 1
        result.entries += len(own)
        blocks = {row[0]: _Block(*row[1:]) for row in block_rows}
        problems = list(_account_problems(account, iter(own), blocks, hold_rows.get(pk, {})))
        if problems:
            result.broken.append(BrokenAccount(pk, account[1], problems[:_MAX_PROBLEMS]))
    return result


def _account_problems(
    account: tuple,
    entries: Iterator[tuple[tuple, list[tuple]]],
    blocks: dict[int, "_Block"],
    holds: dict[int, "_Hold"],
) -> Iterator[str]:
    _pk, _customer_id, balance, cached_held, entry_count, chain_head, tracks_blocks = account
    running, previous_hash, sequence = Decimal("0"), GENESIS_HASH, 0
    created: dict[int, list[int]] = {}
    for block_id, block in blocks.items():
        created.setdefault(block.sequence, []).append(block_id)
    on_blocks = False
    for row, movements in entries:
        (
            account_id,
            entry_sequence,
            kind,
            credits,
            balance_after,
            amount,
            amount_currency,
            hold_id,
            reverses_id,
            reference_type,
            reference_id,
            created_by_id,
            reason,
            idempotency_key,
            created_at,
            entry_hash,
        ) = row
        sequence += 1
        if entry_sequence != sequence:
            yield f"entry #{entry_sequence} found where #{sequence} was expected"
            sequence = entry_sequence
        new_blocks = created.pop(entry_sequence, [])
        content_blocks = None
        if movements or new_blocks:
            opening = not on_blocks
            on_blocks = True
            yield from _entry_block_problems(
                entry_sequence,
                kind,
                credits,
                created_at,
                running,
                opening,
                [(pk, blocks[pk]) for pk in new_blocks],
                movements,
                blocks,
                holds.get(hold_id) if hold_id is not None else None,
            )
            content_blocks = block_content(
                new_blocks=[
                    (pk, b.kind, b.credits, b.expires_at, b.amount, b.currency)
                    for pk, b in ((pk, blocks[pk]) for pk in new_blocks)
                ],
                movements=movements,
            )
        elif on_blocks:
            yield f"entry #{entry_sequence} moves no block"
        running += credits
        if balance_after != running:
            yield (
                f"entry #{entry_sequence}: balance_after {credits_text(balance_after)}, "
                f"entries sum {credits_text(running)}"
            )
            running = balance_after
        content = entry_content(
            account_id=account_id,
            kind=kind,
            credits=credits,
            amount=amount,
            amount_currency=amount_currency,
            hold_id=hold_id,
            reverses_id=reverses_id,
            reference_type=reference_type,
            reference_id=reference_id,
            created_by_id=created_by_id,
            reason=reason,
            idempotency_key=idempotency_key,
            created_at=created_at,
            blocks=content_blocks,
        )
        expected = chain_hash(
            previous_hash=previous_hash,
            sequence=entry_sequence,
            balance_after=balance_after,
            content=content,
        )
        if entry_hash != expected:
            yield f"entry #{entry_sequence}: hash does not match its content and chain"
        previous_hash = entry_hash
    if balance != running:
        yield f"balance {credits_text(balance)} but entries sum {credits_text(running)}"
    if entry_count != sequence:
        yield f"account says {entry_count} entries, found {sequence}"
    if chain_head != previous_hash:
        yield "chain head does not match the last entry's hash"
    held = sum((hold.credits for hold in holds.values() if hold.active), Decimal("0"))
    if cached_held != held:
        yield f"held {credits_text(cached_held)} but active holds sum {credits_text(held)}"
    yield from _blocks_problems(tracks_blocks, on_blocks, created, blocks, holds, balance)


def _entry_block_problems(
    sequence: int,
    kind: str,
    credits: Decimal,
    created_at: datetime,
    balance_before: Decimal,
    opening: bool,
    new_blocks: list[tuple[int, "_Block"]],
    movements: list[tuple],
    blocks: dict[int, "_Block"],
    hold: "_Hold | None",
) -> Iterator[str]:
    """An entry on blocks: its blocks and movements add up to its credits (the opening
    blocks carry the balance before it), and it draws no expired block but what the hold it
    converts reserved on it."""
    carried = sum(
        (b.credits for _pk, b in new_blocks if opening and b.kind in _OPENING_KINDS),
        Decimal("0"),
    )
    if opening and carried != balance_before:
        yield (
            f"entry #{sequence}: opening blocks carry {credits_text(carried)}, the balance "
            f"was {credits_text(balance_before)}"
        )
    brought = sum(
        (b.credits for _pk, b in new_blocks if not (opening and b.kind in _OPENING_KINDS)),
        Decimal("0"),
    )
    moved = sum((movement[1] for movement in movements), Decimal("0"))
    if brought + moved != credits:
        yield (
            f"entry #{sequence}: blocks move {credits_text(brought + moved)}, "
            f"the entry {credits_text(credits)}"
        )
    for block_id, block_credits, reserved in movements:
        block = blocks.get(block_id)
        if block is None:
            yield f"entry #{sequence} moves block {block_id} of another account"
            continue
        block.moved += block_credits
        if block_credits >= 0:
            continue
        if reserved:
            allowed = Decimal("0") if hold is None else hold.allocations.get(block_id, Decimal(0))
            if -block_credits > allowed:
                yield f"entry #{sequence} takes more of block {block_id} than its hold reserved"
        elif kind != "expiry" and block.expires_at is not None and block.expires_at <= created_at:
            yield f"entry #{sequence} draws expired block {block_id}"


_OPENING_KINDS = ("opening", "debt")


def _blocks_problems(
    tracks_blocks: bool,
    on_blocks: bool,
    created: dict[int, list[int]],
    blocks: dict[int, "_Block"],
    holds: dict[int, "_Hold"],
    balance: Decimal,
) -> Iterator[str]:
    if tracks_blocks != on_blocks:
        yield f"account says it tracks blocks: {tracks_blocks}; its entries say {on_blocks}"
    for sequence, pks in created.items():
        yield f"blocks {', '.join(map(str, pks))} name entry #{sequence}, which is not there"
    total = Decimal("0")
    for pk, block in blocks.items():
        total += block.remaining
        if block.remaining != block.credits + block.moved:
            yield (
                f"block {pk}: {credits_text(block.remaining)} left, its credits and "
                f"movements say {credits_text(block.credits + block.moved)}"
            )
    if blocks and total != balance:
        yield f"blocks hold {credits_text(total)}, the balance is {credits_text(balance)}"
    for pk, hold in holds.items():
        reserved = sum(hold.allocations.values(), Decimal("0"))
        if reserved > hold.credits:
            yield f"hold {pk} reserves {credits_text(reserved)} of its {credits_text(hold.credits)}"
        for block_id in hold.allocations:
            reserved_block = blocks.get(block_id)
            if reserved_block is None or (
                reserved_block.expires_at is not None
                and reserved_block.expires_at <= hold.created_at
            ):
                yield f"hold {pk} reserves block {block_id}, expired or not the account's"


@dataclass(frozen=True)
class RunoutForecast:
    """At the burn rate of the last `window_days`, when the available credits fall below
    `minimum` (the plan's intake minimum: from then on a request is refused)."""

    window_days: int
    burned_credits: Decimal
    daily_burn: Decimal
    available: Decimal
    runs_out_at: datetime | None
    minimum: Decimal = Decimal("0")

    @property
    def burning(self) -> bool:
        return self.daily_burn > 0

    @property
    def below_minimum(self) -> bool:
        return self.available < self.minimum


def credit_runout_forecast(
    *,
    account: CreditAccount,
    now: datetime,
    window_days: int = 90,
    minimum: Decimal = Decimal("0"),
) -> RunoutForecast:
    """Credits spent (charges, no-shows, expiries) in the last `window_days` over that many
    days, projected over the available credits above `minimum`; `runs_out_at` None when
    nothing was spent, `now` when they are already below it. Summed in Python: SQLite would
    add the decimals as floats."""
    since = now - timedelta(days=window_days)
    spent = LedgerEntry.objects.filter(
        account=account, kind__in=BURNED_KINDS, created_at__gte=since, created_at__lt=now
    ).values_list("credits", flat=True)
    burned = -sum(spent, Decimal("0"))
    return _forecast(burned, account.available, now, window_days, minimum)


def credit_runout_forecasts(
    *,
    accounts: Iterable[CreditAccount],
    now: datetime,
    window_days: int = 90,
    minimums: dict[int, Decimal] | None = None,
) -> dict[int, RunoutForecast]:
    """`credit_runout_forecast` of many accounts in one query, by account id (a list page's
    rows). `minimums` gives an account's intake minimum by its id (default 0). The sums run
    in SQL: Django quantizes a decimal sum to the column's two places, so SQLite's float
    addition leaves no trace."""
    accounts = list(accounts)
    since = now - timedelta(days=window_days)
    burned = dict(
        LedgerEntry.objects.filter(
            account__in=[a.pk for a in accounts],
            kind__in=BURNED_KINDS,
            created_at__gte=since,
            created_at__lt=now,
        )
        .order_by()
        .values("account_id")
        .annotate(total=Sum("credits"))
        .values_list("account_id", "total")
    )
    minimums = minimums or {}
    return {
        a.pk: _forecast(
            -(burned.get(a.pk) or Decimal("0")),
            a.available,
            now,
            window_days,
            minimums.get(a.pk, Decimal("0")),
        )
        for a in accounts
    }


def _forecast(
    burned: Decimal, available: Decimal, now: datetime, window_days: int, minimum: Decimal
) -> RunoutForecast:
    daily = (burned / window_days).quantize(Decimal("0.01")) if burned else Decimal("0.00")
    runs_out_at = None
    if burned > 0:
        seconds = max(available - minimum, Decimal(0)) * window_days * 86400 / burned
        runs_out_at = now + timedelta(seconds=int(seconds))
    return RunoutForecast(window_days, burned, daily, available, runs_out_at, minimum)


@dataclass(frozen=True)
class CreditMovements:
    """A customer's credits over a period: the balance before its first moment and after
    its last (the ledger's own `balance_after`), what was added (top-ups, grants, refunds),
    consumed (charges, no-shows) and moved otherwise (expiries, purchase refunds,
    adjustments, reversals)."""

    opening: Decimal
    added: Decimal
    consumed: Decimal
    other: Decimal
    closing: Decimal


def credit_movements(*, customer_id: int, start: datetime, end: datetime) -> CreditMovements:
    """Summed in Python: SQLite would add the decimals as floats."""
    entries = LedgerEntry.objects.filter(account__customer_id=customer_id)
    before = entries.filter(created_at__lt=start).order_by("-sequence").first()
    added = consumed = other = Decimal("0")
    for kind, credits in (
        entries.filter(created_at__gte=start, created_at__lt=end)
        .values_list("kind", "credits")
        .iterator()
    ):
        if kind in CREDIT_KINDS:
            added += credits
        elif kind in CONSUMED_KINDS:
            consumed -= credits
        else:
            other += credits
    last = entries.filter(created_at__lt=end).order_by("-sequence").first()
    return CreditMovements(
        opening=before.balance_after if before else Decimal("0"),
        added=added,
        consumed=consumed,
        other=other,
        closing=last.balance_after if last else Decimal("0"),
    )


def credit_movements_by_period(
    *, customer_id: int, bounds: list[datetime]
) -> list[CreditMovements]:
    """`credit_movements` of each period between consecutive `bounds` (months, for the
    portal's chart), in two queries whatever their number: the last entry before the first
    bound, then every entry of the whole span. Each period's figures are those
    `credit_movements` gives for it alone (tests compare them)."""
    if len(bounds) < 2:
        return []
    entries = LedgerEntry.objects.filter(account__customer_id=customer_id)
    before = (
        entries.filter(created_at__lt=bounds[0])
        .order_by("-sequence")
        .values_list("sequence", "balance_after")
        .first()
    )
    rows = list(
        entries.filter(created_at__gte=bounds[0], created_at__lt=bounds[-1])
        .order_by("sequence")
        .values_list("created_at", "sequence", "kind", "credits", "balance_after")
    )
    results = []
    # The balance at a bound is that of the last entry by sequence made before it.
    last = before
    opening = before[1] if before else Decimal("0")
    for start, end in itertools.pairwise(bounds):
        added = consumed = other = Decimal("0")
        for created_at, sequence, kind, credits, balance_after in rows:
            if not start <= created_at < end:
                continue
            if kind in CREDIT_KINDS:
                added += credits
            elif kind in CONSUMED_KINDS:
                consumed -= credits
            else:
                other += credits
            if last is None or sequence > last[0]:
                last = (sequence, balance_after)
        closing = last[1] if last else Decimal("0")
        results.append(CreditMovements(opening, added, consumed, other, closing))
        opening = closing
    return results


# Credit blocks as customers and reminders read them.


@dataclass(frozen=True)
class BlockLine:
    """A block with credits left: what arrived, what is left, what open requests hold of
    it, and until when it may be used (None: it never expires)."""

    pk: int
    kind: str
    kind_label: str
    arrived_at: datetime
    credits: Decimal
    remaining: Decimal
    held: Decimal
    expires_at: datetime | None
    expired: bool

    @property
    def free(self) -> Decimal:
        return max(self.remaining - self.held, Decimal("0"))


def _reserved_by_block(account_ids: list[int]) -> dict[int, Decimal]:
    """Credits active holds reserve on each block (summed in Python: SQLite would add the
    decimals as floats)."""
    reserved: dict[int, Decimal] = {}
    for block_id, credits in HoldAllocation.objects.filter(
        hold__account_id__in=account_ids, hold__status=CreditHold.Status.ACTIVE
    ).values_list("block_id", "credits"):
        reserved[block_id] = reserved.get(block_id, Decimal("0")) + credits
    return reserved


def credit_blocks_of(*, account: CreditAccount | None, now: datetime) -> list[BlockLine]:
    """The account's blocks with credits left (or its debt), in the order charges take them;
    expired ones (credits an open request holds, or not lapsed yet) last. Empty for an
    account that tracks no blocks: all its credits are one block that never expires."""
    if account is None or not account.tracks_blocks:
        return []
    rows = list(CreditBlock.objects.filter(account=account).exclude(remaining=0))
    reserved = _reserved_by_block([account.pk])
    lines = [
        BlockLine(
            pk=block.pk,
            kind=block.kind,
            kind_label=block.get_kind_display(),
            arrived_at=block.created_at,
            credits=block.credits,
            remaining=block.remaining,
            held=reserved.get(block.pk, Decimal("0")),
            expires_at=block.expires_at,
            expired=block.kind != BlockKind.DEBT and not valid(block, now),
        )
        for block in rows
    ]
    order = {block.pk: index for index, block in enumerate(sorted(rows, key=draw_key))}
    return sorted(lines, key=lambda line: (line.expired, order[line.pk]))


@dataclass(frozen=True)
class ExpiringCredits:
    """Free credits of valid blocks expiring within `days`: how many, and the first date."""

    credits: Decimal
    first_at: datetime
    days: int


def credits_expiring(
    *, account: CreditAccount | None, now: datetime, days: int = 30
) -> ExpiringCredits | None:
    lines = [
        line
        for line in credit_blocks_of(account=account, now=now)
        if not line.expired
        and line.expires_at is not None
        and line.expires_at <= now + timedelta(days=days)
        and line.free > 0
    ]
    if not lines:
        return None
    return ExpiringCredits(
        credits=sum((line.free for line in lines), Decimal("0")),
        first_at=min(line.expires_at for line in lines if line.expires_at is not None),
        days=days,
    )


# Days before a block expires at which its customer is told, longest first.
EXPIRY_REMINDER_DAYS = (30, 7)


def expiry_threshold(expires_at: datetime, now: datetime) -> int | None:
    """The reminder a block expiring at `expires_at` is due for now: the shortest threshold
    it is within (7 days, else 30), None beyond 30 days or once expired."""
    if expires_at <= now:
        return None
    due = [days for days in EXPIRY_REMINDER_DAYS if expires_at - now <= timedelta(days=days)]
    return min(due) if due else None


def expiry_reminders_due(*, now: datetime) -> list[tuple[int, int]]:
    """(block, threshold in days) for every valid block with free credits expiring within
    the longest threshold whose reminder was not sent yet (`credits.tasks`)."""
    horizon = now + timedelta(days=max(EXPIRY_REMINDER_DAYS))
    blocks = list(
        CreditBlock.objects.filter(expires_at__gt=now, expires_at__lte=horizon, remaining__gt=0)
        .exclude(kind=BlockKind.DEBT)
        .values_list("pk", "account_id", "remaining", "expires_at")
    )
    reserved = _reserved_by_block(sorted({account_id for _pk, account_id, _r, _e in blocks}))
    due = []
    for pk, _account_id, remaining, expires_at in blocks:
        threshold = None if expires_at is None else expiry_threshold(expires_at, now)
        if threshold is not None and remaining > reserved.get(pk, Decimal("0")):
            due.append((pk, threshold))
    sent = set(
        SentMail.objects.filter(
            kind=EXPIRY_REMINDER_KIND, about__in=[f"{pk}:{days}" for pk, days in due]
        ).values_list("about", flat=True)
    )
    return [(pk, days) for pk, days in due if f"{pk}:{days}" not in sent]


EXPIRY_REMINDER_KIND = "credits_expiring"
