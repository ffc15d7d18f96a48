"""The ledger's write primitives: append an entry, place a hold, close a hold.

Only `credits.services` calls these; they assume validated input.

The hash chain
--------------
Every entry of an account has a `sequence` (1, 2, 3, ...) and an `entry_hash`:

    entry_hash = sha256(previous_hash "\\n" sequence "\\n" balance_after "\\n" content)

where previous_hash is the previous entry's hash (64 zeros for the first entry),
balance_after is written with exactly two decimals, and content is the canonical JSON of
everything else the entry says (`NewEntry.content`). The account row keeps the last
sequence (`entry_count`) and hash (`chain_head`), so an append reads nothing but the
account row it locks, and deleting the last entry is as visible as changing any other.
`credits.selectors.ledger_verify` recomputes all of it from the entries.

Writes and the lock order
-------------------------
On PostgreSQL each write is ONE statement: a data-modifying CTE that closes the hold (if
any), updates the account row -- checking availability in its WHERE clause and computing
the new chain head with the server's sha256() -- and inserts the entry from the values
the UPDATE returns. Outside a caller's transaction that statement runs in autocommit, so
the account row (a hot row: one busy customer) is locked and released inside the server
and never across a network round trip. Inside a caller's transaction the lock is held
until the caller commits, which is what intake wants (lock, check solvency, hold).

Elsewhere (SQLite: one writer at a time, IMMEDIATE transactions) the same steps run in
Python inside `transaction.atomic()`, after `select_for_update()` of the same rows.

Rows are locked in the order `credits.locks` gives (the hold being closed, then its
account, always last), through its functions.

Blocks
------
An account whose credits may expire tracks blocks (`credits.blocks`): each of its entries
says which blocks it created and what it took from or gave back to each block, and that
list is part of the entry's content (content version 2), so the chain covers block
movements too. Those writes run in Python under the account's row lock, then append with
these same statements; every statement checks the account is in the state the caller
decided on (`tracks_blocks`), so a one-statement write never lands on an account that
began to track blocks meanwhile.
"""

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from hashlib import sha256

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from djmoney.money import Money

from core.bulk import row_update, rows_insert
from credits.exceptions import (
    BalanceOutOfRange,
    HoldAccountMismatch,
    HoldNotActive,
    InsufficientCredits,
)
from credits.locks import account_lock, account_lock_if_exists, active_hold_lock
from credits.models import CreditAccount, CreditHold, LedgerEntry

CONTENT_VERSION = 1
# Entries of an account that tracks blocks: version 1's fields, then the blocks the entry
# created and its block movements (`block_content`).
BLOCKS_CONTENT_VERSION = 2


def credits_text(value: Decimal) -> str:
    """Two decimals, no exponent, no negative zero: what PostgreSQL's numeric(12,2)::text says."""
    if value == 0:
        return "0.00"
    return f"{value:.2f}"


def timestamp_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# WARNING: changing chain_hash, entry_content or credits_text (or the SQL that mirrors them
# in _PG_APPEND) makes every existing entry fail verification. A new format needs a new
# CONTENT_VERSION recorded in the content, with the old one kept for old entries.
def chain_hash(*, previous_hash: str, sequence: int, balance_after: Decimal, content: str) -> str:
    message = f"{previous_hash}\n{sequence}\n{credits_text(balance_after)}\n{content}"
    return sha256(message.encode("utf-8")).hexdigest()


