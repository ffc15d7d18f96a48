"""Partial payments: an issued invoice takes payments of at most what is still due, each
applied and counted, and the one that leaves nothing due pays it; more than is due is kept for
finance (an overpayment); a credit pack's top-up still takes only its whole price. What is
due (`invoice_amount_due`) is the same figure for the payment form, the ageing, finance's list,
the API and the refunds' bound."""

from datetime import date
from decimal import Decimal

import pytest

from billing.exceptions import RefundExceedsPayment
from billing.models import BillingSuspension, Invoice, Payment
from billing.selectors import (
    customer_is_administratively_insolvent,
    invoice_amount_due,
    invoice_paid_and_due,
    invoice_totals_by_currency,
    receivables_ageing,
    receivables_ageing_by_customer,
)
from billing.services import (
    credit_note_issue,
    overdue_suspend_due,
    payment_apply,
    payment_record,
    payment_resolve,
    refund_issue,
)
from contracts.models import Contract
from credits.services import credit_account_get_or_create
from tests.api.conftest import client_for
from tests.billing.conftest import bank_transfer, cop
from tests.factories import (
    make_contract,
    make_credit_account,
    make_credit_pack,
    make_finance_user,
    make_invoice,
    make_plan,
)

pytestmark = pytest.mark.django_db

Attention = Payment.Attention


@pytest.fixture
def invoice(issued_invoice) -> Invoice:
    return issued_invoice


def test_a_part_is_applied_and_the_rest_pays_the_invoice(invoice):
    # when the customer pays most of it
    first = bank_transfer(invoice, cop("100000"), "TRF-1")

    # then the part counts toward it, and the invoice still waits for the rest
    invoice.refresh_from_db()
    assert first.applied_at is not None
    assert not first.needs_attention
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.paid_at is None
    assert invoice_amount_due(invoice) == cop("19000")
    assert invoice_paid_and_due(invoice) == (cop("100000"), cop("19000"))

    # when the rest arrives
    second = bank_transfer(invoice, cop("19000"), "TRF-2")

    # then the invoice is paid, once, by the two
    invoice.refresh_from_db()
    assert second.applied_at is not None
    assert invoice.status == Invoice.Status.PAID
    assert invoice.paid_at is not None
    assert invoice_amount_due(invoice) == cop("0")
    assert invoice.status_changes.filter(to_status=Invoice.Status.PAID).count() == 1


def test_more_than_is_still_due_is_flagged_as_an_overpayment(invoice):
    bank_transfer(invoice, cop("100000"), "TRF-1")

    over = bank_transfer(invoice, cop("20000"), "TRF-2")

    invoice.refresh_from_db()
    assert over.needs_attention
    assert over.attention_reason == Attention.OVERPAYMENT
    assert over.applied_at is None
    assert over.attention_detail == "received COP 20,000, COP 19,000 is still due"
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice_amount_due(invoice) == cop("19000")


def test_an_overpayment_reviewed_by_finance_stays_unapplied_with_its_reason(invoice):
    finance = make_finance_user()
    over = bank_transfer(invoice, cop("150000"), "TRF-1")

    payment_resolve(over, by=finance, note="Pagaron de más")
    applied = payment_apply(over, by=finance)

    assert applied.applied_at is None
    assert applied.resolved_at is not None
    assert applied.attention_reason == Attention.OVERPAYMENT
    assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.ISSUED


