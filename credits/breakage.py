"""What prepaid credits mean for the books, per currency and period (a selector: it reads).

Credits sold and not yet used are deferred revenue; credits that expire unused are breakage.
Each credit is valued at what the customer paid for the block it came from (a purchase's
amount over its credits; grants, included credits, refunds of work and corrections are worth
nothing), so the figures add up in money as in credits:

    outstanding = opening + sold + granted - used - expired - refunded + adjusted

- sold: credits bought (top-ups) and what was paid for them;
- granted: credits that cost nothing (courtesies, the month's included credits, refunds of
  work, positive corrections);
- used: credits charged for work (charges, no-shows), and credits that paid a debt for work
  already delivered; a reversed charge gives them back;
- expired: credits that lapsed unused (breakage);
- refunded: credits taken back because their purchase was refunded;
- adjusted: other corrections (adjustments, reversals of credits in);
- opening and outstanding: credits left in blocks at the start and the end (never the debt:
  work charged beyond every block is owed, not prepaid).

Accounts that track blocks are read from their block movements; accounts whose credits never
expire from their entries, as the same rules would have drawn them (one block per credit in,
the oldest first). A block's value is drawn in proportion to its credits and rounded half up
once per draw; its last credit takes what value is left, so a block's draws add up to what
was paid for it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from djmoney.money import Money

from core.money import round_half_up, zero
from credits.models import (
    CONSUMED_KINDS,
    BlockKind,
    CreditAccount,
    CreditBlock,
    EntryKind,
    LedgerEntry,
)

ZERO = Decimal("0")
FIGURES = ("opening", "sold", "granted", "used", "expired", "refunded", "adjusted", "outstanding")


@dataclass
class BreakageRow:
    """One currency's figures: credits and their value for each of `FIGURES`."""

    currency: str
    credits: dict[str, Decimal] = field(default_factory=dict)
    values: dict[str, Money] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in FIGURES:
            self.credits.setdefault(name, ZERO)
            self.values.setdefault(name, zero(self.currency))

    def add(self, figure: str, credits: Decimal, value: Money) -> None:
        self.credits[figure] += credits
        self.values[figure] += value

    @property
    def deferred_revenue(self) -> Money:
        return self.values["outstanding"]

    @property
    def breakage(self) -> Money:
        return self.values["expired"]

    def figures(self) -> Iterator[tuple[str, Decimal, Money]]:
        for name in FIGURES:
            yield name, self.credits[name], self.values[name]


@dataclass
class _Lot:
    """A block's credits and value left, and what each of its credits was worth."""

    credits: Decimal
    value: Money
    unit: Decimal  # value per credit when it arrived


def _flow_of_draw(kind: str) -> tuple[str, int]:
    """Where credits taken from a block go, and the sign they are added with."""
    if kind in CONSUMED_KINDS:
        return "used", 1
    if kind == EntryKind.EXPIRY:
        return "expired", 1
    if kind == EntryKind.PURCHASE_REFUNDED:
        return "refunded", 1
    if kind in (EntryKind.ADJUSTMENT, EntryKind.REVERSAL):
        return "adjusted", -1
    return "used", 1  # credits in paying a debt for work already delivered