def entry_content(
    *,
    account_id: int,
    kind: str,
    credits: Decimal,
    amount: Decimal | None,
    amount_currency: str | None,
    hold_id: int | None,
    reverses_id: int | None,
    reference_type: str,
    reference_id: str,
    created_by_id: int | None,
    reason: str,
    idempotency_key: str | None,
    created_at: datetime,
    blocks: list | None = None,
) -> str:
    fields = [
        CONTENT_VERSION if blocks is None else BLOCKS_CONTENT_VERSION,
        account_id,
        kind,
        credits_text(credits),
        None if amount is None else credits_text(amount),
        None if amount is None else amount_currency,
        hold_id,
        reverses_id,
        reference_type,
        reference_id,
        created_by_id,
        reason,
        idempotency_key,
        timestamp_text(created_at),
    ]
    if blocks is not None:
        fields.extend(blocks)
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def block_content(*, new_blocks: list[tuple], movements: list[tuple]) -> list:
    """The blocks part of an entry's content, in a canonical order: the blocks it created as
    (pk, kind, credits, expires_at, amount, currency), by pk, and its movements as
    (block pk, credits, reserved), by block and reserved."""
    return [
        [
            [
                pk,
                kind,
                credits_text(credits),
                None if expires_at is None else timestamp_text(expires_at),
                None if amount is None else credits_text(amount),
                None if amount is None else currency,
            ]
            for pk, kind, credits, expires_at, amount, currency in sorted(
                new_blocks, key=lambda block: block[0]
            )
        ],
        [
            [block_id, credits_text(credits), bool(reserved)]
            for block_id, credits, reserved in sorted(
                movements, key=lambda movement: (movement[0], bool(movement[2]))
            )
        ],
    ]


@dataclass(frozen=True)
class NewEntry:
    account_id: int
    kind: str
    credits: Decimal
    created_at: datetime
    amount: Money | None = None
    hold_id: int | None = None
    reverses_id: int | None = None
    reference_type: str = ""
    reference_id: str = ""
    created_by_id: int | None = None
    reason: str = ""
    reason_en: str = ""  # not in the content: see LedgerEntry.reason_en
    idempotency_key: str | None = None
    # Refuse unless the account's available credits cover this debit (all debits but
    # charges for work already done, which may take the balance below zero).
    needs_available: bool = False
    # The blocks part of the content (`block_content`) on an account that tracks blocks
    # (or begins to with this entry); `was_tracked`: what the writer found under the lock.
    # The write refuses (None) when the account is not in that state.
    blocks: list | None = None
    was_tracked: bool = False

    def content(self) -> str:
        return entry_content(
            account_id=self.account_id,
            kind=self.kind,
            credits=self.credits,
            amount=None if self.amount is None else self.amount.amount,
            amount_currency=None if self.amount is None else str(self.amount.currency),
            hold_id=self.hold_id,
            reverses_id=self.reverses_id,
            reference_type=self.reference_type,
            reference_id=self.reference_id,
            created_by_id=self.created_by_id,
            reason=self.reason,
            idempotency_key=self.idempotency_key,
            created_at=self.created_at,
            blocks=self.blocks,
        )

    def to_model(
        self, *, pk: int | None, sequence: int, balance_after: Decimal, entry_hash: str
    ) -> LedgerEntry:
        """The entry as the database now holds it, built without another query."""
        values = {
            "id": pk,
            "account_id": self.account_id,
            "sequence": sequence,
            "kind": self.kind,
            "credits": self.credits,
            "balance_after": balance_after,
            "amount": None if self.amount is None else self.amount.amount,
            "amount_currency": None if self.amount is None else str(self.amount.currency),
            "hold_id": self.hold_id,
            "reverses_id": self.reverses_id,
            "reference_type": self.reference_type,
            "reference_id": self.reference_id,
            "created_by_id": self.created_by_id,
            "reason": self.reason,
            "reason_en": self.reason_en,
            "idempotency_key": self.idempotency_key,
            "created_at": self.created_at,
            "entry_hash": entry_hash,
        }
        return LedgerEntry.from_db(
            DEFAULT_DB_ALIAS, _ENTRY_ATTNAMES, [values[name] for name in _ENTRY_ATTNAMES]
        )


_ENTRY_ATTNAMES = [field.attname for field in LedgerEntry._meta.concrete_fields]