def test_a_credit_pack_top_up_still_takes_only_its_whole_price(frozen_now):
    # given a pack of 10 credits at COP 900.000 (1.071.000 with tax)
    contract = make_contract()
    pack = make_credit_pack(contract.plan, price=cop("900000"))

    # when the customer transfers half of it
    half = payment_record(
        customer=contract.customer,
        amount=cop("535500"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref="TRF-HALF",
        received_on=date(2026, 12, 3),
        credit_pack=pack,
    )

    # then nothing lands: the draft stays a draft, the payment waits for finance
    assert half.needs_attention
    assert half.attention_reason == Attention.AMOUNT_MISMATCH
    assert half.applied_at is None
    assert half.invoice.status == Invoice.Status.DRAFT
    assert credit_account_get_or_create(customer=contract.customer).balance == Decimal("0")


def test_the_ageing_and_the_unpaid_total_count_what_is_still_due(invoice):
    bank_transfer(invoice, cop("100000"), "TRF-1")

    (row,) = receivables_ageing(on=date(2026, 12, 3))
    (customer_row,) = receivables_ageing_by_customer(on=date(2026, 12, 3))
    (totals,) = invoice_totals_by_currency(Invoice.objects.filter(pk=invoice.pk))

    assert row.total == cop("19000")
    assert customer_row["owed_total"] == Decimal("19000")
    assert totals.unpaid == cop("19000")
    # paid in full, it leaves the ageing
    bank_transfer(invoice, cop("19000"), "TRF-2")
    assert receivables_ageing(on=date(2026, 12, 3)) == []


def test_a_credit_note_for_what_a_short_transfer_left_pays_the_invoice(invoice):
    # given a transfer short by the bank's fee
    bank_transfer(invoice, cop("118000"), "TRF-1")

    # when finance credits the fee
    credit_note_issue(invoice=invoice, reason="Comisión bancaria", amount=cop("1000"))

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert invoice_amount_due(invoice) == cop("0")


def test_a_credit_note_on_an_invoice_nobody_paid_leaves_it_issued(invoice):
    credit_note_issue(invoice=invoice, reason="Anulación comercial")

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice_amount_due(invoice) == cop("0")


def test_a_refund_of_a_part_gives_back_that_part_and_no_more(invoice):
    part = bank_transfer(invoice, cop("59500"), "TRF-1")

    with pytest.raises(RefundExceedsPayment) as refused:
        refund_issue(payment=part, reason="Error", amount=cop("60000"))
    refund = refund_issue(payment=part, reason="Devolución")

    assert refused.value.field == "amount"
    assert refund.amount == cop("59500")
    assert refund.credit_note.total == cop("59500")
    # what was refunded is credited: the invoice still asks the rest of its total
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice_amount_due(invoice) == cop("59500")
    with pytest.raises(RefundExceedsPayment):
        refund_issue(payment=part, reason="Otra vez")


def test_a_part_leaves_the_customer_overdue_and_the_rest_lifts_the_suspension(
    frozen_now, settings, django_capture_on_commit_callbacks
):
    # given an invoice overdue long enough to suspend the contract
    contract = make_contract(plan=make_plan(payment_grace_days=5))
    make_credit_account(contract.customer, credits="10")
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    settings.BILLING_SUSPEND_AFTER_DAYS = 10
    frozen_now.move_to("2027-01-03T12:00:00Z")
    overdue_suspend_due()
    due = invoice_amount_due(invoice)

    # when a part arrives, the customer is still overdue and suspended
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            customer=invoice.customer,
            amount=due - cop("1000"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRF-1",
            received_on=date(2027, 1, 3),
            invoice=invoice,
        )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED
    assert customer_is_administratively_insolvent(contract.customer)

    # and the rest lifts it
    with django_capture_on_commit_callbacks(execute=True):
        payment_record(
            customer=invoice.customer,
            amount=cop("1000"),
            provider=Payment.Provider.BANK_TRANSFER,
            provider_ref="TRF-2",
            received_on=date(2027, 1, 3),
            invoice=invoice,
        )
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert BillingSuspension.objects.get().lifted_at is not None


def test_the_api_gives_what_is_still_due_in_the_list_and_the_detail(invoice):
    bank_transfer(invoice, cop("100000"), "TRF-1")
    api = client_for(make_finance_user())

    listed = api.get("/api/v1/invoices/").json()["results"]
    detail = api.get(f"/api/v1/invoices/{invoice.pk}/").json()

    remaining = {"amount": "19000.00", "currency": "COP"}
    assert [row["amount_due"] for row in listed] == [remaining]
    assert detail["amount_due"] == remaining
    assert detail["total"] == {"amount": "119000.00", "currency": "COP"}


def test_an_overdue_invoice_credited_in_full_no_longer_holds_the_customer(
    frozen_now, settings, django_capture_on_commit_callbacks
):
    """A credit note for the whole of an overdue, unpaid invoice leaves nothing due: the
    customer may ask for support again and the suspension it caused is lifted, where the
    invoice, still issued, kept the customer insolvent and suspended for ever."""
    # given an invoice overdue long enough to suspend the contract
    contract = make_contract(plan=make_plan(payment_grace_days=5))
    make_credit_account(contract.customer, credits="10")
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    settings.BILLING_SUSPEND_AFTER_DAYS = 10
    frozen_now.move_to("2027-01-03T12:00:00Z")
    overdue_suspend_due()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED

    # when finance credits all of it
    with django_capture_on_commit_callbacks(execute=True):
        credit_note_issue(invoice=invoice, reason="Cobrada por error")

    # then it owes nothing, stays issued (nothing was paid) and holds the customer no more
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice_amount_due(invoice) == cop("0")
    assert not customer_is_administratively_insolvent(contract.customer)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    overdue_suspend_due()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
