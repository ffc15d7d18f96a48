"""Invoice PDFs: rendered once after issue, stored, served from storage, verified.

The slow part (WeasyPrint, 0.2-0.4 s a page) runs outside any transaction; only the short
insert of the `InvoicePdf` row is one. A billing run never renders: `render_pending_pdfs`
renders what is pending afterwards, and the download view (or the API) renders an invoice
on its first download if the command has not reached it yet.

Two renderers racing for one invoice both render, one row wins (UNIQUE invoice), the
loser deletes its file and returns the winner's row.
"""

import io
import multiprocessing
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from pypdf import PdfReader

from billing.documents.snapshot import invoice_snapshot, invoices_for_snapshot
from billing.models import Invoice, InvoicePdf
from billing.pdf import invoice_pdf_bytes
from core.languages import language_code

VERIFICATION_LINE = re.compile(
    r"(?:Verificación|Verification):\s*([A-Z][A-Z0-9-]*?\d{6,})\s+([0-9a-f]{16})\b"
)


def invoice_pdf_pending() -> QuerySet[Invoice]:
    """Issued (or since paid or voided) invoices and credit notes without a stored PDF."""
    return (
        Invoice.objects.exclude(status=Invoice.Status.DRAFT)
        .filter(number__isnull=False, pdf__isnull=True)
        .order_by("pk")
    )


def invoice_pdf_render(*, invoice: Invoice, language: str | None = None) -> InvoicePdf:
    """Render and store the PDF of an issued invoice once; an existing one is returned as is.

    Renders outside any transaction, then inserts the row; a concurrent renderer's row wins.
    """
    existing = InvoicePdf.objects.filter(invoice_id=invoice.pk).first()
    if existing is not None:
        return existing
    if not hasattr(invoice, "_prefetched_objects_cache"):
        invoice = invoices_for_snapshot().get(pk=invoice.pk)
    snapshot = invoice_snapshot(invoice)
    language = language_code(language or snapshot.customer_language)
    data = invoice_pdf_bytes(snapshot, language=language)
    row = InvoicePdf(
        invoice=invoice,
        content_hash=snapshot.content_hash,
        language=language,
        pages=len(PdfReader(io.BytesIO(data)).pages),
        size=len(data),
        rendered_at=timezone.now(),
    )
    row.file.save(f"{snapshot.number}-{snapshot.short_hash[:8]}.pdf", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        row.file.delete(save=False)
        return InvoicePdf.objects.get(invoice_id=invoice.pk)
    return row


def invoice_pdf_get(*, invoice: Invoice) -> FieldFile:
    """The stored PDF of an issued invoice (rendered now if the command has not yet): what
    the download view and the API serve. Open it with `.open("rb")`."""
    return invoice_pdf_render(invoice=invoice).file


def invoice_pdfs_render_pending(
    *, limit: int | None = None, batch_size: int = 50
) -> Iterator[InvoicePdf]:
    """Render every pending invoice, yielding each stored row (for a progress bar).

    Resumable: what was stored before an interruption is no longer pending. Reads invoices in
    batches of `batch_size` with their lines (three queries a batch).
    """
    ids = list(invoice_pdf_pending().values_list("pk", flat=True)[:limit])
    for start in range(0, len(ids), batch_size):
        chunk = ids[start : start + batch_size]
        for invoice in invoices_for_snapshot().filter(pk__in=chunk).order_by("pk"):
            yield invoice_pdf_render(invoice=invoice)


def invoice_pdfs_render_parallel(
    *, processes: int | None = None, batch_size: int = 10
) -> Iterator[int]:
    """Render every pending invoice in `processes` worker processes (default: one per core),
    yielding how many each finished batch stored (for a progress bar).

    WeasyPrint is CPU-bound Python, so threads would share one core; forked processes each
    render batches of `batch_size` invoices on a database connection of their own, with the
    same `invoice_pdf_render` (a racing renderer loses cleanly). Resumable like the serial
    path: what a worker stored is no longer pending. Inside a transaction the workers could
    not see uncommitted invoices, so it renders serially there, as with one process."""
    processes = processes or os.cpu_count() or 1
    ids = list(invoice_pdf_pending().values_list("pk", flat=True))
    if processes == 1 or len(ids) <= batch_size or connection.in_atomic_block:
        for start in range(0, len(ids), batch_size):
            yield _render_batch(ids[start : start + batch_size])
        return
    batches = [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]
    # A forked child must not share the parent's database connection.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(processes, initializer=connections.close_all) as pool:
        yield from pool.imap_unordered(_render_batch, batches)


def _render_batch(ids: list[int]) -> int:
    rendered = 0
    for invoice in invoices_for_snapshot().filter(pk__in=ids).order_by("pk"):
        invoice_pdf_render(invoice=invoice)
        rendered += 1
    return rendered


# --- verification -------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _normalised(text: str) -> str:
    return " ".join(text.split())


@dataclass
class PdfVerification:
    """What `verify_invoice` found. `ok` only when every check passed."""

    number: str = ""
    hash_in_pdf: str = ""
    invoice: Invoice | None = None
    expected_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.invoice is not None and not self.problems


def invoice_pdf_verify(*, data: bytes) -> PdfVerification:
    """Does this PDF match an issued invoice?

    1. its text has a verification line (number and short hash);
    2. an issued invoice or credit note has that number;
    3. the hash recomputed from the stored invoice equals the one printed;
    4. its text equals the text of the stored PDF of that invoice (rendered now if none is
       stored yet), so amounts edited in a copy that kept the genuine line are caught too.
    """
    result = PdfVerification()
    try:
        text = pdf_text(data)
    except Exception as error:  # pypdf raises many kinds for a file that is not a PDF
        result.problems.append(f"not a readable PDF ({error.__class__.__name__})")
        return result
    found = VERIFICATION_LINE.search(text)
    if found is None:
        result.problems.append("no verification line (number and code) in the PDF's text")
        return result
    result.number, result.hash_in_pdf = found.groups()
    invoice = _issued_by_number(result.number)
    if invoice is None:
        result.problems.append(f"no issued invoice is numbered {result.number}")
        return result
    result.invoice = invoice
    snapshot = invoice_snapshot(invoice)
    result.expected_hash = snapshot.short_hash
    if snapshot.short_hash != result.hash_in_pdf:
        result.problems.append(
            f"code {result.hash_in_pdf} does not match invoice {result.number} "
            f"(its content gives {snapshot.short_hash})"
        )
        return result
    stored = invoice_pdf_render(invoice=invoice)
    with stored.file.open("rb") as handle:
        stored_text = pdf_text(handle.read())
    if _normalised(stored_text) != _normalised(text):
        result.problems.append(
            "the code is genuine but the text differs from the issued PDF (altered copy)"
        )
    return result


def _issued_by_number(number: str) -> Invoice | None:
    match = re.fullmatch(r"(.*\D)(\d+)", number)
    if match is None:
        return None
    prefix, digits = match.groups()
    return (
        invoices_for_snapshot()
        .exclude(status=Invoice.Status.DRAFT)
        .filter(series__prefix=prefix, number=int(digits))
        .first()
    )