@dataclass(frozen=True)
class AccountState:
    balance: Decimal
    held: Decimal
    entry_count: int
    chain_head: str

    def apply_to(self, account: CreditAccount) -> None:
        account.balance = self.balance
        account.held = self.held
        account.entry_count = self.entry_count
        account.chain_head = self.chain_head


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _fetch_one(sql: str, params: dict, *, may_conflict: bool) -> tuple | None:
    """Run one statement. Outside a transaction it is its own (autocommit); inside one, a
    statement that may hit a unique constraint runs in a savepoint so that the caller's
    transaction stays usable after the refusal."""
    db = connections[DEFAULT_DB_ALIAS]  # one lookup: the proxy costs a context-local read
    if may_conflict and db.in_atomic_block:
        with transaction.atomic():
            return _execute_prepared(db, sql, params)
    return _execute_prepared(db, sql, params)


class _NotWritten(Exception):
    """Rolls back a statement that wrote part of what it was asked to."""


def _fetch_one_or_undo(sql: str, params: dict) -> tuple | None:
    """Run one statement in its own transaction (a savepoint inside the caller's), undone
    when it returns no row. A charge converts its hold in the statement's first step; when
    a later check refuses (the balance's range, the account's block state) nothing else is
    written, and the hold must stay active."""
    db = connections[DEFAULT_DB_ALIAS]
    try:
        with transaction.atomic():
            row = _execute_prepared(db, sql, params)
            if row is None:
                raise _NotWritten
    except _NotWritten:
        return None
    return row


def _execute_prepared(db: BaseDatabaseWrapper, sql: str, params: dict) -> tuple | None:
    """Execute with server-side parameters as a prepared statement, on Django's own
    connection and transaction. The ledger statements are the hottest in Creditdesk, and a
    CTE this size costs the server more to parse and plan than to run: prepared, it is
    planned once per connection (the `prepare_threshold` option in settings.py lets psycopg
    prepare; bench/README.md has the figures)."""
    db.ensure_connection()
    db.validate_no_broken_transaction()
    cursor = _ledger_cursor(db)
    started = time.monotonic()
    with db.wrap_database_errors:
        cursor.execute(sql, params, prepare=True)
        row = cursor.fetchone()
    if db.queries_logged:
        # Keep query counts honest (django_assert_num_queries, debug toolbar).
        db.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
    return row


def _ledger_cursor(db: BaseDatabaseWrapper) -> psycopg.Cursor:
    """One psycopg cursor per open connection, kept for the ledger statements: a new cursor
    per statement costs a fresh adapter context, and its dumper lookups, every time.
    Django's connections are per thread, so the cursor is too."""
    cursor = getattr(db, "_creditdesk_ledger_cursor", None)
    if cursor is None or cursor.connection is not db.connection:
        cursor = psycopg.Cursor(db.connection)
        db._creditdesk_ledger_cursor = cursor  # type: ignore[attr-defined]  # our cache slot
    return cursor


_PG_APPEND = """
WITH {hold_cte}acc AS (
    UPDATE credits_creditaccount AS a
    SET balance = a.balance + %(credits)s,
        held = a.held - {released},
        entry_count = a.entry_count + 1,
        tracks_blocks = %(tracks)s,
        chain_head = encode(sha256(convert_to(
            a.chain_head || chr(10) || (a.entry_count + 1)::text || chr(10)
            || (a.balance + %(credits)s)::numeric(12, 2)::text || chr(10) || %(content)s::text,
            'UTF8')), 'hex')
    {from_hold}
    WHERE a.id = %(account_id)s AND abs(a.balance + %(credits)s) < %(balance_limit)s
        AND a.tracks_blocks = %(was_tracked)s {guard}
    RETURNING a.id, a.entry_count, a.balance, a.held, a.chain_head
), e AS (
    INSERT INTO credits_ledgerentry (
        account_id, sequence, kind, credits, balance_after, amount, amount_currency,
        hold_id, reverses_id, reference_type, reference_id, created_by_id, reason,
        reason_en, idempotency_key, created_at, entry_hash)
    SELECT acc.id, acc.entry_count, %(kind)s::text, %(credits)s, acc.balance,
        %(amount)s::numeric, %(amount_currency)s::text, %(hold_id)s::bigint,
        %(reverses_id)s::bigint, %(reference_type)s::text, %(reference_id)s::text,
        %(created_by_id)s::integer, %(reason)s::text, %(reason_en)s::text,
        %(idempotency_key)s::text,
        %(created_at)s::timestamptz, acc.chain_head
    FROM acc
    RETURNING id
)
SELECT e.id, acc.entry_count, acc.balance, acc.held, acc.chain_head FROM e, acc
"""

