"""Bank transfers customers report with a proof; finance confirms (one payment through
`payment_record`) or rejects them; the customer is mailed either way (a task, once)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation
from djmoney.money import Money

from billing.models import BankTransferReport, Invoice, Payment
from billing.proofs import ProofRefused, proof_check, proof_storage
from billing.selectors import invoice_amount_due
from billing.services.transfers import (
    TransferAlreadyDecided,
    TransferAlreadyReported,
    TransferTargetRefused,
    transfer_confirm,
    transfer_reject,
    transfer_report,
)
from billing.transfer_mail import send_transfer_decision
from core.errors import CreditdeskError, InvalidInput, ReasonRequired
from creditdesk.web.customers import customer_timeline
from credits.models import CreditAccount
from tests.billing.transfer_files import ELF, MZ, big_pdf, jpeg_bytes, pdf_bytes, png_bytes
from tests.factories import (
    make_contact,
    make_contract,
    make_credit_pack,
    make_finance_user,
    make_invoice,
    make_portal_user,
)

Status = BankTransferReport.Status
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def buyer(db, frozen_now):
    contract = make_contract()
    customer = contract.customer
    contact = make_contact(customer, language="en")
    user = make_portal_user(contact)
    pack = make_credit_pack(contract.plan, credits=Decimal("10"), price=Money("900000", "COP"))
    invoice = make_invoice(customer, issue=True)
    return customer, user, pack, invoice


def report(buyer, **overrides):
    customer, user, _pack, invoice = buyer
    fields = {
        "customer": customer,
        "by": user,
        "amount": invoice.total,
        "transferred_on": date(2026, 12, 2),
        "reference": "BANCOLOMBIA-778812",
        "filename": "recibo.pdf",
        "content": pdf_bytes(),
        "invoice": invoice,
    } | overrides
    return transfer_report(**fields)


# The proof: what a file is comes from its content


def test_pdf_png_and_jpeg_are_accepted_by_content():
    assert proof_check(filename="recibo.pdf", content=pdf_bytes()).content_type == (
        "application/pdf"
    )
    assert proof_check(filename="foto.PNG", content=png_bytes()).content_type == "image/png"
    assert proof_check(filename="foto.jpeg", content=jpeg_bytes()).content_type == "image/jpeg"
    # a name without extension gets the content's
    assert proof_check(filename="comprobante", content=png_bytes()).filename == ("comprobante.png")


def test_a_proofs_name_is_stored_as_an_attachments_is():
    # A NUL in the name was kept, and PostgreSQL refuses it in a text column.
    assert proof_check(filename="../../re\x00cibo\u202e.png", content=png_bytes()).filename == (
        "recibo.png"
    )
    assert proof_check(filename="\x00", content=png_bytes()).filename == "comprobante.png"
    # the type is checked on the name kept: a trailing invisible character hid the extension
    assert proof_check(filename="recibo.png\u200b", content=png_bytes()).filename == "recibo.png"


def test_a_png_named_pdf_is_refused_as_a_mismatch():
    with pytest.raises(ProofRefused) as caught:
        proof_check(filename="recibo.pdf", content=png_bytes())
    assert caught.value.field == "proof"
    assert "el contenido es PNG" in caught.value.message("es")
    assert "its content is PNG" in caught.value.message("en")


@pytest.mark.parametrize("executable", [ELF, MZ], ids=["elf", "exe"])
def test_an_executable_renamed_pdf_is_refused(executable):
    with pytest.raises(ProofRefused) as caught:
        proof_check(filename="recibo.pdf", content=executable)
    assert "no es un PDF, un JPEG ni un PNG" in caught.value.message("es")


def test_six_megabytes_are_refused_and_five_are_not():
    proof_check(filename="recibo.pdf", content=big_pdf(5 * MB))
    with pytest.raises(ProofRefused) as caught:
        proof_check(filename="recibo.pdf", content=big_pdf(6 * MB))
    assert "más de 5 MB" in caught.value.message("es")
    assert "larger than 5 MB" in caught.value.message("en")


def test_a_damaged_image_and_an_empty_file_are_refused():
    with pytest.raises(ProofRefused, match=r"damaged|dañada"):
        proof_check(filename="foto.png", content=png_bytes()[:30])
    with pytest.raises(ProofRefused):
        proof_check(filename="recibo.pdf", content=b"")


# Reporting


def test_a_report_stores_its_proof_privately_and_writes_no_money(buyer, private_root):
    row = report(buyer)
    assert row.status == Status.PENDING
    assert row.proof_content_type == "application/pdf"
    stored = private_root / row.proof.name
    assert stored.read_bytes() == pdf_bytes()
    assert not Payment.objects.exists()
    with pytest.raises(ValueError, match="no public address"):
        proof_storage().url(row.proof.name)  # no public address


def test_a_refused_proof_writes_nothing(buyer, private_root):
    with pytest.raises(ProofRefused):
        report(buyer, filename="recibo.pdf", content=png_bytes())
    assert not BankTransferReport.objects.exists()
    assert not private_root.exists() or not any(private_root.rglob("*.*"))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": Money("0", "COP")}, "amount"),
        ({"amount": Money("10", "USD")}, "amount"),
        ({"transferred_on": date(2026, 12, 10)}, "transferred_on"),
        ({"transferred_on": date(2025, 11, 1)}, "transferred_on"),
        ({"reference": "   "}, "reference"),
        ({"reference": "x" * 101}, "reference"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(buyer, overrides, field):
    with pytest.raises(CreditdeskError) as caught:
        report(buyer, **overrides)
    assert caught.value.field == field
    assert not BankTransferReport.objects.exists()


def test_what_it_pays_must_be_one_open_invoice_or_a_pack_on_sale(buyer):
    _customer, _user, pack, invoice = buyer
    with pytest.raises(TransferTargetRefused):
        report(buyer, invoice=invoice, credit_pack=pack)
    with pytest.raises(TransferTargetRefused) as caught:
        report(buyer, invoice=make_invoice(issue=True))  # another customer's
    assert caught.value.field == "invoice"
    with pytest.raises(TransferTargetRefused) as caught:
        report(buyer, invoice=None, credit_pack=make_credit_pack())  # another plan's
    assert caught.value.field == "credit_pack"
    assert report(buyer, invoice=None, credit_pack=pack, amount=Money("1071000", "COP"))


def test_the_same_reference_is_reported_once_unless_rejected(buyer):
    finance = make_finance_user()
    first = report(buyer)
    with pytest.raises(TransferAlreadyReported):
        report(buyer, reference="bancolombia-778812")
    transfer_reject(report=first, by=finance, reason="No aparece en el extracto")
    assert report(buyer).status == Status.PENDING


# Finance decides


def test_confirming_pays_the_invoice_once_through_the_payment_path(
    buyer, django_capture_on_commit_callbacks
):
    customer, _user, _pack, invoice = buyer
    finance = make_finance_user()
    row = report(buyer)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = transfer_confirm(report=row, by=finance)
    assert confirmed.status == Status.CONFIRMED
    payment = confirmed.payment
    assert (payment.provider, payment.provider_ref) == ("bank_transfer", "BANCOLOMBIA-778812")
    assert payment.applied_at is not None
    assert payment.recorded_by == finance
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.PAID
    with pytest.raises(TransferAlreadyDecided) as caught:
        transfer_confirm(report=row, by=finance)
    assert "ya fue confirmada" in caught.value.message("es")
    with pytest.raises(TransferAlreadyDecided):
        transfer_reject(report=row, by=finance, reason="tarde")
    assert Payment.objects.count() == 1
    # the reporting contact (in English) and the billing address (in Spanish) are told once
    told = [m for m in mail.outbox if "transfer" in m.subject.lower()]
    by_address = {message.to[0]: message for message in told}
    assert set(by_address) == {_user.email, customer.billing_email}
    assert by_address[_user.email].subject == "We confirmed your bank transfer"
    assert "BANCOLOMBIA-778812" in by_address[_user.email].body
    assert by_address[customer.billing_email].subject == "Confirmamos su transferencia"
    assert send_transfer_decision.call(row.pk) == 0  # the task once more: nothing new
    assert len([m for m in mail.outbox if "transfer" in m.subject.lower()]) == 2


def test_confirming_a_pack_lands_its_credits_once(buyer):
    customer, _user, pack, _invoice = buyer
    row = report(buyer, invoice=None, credit_pack=pack, amount=Money("1071000", "COP"))
    confirmed = transfer_confirm(report=row, by=make_finance_user())
    assert confirmed.payment.applied_at is not None
    account = CreditAccount.objects.get(customer=customer)
    assert account.balance == Decimal("10")


def test_an_amount_that_does_not_fit_is_recorded_and_flagged_for_finance(buyer):
    _customer, _user, _pack, invoice = buyer
    row = report(buyer, amount=invoice.total + Money("1000", "COP"))
    confirmed = transfer_confirm(report=row, by=make_finance_user())
    assert confirmed.payment.needs_attention
    assert confirmed.payment.attention_reason == Payment.Attention.OVERPAYMENT
    assert confirmed.payment.applied_at is None


def test_a_transfer_of_part_of_an_invoice_is_applied_and_leaves_the_rest_due(buyer):
    _customer, _user, _pack, invoice = buyer
    row = report(buyer, amount=Money("1000", "COP"))
    confirmed = transfer_confirm(report=row, by=make_finance_user())
    assert confirmed.payment.applied_at is not None
    assert not confirmed.payment.needs_attention
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice_amount_due(invoice) == invoice.total - Money("1000", "COP")


def test_rejecting_needs_a_reason_and_tells_the_customer(buyer, django_capture_on_commit_callbacks):
    finance = make_finance_user()
    row = report(buyer)
    with pytest.raises(ReasonRequired):
        transfer_reject(report=row, by=finance, reason="  ")
    with pytest.raises(InvalidInput) as caught:
        transfer_reject(report=row, by=finance, reason="x" * 2001)
    assert caught.value.field == "reason"
    with django_capture_on_commit_callbacks(execute=True):
        rejected = transfer_reject(report=row, by=finance, reason="No llegó al banco")
    assert rejected.status == Status.REJECTED
    assert not Payment.objects.exists()
    english = next(m for m in mail.outbox if m.subject.startswith("We could not"))
    assert "No llegó al banco" in english.body
    spanish = next(m for m in mail.outbox if m.subject.startswith("No pudimos"))
    assert "Motivo: No llegó al banco" in spanish.body


def test_a_reference_finance_already_recorded_by_hand_is_refused_and_stays_pending(buyer):
    from billing.exceptions import DuplicatePaymentReference
    from billing.services.payments import payment_record

    customer, _user, pack, _invoice = buyer
    finance = make_finance_user()
    row = report(buyer)
    payment_record(
        customer=customer,
        amount=Money("1071000", "COP"),
        provider="bank_transfer",
        provider_ref="BANCOLOMBIA-778812",
        received_on=date(2026, 12, 2),
        credit_pack=pack,
        by=finance,
    )
    with pytest.raises(DuplicatePaymentReference):
        transfer_confirm(report=row, by=finance)
    row.refresh_from_db()
    assert row.status == Status.PENDING
    assert row.payment is None
    assert Payment.objects.count() == 1


def test_the_customer_timeline_tells_a_confirmed_transfer_in_the_readers_language(buyer):
    """The payment keeps no sentence of ours in one language: the timeline says where it came
    from in the language of whoever reads it."""
    customer, *_ = buyer
    confirmed = transfer_confirm(report=report(buyer), by=make_finance_user())
    assert confirmed.payment.note == ""

    def detail(language: str) -> str:
        with translation.override(language):
            (item,) = [i for i in customer_timeline(customer=customer) if i.kind == "payment"]
        return item.detail

    assert detail("es") == f"Transferencia informada por el cliente (n.º {confirmed.pk})"
    assert detail("en") == f"Bank transfer reported by the customer (no. {confirmed.pk})"
