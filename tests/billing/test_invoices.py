from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from djmoney.money import Money

from billing.exceptions import (
    CreditNoteExceedsInvoice,
    CreditNoteNeedsLines,
    EmptyInvoice,
    IllegalInvoiceTransition,
    InvoiceImmutable,
    NotCorrectable,
    TaxRateMissing,
)
from billing.models import Invoice, InvoiceLine, InvoiceSeries, InvoiceStatusChange, TaxRate
from billing.services import (
    CreditNoteLine,
    credit_note_issue,
    invoice_add_line,
    invoice_create_draft,
    invoice_issue,
    invoice_mark_paid,
    invoice_void,
)
from core.errors import CreditdeskError, InvalidInput, ReasonRequired
from core.events import domain_event
from tests.billing.conftest import assert_refused
from tests.factories import make_contract, make_customer, make_invoice, make_staff_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def next_number(code: str) -> int:
    return InvoiceSeries.objects.get(code=code).next_number


def test_a_draft_has_no_number_and_totals_follow_its_lines():
    customer = make_customer()
    invoice = invoice_create_draft(customer=customer)
    invoice_add_line(
        invoice=invoice,
        kind=InvoiceLine.Kind.OTHER,
        description="Soporte",
        quantity=2,
        unit_price=Money("1000.50", "COP"),
    )
    invoice.refresh_from_db()
    assert invoice.number is None
    assert invoice.series is None
    assert invoice.status == Invoice.Status.DRAFT
    assert invoice.subtotal == Money("2001.00", "COP")
    assert invoice.tax == Money("380.19", "COP")  # 19 % IVA, Colombia
    assert invoice.total == Money("2381.19", "COP")


def test_issue_numbers_the_invoice_snapshots_the_buyer_and_sets_dates():
    # given
    contract = make_contract(customer=make_customer(legal_name="ACME S.A.S."))
    invoice = make_invoice(contract.customer, contract=contract)
    first = next_number("FV")
    # when
    issued = invoice_issue(invoice)
    # then
    assert issued.status == Invoice.Status.ISSUED
    assert issued.number == first
    assert next_number("FV") == first + 1
    assert issued.display_number == f"FV-{first:06d}"
    assert issued.issued_on == date(2026, 12, 3)
    assert issued.due_on == date(2026, 12, 18)  # 15 days of payment term
    grace = contract.plan.payment_grace_days
    assert issued.insolvent_on == date(2026, 12, 19 + grace)
    assert issued.buyer_legal_name == "ACME S.A.S."
    # a later change of the customer never reaches the issued invoice
    contract.customer.legal_name = "Otra S.A.S."
    contract.customer.save()
    issued.refresh_from_db()
    assert issued.buyer_legal_name == "ACME S.A.S."
    assert [c.to_status for c in issued.status_changes.all()] == ["issued"]


def test_an_invoice_issued_in_the_customers_evening_bears_the_customers_date(frozen_now):
    # given: 20:30 on 3 December in Bogotá, already the 4th in UTC
    contract = make_contract()
    invoice = make_invoice(contract.customer, contract=contract)
    note_of = make_invoice(contract.customer, contract=contract, issue=True)
    frozen_now.move_to("2026-12-04T01:30:00Z")
    # when
    issued = invoice_issue(invoice)
    note = credit_note_issue(invoice=note_of, reason="Servicio no prestado")
    # then: the day the customer reads on the invoice, and its term counts from it
    assert issued.issued_on == date(2026, 12, 3)
    assert issued.due_on == date(2026, 12, 18)
    assert note.issued_on == date(2026, 12, 3)


