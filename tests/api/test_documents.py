"""Documents over the API: invoice PDFs, the finance export (CSV), the monthly SLA report
(PDF and CSV); their refusals are JSON in the one error shape."""

import csv
import io

from tests.api.conftest import assert_error
from tests.factories import make_invoice


def test_the_customer_downloads_their_invoice_pdf(world, api):
    answer = api(world.a.user).get(f"/api/v1/invoices/{world.a.invoice.pk}/pdf/")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    assert world.a.invoice.display_number in answer["Content-Disposition"]


def test_invoice_pdf_refusals_are_json(world, api):
    other = api(world.a.user).get(
        f"/api/v1/invoices/{world.b.invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert_error(other, 404, "not_found")
    assert other["Content-Type"] == "application/json"
    assert_error(api(world.agent).get(f"/api/v1/invoices/{world.a.invoice.pk}/pdf/"), 403)
    draft = make_invoice(world.a.customer)
    answer = api(world.a.manager).get(f"/api/v1/invoices/{draft.pk}/pdf/")
    assert_error(answer, 409, "invoice_not_issued")


def test_finance_exports_a_period_as_csv(world, api):
    answer = api(world.finance).get(
        "/api/v1/invoices/export/", {"date_from": "2000-01-01", "date_to": "2999-12-31"}
    )
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 2
    assert world.a.invoice.display_number in text
    assert world.b.invoice.display_number in text


def test_the_export_is_finance_only_and_needs_a_period(world, api):
    assert_error(api(world.a.manager).get("/api/v1/invoices/export/"), 403, "permission_denied")
    assert_error(api(world.a.user).get("/api/v1/invoices/export/"), 403)
    missing = api(world.finance).get("/api/v1/invoices/export/")
    assert "date_from" in assert_error(missing, 400, "invalid_input")["fields"]


def test_monthly_sla_report_as_pdf_and_csv(world, api):
    client = api(world.a.user)
    base = f"/api/v1/contracts/{world.a.contract.pk}/sla-report/"
    pdf = client.get(base + "pdf/", HTTP_ACCEPT_LANGUAGE="en")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    table = client.get(base + "csv/", {"month": "2026-11"})
    assert table.status_code == 200
    header = next(csv.reader(io.StringIO(table.content.decode())))
    assert header == ["section", "key", "priority", "metric", "value"]


def test_sla_report_refusals(world, api):
    client = api(world.a.user)
    other = client.get(f"/api/v1/contracts/{world.b.contract.pk}/sla-report/pdf/")
    assert_error(other, 404, "not_found")
    for month in ("2026-13", "november", "9999-12"):
        bad = client.get(
            f"/api/v1/contracts/{world.a.contract.pk}/sla-report/csv/", {"month": month}
        )
        assert "month" in assert_error(bad, 400, "invalid_input")["fields"]