class _Replay:
    """One account's ledger replayed in order, adding its flows of the period to `row`."""

    def __init__(self, row: BreakageRow, start: datetime, end: datetime) -> None:
        self.row, self.start, self.end = row, start, end
        self.currency = row.currency
        self.lots: dict[object, _Lot] = {}
        self.debt = ZERO
        self.debt_block: int | None = None
        self.kinds: dict[int, str] = {}
        self.draws: dict[int, list[tuple[object, Decimal]]] = {}
        self.created: dict[int, list[object]] = {}
        self.opened = False
        self.tracking = False
        self.counter = 0

    # Figures.

    def _counts(self, at: datetime) -> bool:
        return self.start <= at < self.end

    def _flow(
        self, at: datetime, figure: str, credits: Decimal, value: Money, sign: int = 1
    ) -> None:
        if self._counts(at):
            self.row.add(figure, sign * credits, value * sign)

    def snapshot(self, figure: str) -> None:
        credits = sum((lot.credits for lot in self.lots.values()), ZERO)
        value = sum((lot.value for lot in self.lots.values()), zero(self.currency))
        self.row.add(figure, credits, value)

    # Lots.

    def _new_lot(self, key: object, credits: Decimal, amount: Decimal | None) -> _Lot:
        value = Money(amount or ZERO, self.currency)
        lot = _Lot(credits, value, (value.amount / credits) if credits else ZERO)
        self.lots[key] = lot
        return lot

    def _take(self, lot: _Lot, credits: Decimal) -> Money:
        if credits >= lot.credits:
            value = lot.value
        else:
            value = round_half_up(Money(lot.value.amount * credits / lot.credits, self.currency))
        lot.credits -= credits
        lot.value -= value
        return value

    def _give(self, lot: _Lot, credits: Decimal) -> Money:
        value = round_half_up(Money(lot.unit * credits, self.currency))
        lot.credits += credits
        lot.value += value
        return value

    def _restore_flow(
        self, at: datetime, reversed_id: int | None, credits: Decimal, value: Money
    ) -> None:
        kind = self.kinds.get(reversed_id or 0, EntryKind.ADJUSTMENT)
        figure, sign = _flow_of_draw(kind)
        self._flow(at, figure, credits, value, -sign)

    # Entries.

    def entry(self, row: tuple, movements: list[tuple], new_blocks: list[tuple]) -> None:
        pk, kind, credits, amount, created_at, reverses_id = row
        self.kinds[pk] = kind
        if movements or new_blocks:
            self._on_blocks(kind, created_at, reverses_id, movements, new_blocks)
        elif credits > 0:
            self._virtual_credit(pk, kind, credits, amount, created_at, reverses_id)
        else:
            self._virtual_debit(pk, kind, -credits, created_at, reverses_id)

    def _on_blocks(
        self,
        kind: str,
        created_at: datetime,
        reverses_id: int | None,
        movements: list[tuple],
        new_blocks: list[tuple],
    ) -> None:
        opening = not self.tracking
        self.tracking = True
        for block_pk, block_kind, block_credits, block_amount in new_blocks:
            if opening and block_kind in (BlockKind.OPENING, BlockKind.DEBT):
                # The balance so far, as the replay valued it, becomes the opening block.
                if block_kind == BlockKind.DEBT:
                    self.debt_block = block_pk
                    continue
                credits_left = sum((lot.credits for lot in self.lots.values()), ZERO)
                value_left = sum((lot.value for lot in self.lots.values()), zero(self.currency))
                self.lots = {}
                self._new_lot(block_pk, credits_left, value_left.amount)
                continue
            if block_kind == BlockKind.DEBT:
                self.debt_block = block_pk
                continue
            paid = block_amount if kind == EntryKind.TOP_UP else None
            lot = self._new_lot(block_pk, block_credits, paid)
            if kind == EntryKind.TOP_UP:
                self._flow(created_at, "sold", block_credits, lot.value)
            elif kind == EntryKind.REVERSAL:
                self._restore_flow(created_at, reverses_id, block_credits, lot.value)
            else:
                self._flow(created_at, "granted", block_credits, lot.value)
        for block_pk, moved, _reserved in movements:
            if block_pk == self.debt_block:
                continue
            moved_lot = self.lots.get(block_pk)
            if moved_lot is None:
                continue
            if moved < 0:
                value = self._take(moved_lot, -moved)
                figure, sign = _flow_of_draw(kind)
                self._flow(created_at, figure, -moved, value, sign)
            else:
                value = self._give(moved_lot, moved)
                self._restore_flow(created_at, reverses_id, moved, value)

    def _virtual_credit(
        self,
        pk: int,
        kind: str,
        credits: Decimal,
        amount: Decimal | None,
        created_at: datetime,
        reverses_id: int | None,
    ) -> None:
        paid = min(credits, -self.debt)
        self.debt += paid
        left = credits - paid
        if kind == EntryKind.REVERSAL and reverses_id in self.draws:
            for key, taken in self.draws[reverses_id]:
                drawn = self.lots.get(key)
                back = min(taken, left)
                if drawn is None or back <= 0:
                    continue
                value = self._give(drawn, back)
                self._restore_flow(created_at, reverses_id, back, value)
                left -= back
            if left > 0:
                self._counter_lot(pk, left, None)
                self._restore_flow(created_at, reverses_id, left, zero(self.currency))
            return
        # A new purchase or grant; the part that paid a debt was used at once.
        key = self._counter_lot(pk, credits, amount if kind == EntryKind.TOP_UP else None)
        lot = self.lots[key]
        figure = "sold" if kind == EntryKind.TOP_UP else "granted"
        if kind == EntryKind.REVERSAL:
            self._restore_flow(created_at, reverses_id, credits, lot.value)
        else:
            self._flow(created_at, figure, credits, lot.value)
        if paid > 0:
            self._flow(created_at, "used", paid, self._take(lot, paid))

    def _counter_lot(self, pk: int, credits: Decimal, amount: Decimal | None) -> object:
        self.counter += 1
        key = ("v", self.counter)
        self._new_lot(key, credits, amount)
        self.created.setdefault(pk, []).append(key)
        return key

    def _virtual_debit(
        self, pk: int, kind: str, need: Decimal, created_at: datetime, reverses_id: int | None
    ) -> None:
        order = list(self.created.get(reverses_id or 0, [])) if kind == EntryKind.REVERSAL else []
        order += [key for key in self.lots if key not in order]
        figure, sign = _flow_of_draw(kind)
        taken = []
        for key in order:
            lot = self.lots.get(key)
            if need <= 0:
                break
            if lot is None or lot.credits <= 0:
                continue
            take = min(lot.credits, need)
            value = self._take(lot, take)
            self._flow(created_at, figure, take, value, sign)
            taken.append((key, take))
            need -= take
        self.draws[pk] = taken
        self.debt -= need


