"""Stored invoice PDFs: rendered once by `render_pending_pdfs`, served, and verified."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from djmoney.money import Money

from billing.documents.snapshot import invoice_snapshot, invoices_for_snapshot
from billing.documents.store import (
    invoice_pdf_get,
    invoice_pdf_render,
    invoice_pdfs_render_parallel,
    pdf_text,
)
from billing.models import InvoicePdf
from billing.pdf import html_to_pdf, invoice_html
from tests.factories import make_customer, make_invoice, make_staff_user, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def invoices(frozen_now):
    """Two issued invoices (one for an English-speaking customer) and a draft."""
    spanish = make_invoice(make_customer(legal_name="Andina S.A.S."), issue=True)
    english = make_invoice(
        make_customer(legal_name="Caribe Corp.", language="en"),
        lines=[("Premium support", Money("120900", "COP"))],
        issue=True,
    )
    draft = make_invoice(make_customer())
    return spanish, english, draft


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def test_render_pending_pdfs_renders_each_issued_invoice_once(invoices, media):
    spanish, english, _draft = invoices

    first = run("render_pending_pdfs")

    assert "2/2" in first
    assert "rendered 2 invoice PDFs" in first
    rows = {row.invoice_id: row for row in InvoicePdf.objects.all()}
    assert set(rows) == {spanish.pk, english.pk}
    assert rows[spanish.pk].language == "es"
    assert rows[english.pk].language == "en"
    for invoice in (spanish, english):
        stored = rows[invoice.pk]
        path = Path(stored.file.path)
        assert path.is_relative_to(media)
        assert stored.size == path.stat().st_size
        assert stored.content_hash == invoice_snapshot(invoice).content_hash
    assert "Página 1 de 1" in pdf_text(Path(rows[spanish.pk].file.path).read_bytes())
    assert "Page 1 of 1" in pdf_text(Path(rows[english.pk].file.path).read_bytes())
    files = sorted(p.name for p in Path(media).rglob("*.pdf"))

    second = run("render_pending_pdfs")

    assert "no pending invoice PDFs" in second
    assert InvoicePdf.objects.count() == 2
    assert sorted(p.name for p in Path(media).rglob("*.pdf")) == files


def test_render_pending_pdfs_resumes_where_it_stopped(invoices):
    spanish, english, _draft = invoices

    assert "1/1" in run("render_pending_pdfs", "--limit", "1")
    assert list(InvoicePdf.objects.values_list("invoice_id", flat=True)) == [spanish.pk]

    assert "rendered 1 invoice PDFs" in run("render_pending_pdfs")
    assert InvoicePdf.objects.filter(invoice=english).exists()


def test_invoice_pdf_get_renders_on_first_use_and_then_serves_the_stored_file(invoices):
    spanish, _english, _draft = invoices

    first = invoice_pdf_get(invoice=spanish)
    again = invoice_pdf_get(invoice=spanish)

    assert first.name == again.name
    assert InvoicePdf.objects.filter(invoice=spanish).count() == 1
    with again.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"


def test_the_download_view_serves_the_stored_pdf_to_those_who_may_read_it(client, invoices):
    spanish, _english, draft = invoices
    url = f"/billing/invoices/{spanish.pk}/pdf/"

    assert client.get(url).status_code == 302  # to the login form
    client.force_login(make_user())
    assert client.get(url).status_code == 404  # no role: like a missing id
    client.force_login(make_staff_user())
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    with InvoicePdf.objects.get(invoice=spanish).file.open("rb") as stored:
        assert body == stored.read()
    assert client.get(f"/billing/invoices/{draft.pk}/pdf/").status_code == 404
    assert client.post(url).status_code == 405  # a download only reads


def test_a_stored_pdf_missing_on_disk_is_a_404_and_an_error_in_the_log(client, invoices, caplog):
    """The media not restored with the database: the invoice's PDF is the one issued, so it
    is not rendered again behind the operator's back. Before, a 500."""
    spanish, _english, _draft = invoices
    stored = invoice_pdf_get(invoice=spanish)
    stored.storage.delete(stored.name)
    client.force_login(make_staff_user())

    assert client.get(f"/billing/invoices/{spanish.pk}/pdf/").status_code == 404
    assert client.get(f"/api/v1/invoices/{spanish.pk}/pdf/").status_code == 404
    assert f"stored file missing: {stored.name}" in caplog.text


