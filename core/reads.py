"""A hot read the ORM builds and compiles once per connection, then runs with each call's values.

Building and compiling a queryset with joins, `select_related` and subquery columns costs
Python far more than the database takes to run it: intake's one read of the customer's
contract spent about 4 ms of its ~10 ms there, every request, for the same SQL. `first_row`
builds the queryset once with marker values in place of the call's own (a customer's id, a
day, a moment, a text), finds where the markers landed among the compiled parameters, keeps
the SQL and the compiler, and from then on executes the SQL with the call's values and makes
the instances as `QuerySet` iteration would (`select_related` objects and annotations
included); `all_rows` reads every row the same way (intake's after-commit reads: auto
top-up, webhook endpoints; a ticket's charges), and `all_values` the dicts of a `values()`
read, a union of them too (the portal's six months of SLA compliance).

The read's other parameters are constants of its shape. Those compared with a column (`=`,
`<`, `IN (...)`...: a status, a kind; texts and integers, not booleans) are written into the SQL
as literals: SQLite prepares a statement again, on every execution, when a bound value was
compared with a partial index's condition to plan it (an invoice's kind and status against
the unpaid invoices' index), and that cost intake's contract read 0.11 of its 0.13 ms; with
literals the statement is prepared once and the partial index still serves it. Constants
elsewhere stay bound: `ORDER BY 2` would sort by the second column. A value that varies from
call to call must be a marked value, never a constant of the shape.

Only for reads whose SQL depends on nothing but the shape key and the marked values; the
markers must be values no real call passes (negative ids, a day in the 12th century) that
the column still holds: Django answers a small-integer column's out-of-range value with no
query at all, so such a value is filtered in Python after the read.
"""

import re
from collections.abc import Callable, Hashable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple, cast

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query import ValuesIterable
from django.db.models.sql.compiler import SQLCompiler

# A value no call passes, for each kind of value a read may be given; the nth value of a
# read gets the nth marker, so two values of one kind keep their own places.
MARKERS: dict[type, Callable[[int], Any]] = {
    int: lambda n: -987_654_321 - n,
    str: lambda n: f"creditdesk-marker-{n}",
    date: lambda n: date(1111, 11, 11) + timedelta(days=n),
    datetime: lambda n: datetime(1111, 11, 11, 11, 11, 11, tzinfo=UTC) + timedelta(seconds=n),
}
Value = int | str | date | datetime


class _Compiled:
    def __init__(
        self, db: BaseDatabaseWrapper, queryset: models.QuerySet, names: Sequence[tuple[str, type]]
    ):
        query = queryset.query
        compiler = query.get_compiler(using=db.alias)
        sql, params = compiler.as_sql()
        # a `values()` read has no model to make, only names for its columns (as Django's
        # `ValuesIterable` names them)
        reads_values = issubclass(queryset._iterable_class, ValuesIterable)
        self.names = (
            list(
                query.selected
                or [*query.extra_select, *query.values_select, *query.annotation_select]
            )
            if reads_values
            else None
        )
        if not reads_values and _from_parent(compiler.klass_info):
            raise ValueError("a read reaching a model's parent table is not supported")
        self.sql = sql
        self.compiler: SQLCompiler = compiler
        # What `results_iter` would work out again on every call: each column's converters
        # and, per model of the row, where its columns are.
        columns = [column[0] for column in compiler.select[: compiler.col_count]]
        if compiler.has_composite_fields(columns):
            raise ValueError("a read of a composite primary key is not supported")
        self.converters = compiler.get_converters(columns)
        self.layout = None if reads_values else _layout(compiler.klass_info, compiler.select)
        self.annotations = list(compiler.annotation_col_map.items())
        self.params = list(params)
        self.slots: list[str | None] = [None] * len(self.params)
        self.adapters: dict[str, Callable[[Any], Any]] = {}
        for n, (name, kind) in enumerate(names):
            marker = MARKERS[kind](n)
            adapt = _ADAPTERS[kind](db) if kind in _ADAPTERS else _same
            positions = [i for i, p in enumerate(self.params) if p == adapt(marker)]
            if not positions:
                raise ValueError(f"the read never uses {name!r}")
            for position in positions:
                self.slots[position] = name
            self.adapters[name] = adapt
        self.sql, self.params, self.slots = _constants_inlined(db, sql, self.params, self.slots)

    def params_for(self, values: dict[str, Any]) -> list[Any]:
        adapted = {name: adapt(values[name]) for name, adapt in self.adapters.items()}
        return [
            param if slot is None else adapted[slot]
            for param, slot in zip(self.params, self.slots, strict=True)
        ]


