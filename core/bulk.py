"""Many rows of one model in one hand-written INSERT, without the ORM's per-value compiling.

`QuerySet.bulk_create` spends most of its time building the SQL of each value in Python;
for the hot batch writes (the monthly run's invoices, lines, status rows and their mail
tasks) `rows_insert` picks one converter per column (the backend's own adapters) and writes
the rows in one statement: on PostgreSQL an INSERT ... SELECT FROM unnest of one array per
column (plain VALUES for a few rows), elsewhere a multi-row VALUES per batch of rows the
parameter limit allows.

Model hooks are not run (`save`, `pre_save`/`post_save` signals): callers insert rows whose
checks they made; the database's constraints and triggers still apply to every row.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from djmoney.models.fields import MoneyField
from djmoney.money import Money

Converter = Callable[[Any], Any]
Columns = list[tuple[models.Field, Converter]]


class Update(NamedTuple):
    sql: str
    values: list[tuple[str, Converter]]  # attribute name and converter, in the SET's order
    key: Converter  # the primary key's


def _converter(field: models.Field, db: BaseDatabaseWrapper) -> Converter:
    ops = db.ops
    if isinstance(field, MoneyField):
        return lambda value: value.amount if isinstance(value, Money) else value
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(
        field,
        (
            models.CharField,
            models.TextField,
            models.IntegerField,
            models.BooleanField,
            models.DecimalField,
            models.ForeignKey,
        ),
    ):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, db)


class _Statements:
    """What one connection keeps per model: its columns with their converters, and the
    INSERT's text per number of rows. Intake writes single rows in its hot path, where
    building these again cost about as much as the ORM's own insert (bench/README.md)."""

    def __init__(self, db: BaseDatabaseWrapper) -> None:
        self.db = db
        self.columns_of: dict[type[models.Model], Columns] = {}
        self.sql_of: dict[tuple[type[models.Model], int], str] = {}
        self.update_of: dict[tuple[type[models.Model], tuple[str, ...]], Update] = {}

    def columns(self, model: type[models.Model]) -> Columns:
        columns = self.columns_of.get(model)
        if columns is None:
            columns = self.columns_of[model] = [
                (field, _converter(field, self.db))
                for field in model._meta.concrete_fields
                if not (field.primary_key and isinstance(field, models.AutoField))
                and not field.generated
            ]
        return columns

    def update(self, model: type[models.Model], fields: tuple[str, ...]) -> Update:
        """The UPDATE of `fields` of one row by primary key, with the attribute and the
        converter of each value it takes."""
        key = (model, fields)
        update = self.update_of.get(key)
        if update is None:
            quote = self.db.ops.quote_name
            chosen = [(f, c) for f, c in self.columns(model) if f.name in fields]
            assignments = ", ".join(f"{quote(str(field.column))} = %s" for field, _ in chosen)
            pk_field = model._meta.pk
            assert pk_field is not None  # noqa: S101  # every model has one
            sql = (
                f"UPDATE {quote(model._meta.db_table)} SET {assignments}"  # noqa: S608
                f" WHERE {quote(str(pk_field.column))} = %s"
            )
            update = self.update_of[key] = Update(
                sql,
                [(field.attname, convert) for field, convert in chosen],
                _converter(pk_field, self.db),
            )
        return update

    def sql(self, model: type[models.Model], rows: int) -> str:
        """The INSERT of `rows` rows (PostgreSQL from `ARRAYS_FROM_ROWS` rows on: one
        statement for any number, one array per column)."""
        key = (model, -1 if _as_arrays(self.db, rows) else rows)
        sql = self.sql_of.get(key)
        if sql is None:
            sql = self.sql_of[key] = _insert_sql(self.db, model, self.columns(model), rows)
        return sql


def _statements_of(db: BaseDatabaseWrapper) -> _Statements:
    # Kept on the connection: Django's connections are per thread, and so are these.
    statements = getattr(db, "_creditdesk_bulk_statements", None)
    if statements is None:
        statements = _Statements(db)
        db._creditdesk_bulk_statements = statements  # type: ignore[attr-defined]
    return statements


# Below this many rows, PostgreSQL's INSERT takes plain VALUES (`_as_arrays`): VALUES costs
# less CPU up to three rows, arrays from four on (one task row: 155 against 300 µs; four:
# 417 against 422 µs; 64: 4.5 against 2.8 ms; bench/README.md).
ARRAYS_FROM_ROWS = 4