_PG_CONVERT_HOLD = """h AS (
    UPDATE credits_credithold
    SET status = 'converted', closed_at = %(created_at)s::timestamptz
    WHERE id = %(hold_id)s AND account_id = %(account_id)s AND status = 'active'
    RETURNING credits
), """


def _pg_append_sql(*, converts_hold: bool, needs_available: bool) -> str:
    return _PG_APPEND.format(
        hold_cte=_PG_CONVERT_HOLD if converts_hold else "",
        released="h.credits" if converts_hold else "0",
        from_hold="FROM h" if converts_hold else "",
        guard="AND a.balance - a.held >= -(%(credits)s)" if needs_available else "",
    )


_PG_APPEND_SQL = {
    (converts_hold, needs_available): _pg_append_sql(
        converts_hold=converts_hold, needs_available=needs_available
    )
    for converts_hold in (False, True)
    for needs_available in (False, True)
}


# A balance beyond what `CreditAccount.balance` holds is refused before any write: PostgreSQL
# would fail the statement, SQLite would store a number no later read could convert.
_BALANCE = CreditAccount._meta.get_field("balance")
BALANCE_LIMIT = Decimal(10) ** (_BALANCE.max_digits - _BALANCE.decimal_places)


def balance_fits(balance: Decimal) -> bool:
    return abs(balance) < BALANCE_LIMIT


def refusal(new: NewEntry, *, account: CreditAccount | None = None) -> Exception:
    """Why a write of `new` returned None, from the account (read now unless given)."""
    if account is None:
        account = CreditAccount.objects.get(pk=new.account_id)  # DoesNotExist: no account
    if not balance_fits(account.balance + new.credits):
        return BalanceOutOfRange(
            credits=new.credits, balance=account.balance + new.credits, limit=BALANCE_LIMIT
        )
    if new.hold_id is not None:
        hold = CreditHold.objects.get(pk=new.hold_id)
        if hold.account_id != new.account_id:
            return HoldAccountMismatch(hold=hold.pk)
        if not hold.is_active:
            return HoldNotActive(hold=hold.pk)
    return InsufficientCredits(available=account.available, required=-new.credits)


def append_entry(new: NewEntry) -> tuple[LedgerEntry, AccountState] | None:
    """Append one entry and move the account's caches with it; None when the account does not
    exist, the hold is not an active hold of the account, available credits do not cover
    a debit that needs them, or the balance would leave what its column holds. Raises
    IntegrityError on a reused idempotency key or a second reversal of an entry (the unique
    constraints decide; nothing is written)."""
    if _is_postgresql():
        return _append_postgresql(new)
    return _append_generic(new)


