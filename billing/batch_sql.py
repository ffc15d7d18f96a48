"""The monthly run's numbering step as one hand-written UPDATE (see `core.bulk` for its
inserts). What an invoice says is decided by the services (`invoice_line_build`,
`invoice_issue_prepare`, the numbering in `billing.services.invoices`); this only writes it.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connection

from billing.models import Invoice
from core.bulk import batch_rows


def invoices_mark_issued(invoices: Sequence[Invoice], *, series_id: int) -> None:
    """Drafts of this transaction to issued, each with the number it was given: one UPDATE
    (the status, series and number together, as the number-iff-issued CHECK wants)."""
    table = connection.ops.quote_name(Invoice._meta.db_table)
    if connection.vendor == "postgresql":  # two arrays instead of three parameters a row
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS i SET status = %s, series_id = %s, number = v.number "  # noqa: S608
                "FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, number) "
                "WHERE i.id = v.id AND i.status = 'draft'",
                [
                    Invoice.Status.ISSUED,
                    series_id,
                    [invoice.pk for invoice in invoices],
                    [invoice.number for invoice in invoices],
                ],
            )
            if cursor.rowcount != len(invoices):
                raise RuntimeError("billing: a batch's drafts changed under the series lock")
        return
    # A row's id twice (CASE and IN) and its number; the status and series once a statement.
    step = batch_rows(3, len(invoices), fixed=2)
    with connection.cursor() as cursor:
        for start in range(0, len(invoices), step):
            part = invoices[start : start + step]
            cases = " ".join(["WHEN %s THEN %s"] * len(part))
            params: list[Any] = [Invoice.Status.ISSUED, series_id]
            for invoice in part:
                params += [invoice.pk, invoice.number]
            params += [invoice.pk for invoice in part]
            cursor.execute(
                f"UPDATE {table} SET status = %s, series_id = %s, "  # noqa: S608  # _meta name
                f"number = CASE id {cases} END "
                f"WHERE status = 'draft' AND id IN ({', '.join(['%s'] * len(part))})",
                params,
            )
            if cursor.rowcount != len(part):
                raise RuntimeError("billing: a batch's drafts changed under the series lock")