# --- verify_invoice -----------------------------------------------------------------------------


@pytest.fixture
def genuine(invoices, tmp_path) -> tuple:
    spanish = invoices[0]
    stored = invoice_pdf_render(invoice=spanish)
    path = tmp_path / "genuine.pdf"
    with stored.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return spanish, path


def test_verify_invoice_accepts_the_issued_pdf(genuine):
    invoice, path = genuine

    output = run("verify_invoice", str(path))

    assert f"matches Factura {invoice.display_number}" in output
    assert invoice_snapshot(invoice).short_hash in output


def test_verify_invoice_rejects_a_copy_with_an_edited_total_and_the_genuine_code(genuine, tmp_path):
    invoice, _path = genuine
    snapshot = invoice_snapshot(invoices_for_snapshot().get(pk=invoice.pk))
    # The forger edits the total in the document and keeps the genuine verification line.
    genuine_html = invoice_html(snapshot, language="es")
    assert 'Total</td><td class="num">COP 119.000' in genuine_html
    html = genuine_html.replace("COP 119.000", "COP 19.000")
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(html_to_pdf(html))
    assert snapshot.short_hash in pdf_text(forged.read_bytes())

    with pytest.raises(CommandError, match="text differs from the issued PDF"):
        run("verify_invoice", str(forged))


def test_verify_invoice_rejects_a_pdf_whose_code_does_not_match_the_invoice(genuine, tmp_path):
    invoice, _path = genuine
    from dataclasses import replace

    snapshot = invoice_snapshot(invoices_for_snapshot().get(pk=invoice.pk))
    altered = replace(snapshot, total=Money("19000", "COP"))
    forged = tmp_path / "recomputed.pdf"
    forged.write_bytes(html_to_pdf(invoice_html(altered, language="es")))

    with pytest.raises(CommandError, match=f"does not match invoice {invoice.display_number}"):
        run("verify_invoice", str(forged))


def test_verify_invoice_rejects_unknown_numbers_and_pdfs_without_a_code(invoices, tmp_path):
    unknown = tmp_path / "unknown.pdf"
    unknown.write_bytes(html_to_pdf("<p>Verificación: FV-999999 0123456789abcdef</p>"))
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(html_to_pdf("<p>Factura sin código</p>"))
    not_pdf = tmp_path / "not.pdf"
    not_pdf.write_bytes(b"hello")

    with pytest.raises(CommandError, match="no issued invoice is numbered FV-999999"):
        run("verify_invoice", str(unknown))
    with pytest.raises(CommandError, match="no verification line"):
        run("verify_invoice", str(plain))
    with pytest.raises(CommandError, match="not a readable PDF"):
        run("verify_invoice", str(not_pdf))


@pytest.mark.django_db(transaction=True)
def test_pending_pdfs_render_in_parallel_processes_each_once(media):
    # given 23 issued invoices (three batches of ten or fewer), one of them rendered (the
    # issue mail rendered them all: the others' PDFs are deleted, so they are pending again)
    customer = make_customer(legal_name="Paralela S.A.S.")
    invoices = [make_invoice(customer, issue=True) for _ in range(23)]
    for row in InvoicePdf.objects.filter(invoice__in=invoices[1:]):
        row.file.delete(save=False)
        row.delete()

    # when two worker processes render what is pending, then the job runs again
    counts = list(invoice_pdfs_render_parallel(processes=2))
    again = list(invoice_pdfs_render_parallel(processes=2))

    # then every invoice has exactly one stored PDF, with its own number in it
    assert sum(counts) == 22
    assert sorted(counts, reverse=True)[0] <= 10
    assert again == []
    rows = InvoicePdf.objects.filter(invoice__in=invoices)
    assert rows.count() == 23
    for row in rows.select_related("invoice"):
        with row.file.open("rb") as handle:
            assert row.invoice.display_number in pdf_text(handle.read())
    assert len(list(Path(media).rglob("*.pdf"))) == 23