def _append_postgresql(new: NewEntry) -> tuple[LedgerEntry, AccountState] | None:
    sql = _PG_APPEND_SQL[(new.hold_id is not None, new.needs_available)]
    params = {
        "account_id": new.account_id,
        "kind": new.kind,
        "credits": new.credits,
        "content": new.content(),
        "amount": None if new.amount is None else new.amount.amount,
        "amount_currency": None if new.amount is None else str(new.amount.currency),
        "hold_id": new.hold_id,
        "reverses_id": new.reverses_id,
        "reference_type": new.reference_type,
        "reference_id": new.reference_id,
        "created_by_id": new.created_by_id,
        "reason": new.reason,
        "reason_en": new.reason_en,
        "idempotency_key": new.idempotency_key,
        "created_at": new.created_at,
        "balance_limit": BALANCE_LIMIT,
        "tracks": new.blocks is not None,
        "was_tracked": new.was_tracked,
    }
    may_conflict = new.idempotency_key is not None or new.reverses_id is not None
    if new.hold_id is None:
        row = _fetch_one(sql, params, may_conflict=may_conflict)
    else:
        row = _fetch_one_or_undo(sql, params)
    if row is None:
        return None
    pk, sequence, balance, held, head = row
    entry = new.to_model(pk=pk, sequence=sequence, balance_after=balance, entry_hash=head)
    return entry, AccountState(balance=balance, held=held, entry_count=sequence, chain_head=head)


def _append_generic(new: NewEntry) -> tuple[LedgerEntry, AccountState] | None:
    # Decimal arithmetic happens here in Python, never in SQL: SQLite would do it in floats.
    with transaction.atomic():
        released = Decimal("0")
        if new.hold_id is not None:
            hold = active_hold_lock(new.hold_id, account_id=new.account_id)
            if hold is None:
                return None
            released = hold.credits
        account = account_lock_if_exists(new.account_id)
        if account is None:
            return None
        if account.tracks_blocks != new.was_tracked:
            return None
        if new.needs_available and account.available < -new.credits:
            return None
        if not balance_fits(account.balance + new.credits):
            return None
        state = AccountState(
            balance=account.balance + new.credits,
            held=account.held - released,
            entry_count=account.entry_count + 1,
            chain_head=chain_hash(
                previous_hash=account.chain_head,
                sequence=account.entry_count + 1,
                balance_after=account.balance + new.credits,
                content=new.content(),
            ),
        )
        entry = new.to_model(
            pk=None,
            sequence=state.entry_count,
            balance_after=state.balance,
            entry_hash=state.chain_head,
        )
        entry._state.adding = True
        entry.save(force_insert=True)
        CreditAccount.objects.filter(pk=account.pk).update(
            balance=state.balance,
            held=state.held,
            entry_count=state.entry_count,
            chain_head=state.chain_head,
            tracks_blocks=new.blocks is not None,
        )
        if new.hold_id is not None:
            CreditHold.objects.filter(pk=new.hold_id).update(
                status=CreditHold.Status.CONVERTED, closed_at=new.created_at
            )
    return entry, state


_PG_PLACE_HOLD = """
WITH acc AS (
    UPDATE credits_creditaccount AS a
    SET held = a.held + %(credits)s
    WHERE a.id = %(account_id)s AND a.balance - a.held >= %(needed)s
        AND a.tracks_blocks = %(tracked)s
    RETURNING a.id, a.balance, a.held, a.entry_count, a.chain_head
), h AS (
    INSERT INTO credits_credithold (
        account_id, credits, status, available_after, reference_type, reference_id,
        created_at, closed_at)
    SELECT acc.id, %(credits)s, 'active', acc.balance - acc.held, %(reference_type)s::text,
        %(reference_id)s::text, %(created_at)s::timestamptz, NULL
    FROM acc
    RETURNING id, available_after
)
SELECT h.id, h.available_after, acc.balance, acc.held, acc.entry_count, acc.chain_head
FROM h, acc
"""