def _same(value: Any) -> Any:
    return value


# Django's parameter placeholder, not an escaped percent sign followed by an "s".
_PLACEHOLDER = re.compile(r"(?<!%)%s")
# What comes before a placeholder that is compared with a column; inside an IN list, the
# next one follows ", ".
_COMPARED = re.compile(r"(?:[=<>]|\bIN \()\s*$")


def _constants_inlined(
    db: BaseDatabaseWrapper, sql: str, params: list[Any], slots: list[str | None]
) -> tuple[str, list[Any], list[str | None]]:
    """`sql` with the constant texts and integers it compares with columns (parameters no
    call's value fills) as literals, quoted by the backend, and the parameters and slots
    left."""
    pieces = _PLACEHOLDER.split(sql)
    if len(pieces) != len(params) + 1:  # a placeholder we cannot place: leave the SQL bound
        return sql, params, slots
    db.ensure_connection()  # PostgreSQL quotes through the connection
    quote = db.schema_editor().quote_value
    written, left, left_slots = [pieces[0]], [], []
    in_list = False
    for param, slot, before, piece in zip(params, slots, pieces[:-1], pieces[1:], strict=True):
        compared = bool(_COMPARED.search(before)) or (in_list and before == ", ")
        in_list = compared and (before.endswith("IN (") or before == ", ")
        if (
            compared
            and slot is None
            and isinstance(param, int | str)
            and not isinstance(param, bool)
        ):
            # as plain values: psycopg's Int4 and the enums' own quoting would add casts
            literal = int(param) if isinstance(param, int) else str.__str__(param)
            written.append(quote(literal).replace("%", "%%"))
        else:
            written.append("%s")
            left.append(param)
            left_slots.append(slot)
        written.append(piece)
    return "".join(written), left, left_slots


# How the backend writes a value of each kind as a parameter (SQLite: dates and times as
# text); `_same` for the rest.
_ADAPTERS: dict[type, Callable[[BaseDatabaseWrapper], Callable[[Any], Any]]] = {
    date: lambda db: db.ops.adapt_datefield_value,
    datetime: lambda db: db.ops.adapt_datetimefield_value,
}


def _kind(value: Value) -> type:
    # a datetime is also a date: the narrower kind first
    return next(kind for kind in (datetime, date, str, int) if isinstance(value, kind))


def _from_parent(klass_info: dict) -> bool:
    """Whether the read goes through multi-table inheritance (whose columns `_instance`
    would have to reorder)."""
    return bool(klass_info.get("from_parent")) or any(
        _from_parent(related) for related in klass_info.get("related_klass_infos", [])
    )


def first_row[ModelT: models.Model](
    shape: Hashable,
    build: Callable[..., models.QuerySet[ModelT]],
    **values: Value,
) -> ModelT | None:
    """The first row of `build(**values)` (ordered by its own ordering, else the primary
    key), or None. `build` must give the same SQL for the same `shape` whatever the values;
    it is called once per connection and shape, with markers."""
    return next(iter(_rows(("first", shape), build, values, first=True)), None)


def all_rows[ModelT: models.Model](
    shape: Hashable,
    build: Callable[..., models.QuerySet[ModelT]],
    **values: Value,
) -> list[ModelT]:
    """Every row of `build(**values)`, as `first_row` reads one."""
    return _rows(("all", shape), build, values, first=False)


def all_values(
    shape: Hashable, build: Callable[..., models.QuerySet], **values: Value
) -> list[dict[str, Any]]:
    """Every row of `build(**values)`, a `values()` queryset or a union of them, as the dicts
    its iteration gives."""
    compiled, rows = _fetch(("values", shape), build, values, first=False)
    if compiled.names is None:
        raise ValueError("all_values reads a values() queryset; all_rows reads instances")
    return [dict(zip(compiled.names, row, strict=True)) for row in rows]


