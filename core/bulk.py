"""Many rows of one model in one hand-written INSERT, without the ORM's per-value compiling.

`QuerySet.bulk_create` spends most of its time building the SQL of each value in Python;
for the hot batch writes (the monthly run's invoices, lines, status rows and their mail
tasks) `rows_insert` picks one converter per column (the backend's own adapters) and writes
the rows in one statement: on PostgreSQL an INSERT ... SELECT FROM unnest of one array per
column, elsewhere a multi-row VALUES per batch of rows the parameter limit allows.

Model hooks are not run (`save`, `pre_save`/`post_save` signals): callers insert rows whose
checks they made; the database's constraints and triggers still apply to every row.
"""

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from djmoney.models.fields import MoneyField
from djmoney.money import Money

Converter = Callable[[Any], Any]


def _converter(field: models.Field) -> Converter:
    ops = connection.ops
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
    return lambda value: field.get_db_prep_save(value, connection)


def _columns(model: type[models.Model]) -> list[tuple[models.Field, Converter]]:
    return [
        (field, _converter(field))
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]


def batch_rows(columns: int, rows: int, *, fixed: int = 0) -> int:
    """How many of `rows` one statement may carry: each takes `columns` parameters, and the
    statement `fixed` more of its own, within the backend's limit (65535 at most: the
    PostgreSQL protocol's, where the backend names none)."""
    limit = min(connection.features.max_query_params or 65535, 65535)
    return max(1, min(rows, (limit - fixed) // columns))


def rows_insert(rows: Sequence[models.Model]) -> None:
    """INSERT unsaved instances of one model, one statement per batch of rows the backend's
    parameter limit allows (one for a monthly batch), and set their primary keys
    (RETURNING, in VALUES order as Django's bulk_create relies on) when the database makes
    them. `auto_now_add` fields get the current time."""
    if not rows:
        return
    model = type(rows[0])
    columns = _columns(model)
    now = timezone.now()
    for field, _convert in columns:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for row in rows:
                setattr(row, field.attname, now)
    pk_field = model._meta.pk
    assert pk_field is not None  # noqa: S101  # every model has one
    returning = isinstance(pk_field, models.AutoField)
    suffix = f" RETURNING {connection.ops.quote_name(str(pk_field.column))}" if returning else ""
    with connection.cursor() as cursor:
        for part, sql, params in _statements(model, columns, rows):
            cursor.execute(sql + suffix, params)
            if returning:
                for row, (pk_value,) in zip(part, cursor.fetchall(), strict=True):
                    row.pk = pk_value
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias


def _statements(
    model: type[models.Model],
    columns: list[tuple[models.Field, Converter]],
    rows: Sequence[models.Model],
) -> Iterator[tuple[Sequence[models.Model], str, list[Any]]]:
    """The INSERTs of `rows`, each with the rows it writes, in order."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field, _ in columns)
    if connection.vendor == "postgresql":
        # One array per column (INSERT ... SELECT FROM unnest, as Django's own bulk_create on
        # PostgreSQL): a handful of parameters instead of one per value, which the driver
        # would otherwise find in the statement one by one. The arrays' types drop their
        # modifiers, as Django's do: a cast to varchar(32)[] would cut a longer text without
        # a word, where the column itself refuses it, as it does the ORM's inserts.
        arrays = ", ".join(
            f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field, _ in columns
        )
        yield (
            rows,
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})",  # noqa: S608
            [[convert(getattr(row, field.attname)) for row in rows] for field, convert in columns],
        )
        return
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    step = batch_rows(len(columns), len(rows))
    for start in range(0, len(rows), step):
        part = rows[start : start + step]
        yield (
            part,
            f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608  # names from _meta
            + ", ".join([placeholder] * len(part)),
            [convert(getattr(row, field.attname)) for row in part for field, convert in columns],
        )