def _as_arrays(db: BaseDatabaseWrapper, rows: int) -> bool:
    """Whether the INSERT takes one array per column (PostgreSQL, several rows): a handful of
    parameters instead of one per value, which the driver would otherwise find in the
    statement one by one. A few rows (intake's ticket, message, hold, task, its two clocks)
    are cheaper as plain VALUES: the driver quotes each array element through its array
    dumper, about five calls a value."""
    return db.vendor == "postgresql" and rows >= ARRAYS_FROM_ROWS


def _insert_sql(
    db: BaseDatabaseWrapper, model: type[models.Model], columns: Columns, rows: int
) -> str:
    quote = db.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(field.column)) for field, _ in columns)
    pk_field = model._meta.pk
    assert pk_field is not None  # noqa: S101  # every model has one
    returning = (
        f" RETURNING {quote(str(pk_field.column))}"
        if isinstance(pk_field, models.AutoField)
        else ""
    )
    if _as_arrays(db, rows):
        # INSERT ... SELECT FROM unnest, as Django's own bulk_create on PostgreSQL. The
        # arrays' types drop their modifiers, as Django's do: a cast to varchar(32)[] would
        # cut a longer text without a word, where the column itself refuses it, as it does
        # the ORM's inserts.
        arrays = ", ".join(f"%s::{str(field.db_type(db)).split('(')[0]}[]" for field, _ in columns)
        return f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){returning}"  # noqa: S608
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    values = ", ".join([placeholder] * rows)
    return f"INSERT INTO {table} ({names}) VALUES {values}{returning}"  # noqa: S608


def batch_rows(columns: int, rows: int, *, fixed: int = 0) -> int:
    """How many of `rows` one statement may carry: each takes `columns` parameters, and the
    statement `fixed` more of its own, within the backend's limit (65535 at most: the
    PostgreSQL protocol's, where the backend names none)."""
    limit = min(connections[DEFAULT_DB_ALIAS].features.max_query_params or 65535, 65535)
    return max(1, min(rows, (limit - fixed) // columns))


def rows_insert(rows: Sequence[models.Model]) -> None:
    """INSERT unsaved instances of one model, one statement per batch of rows the backend's
    parameter limit allows (one for a monthly batch), and set their primary keys
    (RETURNING, in VALUES order as Django's bulk_create relies on) when the database makes
    them. `auto_now_add` fields get the current time."""
    if not rows:
        return
    db = connections[DEFAULT_DB_ALIAS]  # one lookup: the proxy costs a context-local read
    model = type(rows[0])
    statements = _statements_of(db)
    columns = statements.columns(model)
    now = timezone.now()
    for field, _convert in columns:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for row in rows:
                setattr(row, field.attname, now)
    returning = isinstance(model._meta.pk, models.AutoField)
    with db.cursor() as cursor:
        for part, params in _batches(db, columns, rows):
            cursor.execute(statements.sql(model, len(part)), params)
            if returning:
                for row, (pk_value,) in zip(part, cursor.fetchall(), strict=True):
                    row.pk = pk_value
    for row in rows:
        row._state.adding = False
        row._state.db = db.alias


def _batches(
    db: BaseDatabaseWrapper, columns: Columns, rows: Sequence[models.Model]
) -> Iterator[tuple[Sequence[models.Model], list[Any]]]:
    """The parameters of each INSERT of `rows`, with the rows it writes, in order."""
    if _as_arrays(db, len(rows)):
        yield (
            rows,
            [[convert(getattr(row, field.attname)) for row in rows] for field, convert in columns],
        )
        return
    step = batch_rows(len(columns), len(rows))
    for start in range(0, len(rows), step):
        part = rows[start : start + step]
        yield (
            part,
            [convert(getattr(row, field.attname)) for row in part for field, convert in columns],
        )


def row_update(row: models.Model, fields: tuple[str, ...]) -> None:
    """UPDATE these fields of one saved row, as `save(update_fields=...)` writes them (hooks
    not run, as in `rows_insert`)."""
    db = connections[DEFAULT_DB_ALIAS]
    update = _statements_of(db).update(type(row), fields)
    if len(update.values) != len(fields):
        raise ValueError(f"not every one of {fields} is a column of {type(row).__name__}")
    params = [convert(getattr(row, attname)) for attname, convert in update.values]
    with db.cursor() as cursor:
        cursor.execute(update.sql, [*params, update.key(row.pk)])
