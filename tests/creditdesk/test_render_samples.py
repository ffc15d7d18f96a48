"""`manage.py render_samples`: the sample PDFs are real documents, and no row stays behind."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import transaction
from pypdf import PdfReader

from billing.models import Invoice
from contracts.models import Customer
from tickets.models import Ticket

_seed = importlib.import_module("billing.migrations.0002_seed_tax_rates_and_series")

pytestmark = pytest.mark.django_db

LINES = 30
TICKETS = 4


def texts(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages]


@pytest.fixture(scope="module")
def samples(tmp_path_factory, django_db_setup, django_db_blocker):
    """The command run once for the module (rendering costs about a second a document)."""
    output = tmp_path_factory.mktemp("samples")
    stdout = io.StringIO()
    with django_db_blocker.unblock(), transaction.atomic():
        _seed.seed(django_apps, None)  # the invoice series, if a transactional test flushed it
        call_command(
            "render_samples",
            str(output),
            "--lines",
            str(LINES),
            "--tickets",
            str(TICKETS),
            stdout=stdout,
        )
        left = (Customer.objects.count(), Invoice.objects.count(), Ticket.objects.count())
        transaction.set_rollback(True)
    return output, stdout.getvalue().split(), left


def test_every_document_is_written_in_both_languages(samples):
    output, printed, _left = samples
    names = sorted(path.name for path in output.glob("*.pdf"))

    assert names == sorted(
        f"{name}-{language}.pdf"
        for name in ("invoice-short", f"invoice-{LINES}-lines", "credit-note", "sla-report")
        for language in ("es", "en")
    )
    assert sorted(printed) == sorted(str(output / name) for name in names)


def test_the_invoices_read_back_with_number_buyer_and_totals(samples):
    output, _printed, _left = samples
    short_es = texts(output / "invoice-short-es.pdf")
    short_en = texts(output / "invoice-short-en.pdf")
    note_es = "\n".join(texts(output / "credit-note-es.pdf"))

    assert len(short_es) == 1
    assert "Factura de venta" in short_es[0]
    assert "Invoice" in short_en[0]
    for text in (short_es[0], short_en[0]):
        assert "Hotel Andino S.A.S." in text
        assert "FV-000001" in text
    assert "COP 203.371" in short_es[0]  # 170.900 + 19 % IVA
    assert "COP 203,371" in short_en[0]
    assert "Nota crédito" in note_es
    assert "Corrige la factura FV-000001" in note_es
    assert "COP 59.500" in note_es


def test_the_long_invoice_paginates(samples):
    output, _printed, _left = samples
    pages = texts(output / f"invoice-{LINES}-lines-es.pdf")

    assert len(pages) > 1
    assert f"Página {len(pages)} de {len(pages)}" in pages[-1]
    assert all("Descripción" in page for page in pages)


def test_the_sla_report_covers_the_sample_month(samples):
    output, _printed, _left = samples
    report_es = "\n".join(texts(output / "sla-report-es.pdf"))
    report_en = "\n".join(texts(output / "sla-report-en.pdf"))

    assert "Informe de cumplimiento de SLA" in report_es
    assert "SLA compliance report" in report_en
    assert "Hotel Andino S.A.S." in report_en
    assert "1 November 2026" in report_en  # the invoices' international English


def test_no_sample_row_stays_in_the_database(samples):
    _output, _printed, left = samples

    assert left == (0, 0, 0)