def test_issue_records_when_and_who_and_announces_the_invoice(django_capture_on_commit_callbacks):
    clerk = make_staff_user()
    invoice = make_invoice()
    announced = []

    def listen(sender, instances, **kwargs):
        announced.extend((sender, instance.pk) for instance in instances)

    domain_event.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            issued = invoice_issue(invoice, by=clerk)
        with django_capture_on_commit_callbacks(execute=True):
            note = credit_note_issue(invoice=issued, reason="Servicio no prestado", by=clerk)
    finally:
        domain_event.disconnect(listen)

    issued.refresh_from_db()
    assert issued.issued_at == datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    change = issued.status_changes.get(to_status="issued")
    assert (change.from_status, change.by) == ("draft", clerk)
    assert note.status_changes.get(to_status="issued").by == clerk
    # the invoice is announced once; a credit note is announced with its refund, not here
    assert [event for event in announced if event[0] == "invoice.issued"] == [
        ("invoice.issued", issued.pk)
    ]


def test_numbers_are_consecutive_and_only_issued_invoices_take_one():
    customer = make_customer()
    drafts = [make_invoice(customer) for _ in range(3)]
    invoice_issue(drafts[2])
    invoice_issue(drafts[0])
    numbers = [Invoice.objects.get(pk=d.pk).number for d in drafts]
    assert numbers[1] is None
    assert numbers[0] == numbers[2] + 1


def test_an_empty_draft_is_not_issued_and_takes_no_number():
    invoice = invoice_create_draft(customer=make_customer())
    before = next_number("FV")
    with pytest.raises(EmptyInvoice) as refused:
        invoice_issue(invoice)
    assert (refused.value.code, refused.value.field) == ("empty_invoice", "lines")
    assert next_number("FV") == before
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.DRAFT


BAD_QUANTITY = ("invalid_quantity", "quantity", "mayor que cero", "greater than zero")
BAD_PRICE = ("invalid_amount", "unit_price", "cero o más", "zero or more")


@pytest.mark.parametrize(
    ("quantity", "price", "refusal"),
    [
        (0, Money("1", "COP"), BAD_QUANTITY),
        (-1, Money("1", "COP"), BAD_QUANTITY),
        ("abc", Money("1", "COP"), BAD_QUANTITY),
        (1.5, Money("1", "COP"), BAD_QUANTITY),  # floats are refused
        (1, Money("-1", "COP"), BAD_PRICE),
        (1, "1000", BAD_PRICE),
        (
            1,
            Money("1", "USD"),
            ("currency_mismatch", "unit_price", "debe estar en COP", "must be in COP"),
        ),
    ],
)
def test_bad_lines_are_refused_naming_the_field_and_nothing_is_written(quantity, price, refusal):
    code, field, spanish, english = refusal
    invoice = invoice_create_draft(customer=make_customer())
    with pytest.raises(CreditdeskError) as refused:
        invoice_add_line(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description="x",
            quantity=quantity,
            unit_price=price,
        )
    assert_refused(refused.value, code, field, spanish, english)
    assert not invoice.lines.exists()
    assert Invoice.objects.get(pk=invoice.pk).total == Money(0, "COP")


def test_exempt_customer_pays_no_tax_and_unknown_country_is_refused():
    exempt = make_invoice(make_customer(tax_exempt=True))
    assert exempt.tax == Money(0, "COP")
    with pytest.raises(TaxRateMissing) as refused:
        make_invoice(make_customer(country="CL", currency="CLP"))
    assert refused.value.code == "tax_rate_missing"


def test_tax_rate_in_force_is_the_latest_started():
    TaxRate.objects.create(country="CO", rate=Decimal("5"), valid_from=date(2027, 1, 1))
    invoice = make_invoice(make_customer())
    assert invoice.lines.get().tax_rate == Decimal("19.00")  # 2027's rate is not in force yet


@pytest.mark.parametrize(("country", "rate"), [("CO", "19.00"), ("AR", "21.00"), ("VE", "16.00")])
def test_seeded_rates(country, rate):
    currency = {"CO": "COP", "AR": "ARS", "VE": "VES"}[country]
    invoice = make_invoice(make_customer(country=country, currency=currency))
    assert invoice.lines.get().tax_rate == Decimal(rate)