_ENTRY_FIELDS = ("pk", "kind", "credits", "amount", "created_at", "reverses_id")


def credit_breakage(
    *,
    start: datetime,
    end: datetime,
    currency: str | None = None,
    customer_id: int | None = None,
) -> list[BreakageRow]:
    """Each currency's credits sold, granted, used, expired (breakage), refunded, adjusted,
    and outstanding at `start` and `end` (deferred revenue), valued at what customers paid
    (see the module docstring). Currencies with no credits at all in the period are left
    out. Two streamed queries plus one for blocks; decimals summed in Python."""
    accounts = CreditAccount.objects.select_related(None).order_by("pk")
    if currency:
        accounts = accounts.filter(customer__currency=currency)
    if customer_id is not None:
        accounts = accounts.filter(customer_id=customer_id)
    account_rows = list(accounts.values_list("pk", "customer__currency"))
    ids = [pk for pk, _currency in account_rows]
    blocks: dict[int, dict[int, list[tuple]]] = {}
    for block in (
        CreditBlock.objects.filter(account_id__in=ids)
        .order_by("pk")
        .values_list("account_id", "sequence", "pk", "kind", "credits", "amount")
    ):
        blocks.setdefault(block[0], {}).setdefault(block[1], []).append(block[2:])
    entries = (
        LedgerEntry.objects.filter(account_id__in=ids, created_at__lt=end)
        .order_by("account_id", "sequence", "block_movements__block_id")
        .values_list(
            "account_id",
            "sequence",
            *_ENTRY_FIELDS,
            "block_movements__block_id",
            "block_movements__credits",
            "block_movements__reserved",
        )
    )
    rows: dict[str, BreakageRow] = {}
    replays: dict[int, _Replay] = {}
    currency_of = dict(account_rows)
    current: tuple | None = None
    movements: list[tuple] = []

    def flush() -> None:
        if current is None:
            return
        account_id, sequence, *entry = current
        replay = replays[account_id]
        if not replay.opened and entry[4] >= start:
            replay.snapshot("opening")
            replay.opened = True
        replay.entry(tuple(entry), movements, blocks.get(account_id, {}).get(sequence, []))

    for account_id in ids:
        code = currency_of[account_id]
        row = rows.setdefault(code, BreakageRow(code))
        replays[account_id] = _Replay(row, start, end)
    for values in entries.iterator(chunk_size=5000):
        head, movement = values[:8], values[8:]
        if current is None or head[:2] != current[:2]:
            flush()
            current, movements = head, []
        if movement[0] is not None:
            movements.append(movement)
    flush()
    for replay in replays.values():
        if not replay.opened:
            replay.snapshot("opening")
        replay.snapshot("outstanding")
    return [
        row
        for _code, row in sorted(rows.items())
        if any(credits for _name, credits, _value in row.figures())
    ]