def _rows[ModelT: models.Model](
    shape: Hashable,
    build: Callable[..., models.QuerySet[ModelT]],
    values: dict[str, Value],
    *,
    first: bool,
) -> list[ModelT]:
    compiled, rows = _fetch(shape, build, values, first=first)
    if compiled.layout is None:
        raise ValueError("a values() read is read with all_values")
    instances = []
    for row in rows:
        instance = cast(ModelT, _instance(compiled.layout, row, DEFAULT_DB_ALIAS))
        for name, position in compiled.annotations:
            setattr(instance, name, row[position])
        instances.append(instance)
    return instances


def _fetch(
    shape: Hashable, build: Callable[..., models.QuerySet], values: dict[str, Value], *, first: bool
) -> tuple[_Compiled, Sequence[Any]]:
    """The read's rows with its columns converted, compiling it on the connection's first
    call for `shape`."""
    db = connections[DEFAULT_DB_ALIAS]  # one lookup: the proxy costs a context-local read
    cache: dict[Hashable, _Compiled] | None = getattr(db, "_creditdesk_compiled_reads", None)
    if cache is None:
        cache = db._creditdesk_compiled_reads = {}  # type: ignore[attr-defined]
    compiled = cache.get(shape)
    if compiled is None:
        kinds = [(name, _kind(value)) for name, value in values.items()]
        queryset = build(**{name: MARKERS[kind](n) for n, (name, kind) in enumerate(kinds)})
        if first:
            queryset = (queryset if queryset.ordered else queryset.order_by("pk"))[:1]
        compiled = cache[shape] = _Compiled(db, queryset, kinds)
    with db.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params_for(values))
        fetched = cursor.fetchall()
    if compiled.converters:
        return compiled, list(compiled.compiler.apply_converters(fetched, compiled.converters))
    return compiled, fetched


class _Layout(NamedTuple):
    """Where one model's columns are in a row, and the related objects `select_related`
    reads with it (with the setters Django's `RelatedPopulator` uses)."""

    model: type[models.Model]
    start: int
    end: int
    names: list[str]
    pk_position: int
    related: list[tuple["_Layout", Callable, Callable]]


def _layout(klass_info: dict, select: list) -> _Layout:
    model: type[models.Model] = klass_info["model"]
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    related = [
        (_layout(info, select), info["local_setter"], info["remote_setter"])
        for info in klass_info.get("related_klass_infos", [])
    ]
    return _Layout(model, start, end, names, names.index(model._meta.pk.attname), related)


def _instance(layout: _Layout, row: Any, alias: str) -> models.Model | None:
    """The row's object of the layout's model and the related ones `select_related` read;
    None when the row holds no such object (an outer join found none)."""
    values = row[layout.start : layout.end]
    if values[layout.pk_position] is None:
        return None
    instance = layout.model.from_db(alias, layout.names, values)
    for related, local_setter, remote_setter in layout.related:
        other = _instance(related, row, alias)
        local_setter(instance, other)
        if other is not None:
            remote_setter(other, instance)
    return instance


def attach_related(instances: Sequence[models.Model], name: str, rows: Sequence[Any]) -> None:
    """Give each instance its `rows` of the reverse foreign key `name` (read with `all_rows`)
    as `prefetch_related(name)` leaves them: `instance.<name>.all()` then reads nothing."""
    if not instances:
        return
    field = getattr(instances[0], name).field  # the rows' foreign key to the instances
    grouped: dict[Any, list[Any]] = {instance.pk: [] for instance in instances}
    for row in rows:
        siblings = grouped.get(getattr(row, field.attname))
        if siblings is not None:  # else its parent was written after the instances' read
            siblings.append(row)
    for instance in instances:
        related = getattr(instance, name).get_queryset()
        related._result_cache = grouped[instance.pk]
        related._prefetch_done = True
        for row in related._result_cache:
            field.set_cached_value(row, instance)
        cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
        cache[field.remote_field.cache_name] = related