def place_hold(
    *,
    account_id: int,
    credits: Decimal,
    needed: Decimal,
    reference_type: str,
    reference_id: str,
    created_at: datetime,
    tracked: bool = False,
    locked: CreditAccount | None = None,
) -> tuple[CreditHold, AccountState] | None:
    """Reserve `credits` if the account has at least `needed` available and tracks blocks
    as `tracked` says (the caller allocates the hold to blocks); None otherwise. `locked` is
    the account as the caller read it under its lock in the current transaction (intake):
    elsewhere than PostgreSQL the hold is then decided on it, with no savepoint and no
    second read, in two statements (PostgreSQL decides in its one statement anyway)."""
    hold = CreditHold(
        account_id=account_id,
        credits=credits,
        status=CreditHold.Status.ACTIVE,
        reference_type=reference_type,
        reference_id=reference_id,
        created_at=created_at,
    )
    if _is_postgresql():
        return _place_hold_postgresql(hold, needed=needed, tracked=tracked)
    if locked is not None and locked.pk == account_id:
        return _place_hold_on(locked, hold, needed=needed, tracked=tracked)
    with transaction.atomic():
        return _place_hold_on(
            account_lock_if_exists(account_id), hold, needed=needed, tracked=tracked
        )


def _place_hold_on(
    account: CreditAccount | None, hold: CreditHold, *, needed: Decimal, tracked: bool
) -> tuple[CreditHold, AccountState] | None:
    """`place_hold` decided on `account` as read under its lock (None: no account)."""
    if account is None or account.available < needed or account.tracks_blocks != tracked:
        return None
    hold.available_after = account.available - hold.credits
    rows_insert([hold])
    account.held += hold.credits
    row_update(account, ("held",))
    state = AccountState(
        balance=account.balance,
        held=account.held,
        entry_count=account.entry_count,
        chain_head=account.chain_head,
    )
    return hold, state


def _place_hold_postgresql(
    hold: CreditHold, *, needed: Decimal, tracked: bool
) -> tuple[CreditHold, AccountState] | None:
    row = _fetch_one(
        _PG_PLACE_HOLD,
        {
            "account_id": hold.account_id,
            "credits": hold.credits,
            "needed": needed,
            "reference_type": hold.reference_type,
            "reference_id": hold.reference_id,
            "created_at": hold.created_at,
            "tracked": tracked,
        },
        may_conflict=False,
    )
    if row is None:
        return None
    hold.pk, hold.available_after, balance, held, count, head = row
    hold._state.adding = False
    hold._state.db = DEFAULT_DB_ALIAS
    return hold, AccountState(balance=balance, held=held, entry_count=count, chain_head=head)


_PG_RELEASE_HOLD = """
WITH h AS (
    UPDATE credits_credithold
    SET status = 'released', closed_at = %(closed_at)s::timestamptz
    WHERE id = %(hold_id)s AND status = 'active'
    RETURNING account_id, credits
)
UPDATE credits_creditaccount AS a SET held = a.held - h.credits
FROM h WHERE a.id = h.account_id
RETURNING a.balance, a.held, a.entry_count, a.chain_head
"""


def release_hold(*, hold_id: int, closed_at: datetime) -> AccountState | None:
    """Release an active hold; None when it is not active (already released or charged)."""
    if _is_postgresql():
        return _release_hold_postgresql(hold_id=hold_id, closed_at=closed_at)
    with transaction.atomic():
        hold = active_hold_lock(hold_id)
        if hold is None:
            return None
        account = account_lock(hold.account_id)
        CreditHold.objects.filter(pk=hold_id).update(
            status=CreditHold.Status.RELEASED, closed_at=closed_at
        )
        CreditAccount.objects.filter(pk=account.pk).update(held=account.held - hold.credits)
    return AccountState(
        balance=account.balance,
        held=account.held - hold.credits,
        entry_count=account.entry_count,
        chain_head=account.chain_head,
    )


def _release_hold_postgresql(*, hold_id: int, closed_at: datetime) -> AccountState | None:
    row = _fetch_one(
        _PG_RELEASE_HOLD, {"hold_id": hold_id, "closed_at": closed_at}, may_conflict=False
    )
    return None if row is None else AccountState(*row)