def test_issued_invoice_refuses_changes_through_services_and_the_orm():
    invoice = make_invoice(issue=True)
    with pytest.raises(IllegalInvoiceTransition):
        invoice_add_line(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description="x",
            quantity=1,
            unit_price=Money("1", "COP"),
        )
    invoice.buyer_legal_name = "Cambiado"
    with pytest.raises(InvoiceImmutable):
        invoice.save()
    fresh = Invoice.objects.get(pk=invoice.pk)
    fresh.total = Money("1", "COP")
    with pytest.raises(InvoiceImmutable):
        fresh.save(update_fields=["total"])
    with pytest.raises(InvoiceImmutable):
        fresh.delete()
    line = InvoiceLine.objects.get(invoice=invoice)
    line.description = "otra"
    with pytest.raises(InvoiceImmutable):
        line.save()
    with pytest.raises(InvoiceImmutable):
        line.delete()
    assert Invoice.objects.get(pk=invoice.pk).buyer_legal_name != "Cambiado"


@pytest.mark.postgres
def test_postgres_trigger_refuses_sql_changes_to_issued_invoices_and_lines():
    invoice = make_invoice(issue=True)
    for statement in [
        f"UPDATE billing_invoice SET total = 1 WHERE id = {invoice.pk}",
        f"UPDATE billing_invoice SET status = 'draft' WHERE id = {invoice.pk}",
        f"DELETE FROM billing_invoice WHERE id = {invoice.pk}",
        f"UPDATE billing_invoiceline SET description = 'x' WHERE invoice_id = {invoice.pk}",
        f"DELETE FROM billing_invoiceline WHERE invoice_id = {invoice.pk}",
    ]:
        with (
            pytest.raises(IntegrityError, match="billing: invoice"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    # the allowed change still works
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE billing_invoice SET status = 'paid' WHERE id = {invoice.pk}")


def test_status_moves_only_as_the_table_says():
    invoice = make_invoice(issue=True)
    invoice_mark_paid(invoice)
    with pytest.raises(IllegalInvoiceTransition) as refused:
        invoice_void(invoice, reason="no")
    # the statuses by their labels, in each message's own language
    assert refused.value.message("es") == "Una factura en estado Pagada no puede pasar a Anulada."
    assert refused.value.message("en") == "An invoice in status Paid cannot become Void."
    draft = make_invoice()
    with pytest.raises(IllegalInvoiceTransition):
        invoice_mark_paid(draft)


def test_void_keeps_the_number_so_the_series_has_no_gap():
    invoice = make_invoice(issue=True)
    voided = invoice_void(invoice, reason="Error de digitación")
    assert voided.status == Invoice.Status.VOID
    assert voided.number == invoice.number


@pytest.mark.parametrize("reason", ["", "  "])
def test_void_needs_a_reason_and_changes_nothing_without_one(reason):
    invoice = make_invoice(issue=True)
    with pytest.raises(ReasonRequired) as refused:
        invoice_void(invoice, reason=reason)
    assert_refused(
        refused.value, "reason_required", "reason", "Indique el motivo.", "A reason is required."
    )
    fresh = Invoice.objects.get(pk=invoice.pk)
    assert (fresh.status, fresh.voided_at, fresh.void_reason) == (Invoice.Status.ISSUED, None, "")
    assert not InvoiceStatusChange.objects.filter(invoice=invoice, to_status="void").exists()


def test_a_reason_longer_than_a_document_prints_is_refused_and_nothing_changes():
    # A 100,000-character reason issued a credit note whose PDF printed it all.
    invoice = make_invoice(issue=True)
    first_nc = next_number("NC")

    for act in (
        lambda: credit_note_issue(invoice=invoice, reason="x" * 1001),
        lambda: invoice_void(invoice, reason="x" * 1001),
    ):
        with pytest.raises(InvalidInput) as refused:
            act()
        assert refused.value.fields_in("en") == {"reason": ["At most 1000 characters."]}

    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED
    assert next_number("NC") == first_nc
    assert credit_note_issue(invoice=invoice, reason="x" * 1000).status == Invoice.Status.ISSUED


def test_full_credit_note_mirrors_the_invoice_in_its_own_series():
    invoice = make_invoice(
        lines=[("A", Money("1000", "COP")), ("B", Money("333.33", "COP"))], issue=True
    )
    first_nc = next_number("NC")
    note = credit_note_issue(invoice=invoice, reason="Servicio no prestado")
    assert note.kind == Invoice.Kind.CREDIT_NOTE
    assert note.corrects_id == invoice.pk
    assert note.series.code == "NC"
    assert note.number == first_nc
    assert note.total == invoice.total
    assert note.tax == invoice.tax
    assert note.status == Invoice.Status.ISSUED


def test_partial_credit_note_for_a_gross_amount_and_the_cap():
    invoice = make_invoice(lines=[("A", Money("100000", "COP"))], issue=True)  # total 119000
    note = credit_note_issue(invoice=invoice, reason="Descuento", amount=Money("11900", "COP"))
    assert note.subtotal == Money("10000", "COP")
    assert note.total == Money("11900", "COP")
    with pytest.raises(CreditNoteExceedsInvoice):
        credit_note_issue(invoice=invoice, reason="Demasiado", amount=Money("107100.01", "COP"))
    last = credit_note_issue(invoice=invoice, reason="Resto", amount=Money("107100", "COP"))
    assert last.total == Money("107100", "COP")


@pytest.mark.parametrize("reason", ["", "  "])
def test_a_credit_note_needs_a_reason_and_nothing_is_written_without_one(reason):
    invoice = make_invoice(issue=True)
    first_nc = next_number("NC")
    with pytest.raises(ReasonRequired) as refused:
        credit_note_issue(invoice=invoice, reason=reason)
    assert_refused(
        refused.value, "reason_required", "reason", "Indique el motivo.", "A reason is required."
    )
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert next_number("NC") == first_nc


@pytest.mark.parametrize(
    ("amount", "code", "spanish", "english"),
    [
        (Money("0", "COP"), "invalid_amount", "mayor que cero", "greater than zero"),
        (Money("-5", "COP"), "invalid_amount", "mayor que cero", "greater than zero"),
        (Money("10.005", "COP"), "invalid_amount", "dos decimales", "two decimals"),
        (Money("10", "USD"), "currency_mismatch", "en COP, no en USD", "in COP, not in USD"),
    ],
)
def test_a_bad_credit_note_amount_is_refused_and_nothing_is_written(amount, code, spanish, english):
    invoice = make_invoice(lines=[("A", Money("1000", "COP"))], issue=True)
    first_nc = next_number("NC")
    with pytest.raises(CreditdeskError) as refused:
        credit_note_issue(invoice=invoice, reason="Descuento", amount=amount)
    assert_refused(refused.value, code, "amount", spanish, english)
    assert not Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).exists()
    assert next_number("NC") == first_nc


def test_credit_note_with_explicit_lines_and_refusals():
    invoice = make_invoice(lines=[("A", Money("1000", "COP"))], issue=True)
    note = credit_note_issue(
        invoice=invoice,
        reason="Ajuste",
        lines=[CreditNoteLine("Ajuste", Decimal(1), Money("100", "COP"), Decimal("19"))],
    )
    assert note.total == Money("119", "COP")
    with pytest.raises(NotCorrectable) as refused:
        credit_note_issue(invoice=make_invoice(), reason="borrador")
    assert refused.value.message("en").endswith("is Draft.")
    with pytest.raises(NotCorrectable):
        credit_note_issue(invoice=note, reason="una nota de una nota")
    mixed = make_invoice(make_customer(), issue=False)
    invoice_add_line(
        invoice=mixed,
        kind=InvoiceLine.Kind.OTHER,
        description="exento",
        quantity=1,
        unit_price=Money("10", "COP"),
        taxable=False,
    )
    mixed = invoice_issue(mixed)
    with pytest.raises(CreditNoteNeedsLines):
        credit_note_issue(invoice=mixed, reason="x", amount=Money("10", "COP"))
