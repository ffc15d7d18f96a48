"""Tell whether a PDF matches an issued invoice (billing.documents.store.invoice_pdf_verify)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.documents.store import invoice_pdf_verify


class Command(BaseCommand):
    help = (
        "Check a PDF against the issued invoice it names: its verification code must match the "
        "stored invoice's content and its text the issued PDF. Exit status 1 when it does not."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = invoice_pdf_verify(data=path.read_bytes())
        invoice = result.invoice
        if not result.ok or invoice is None or invoice.issued_on is None:
            raise CommandError(f"{path}: does NOT match: " + "; ".join(result.problems))
        self.stdout.write(
            f"{path}: matches {invoice.get_kind_display()} {result.number} "
            f"issued {invoice.issued_on.isoformat()} to {invoice.buyer_legal_name}, "
            f"total {invoice.total} (code {result.hash_in_pdf}; status now "
            f"{invoice.get_status_display()})"
        )
