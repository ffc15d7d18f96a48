"""Render and store the PDF of every issued invoice that has none yet; resumable."""

from django.core.management.base import BaseCommand

from billing.documents.store import invoice_pdf_pending, invoice_pdfs_render_pending

BAR_WIDTH = 30


def progress_bar(done: int, total: int, label: str = "") -> str:
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {label}".rstrip()


class Command(BaseCommand):
    help = (
        "Render the PDFs of issued invoices and credit notes that have none yet, once each. "
        "Interrupted, run it again: it continues with what is still pending."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="render at most N invoices")

    def handle(self, *args, **options):
        total = invoice_pdf_pending().count()
        if options["limit"] is not None:
            total = min(total, options["limit"])
        if not total:
            self.stdout.write("no pending invoice PDFs")
            return
        interactive = self.stdout.isatty()
        done = 0
        for row in invoice_pdfs_render_pending(limit=options["limit"]):
            done += 1
            bar = progress_bar(done, total, row.invoice.display_number)
            if interactive:
                self.stdout.write(f"\r{bar}", ending="")
                self.stdout.flush()
            else:
                self.stdout.write(bar)
        if interactive:
            self.stdout.write("")
        self.stdout.write(f"rendered {done} invoice PDFs")
