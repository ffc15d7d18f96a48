"""Overdue invoices: insolvency through credits' solvency hook, suspension, reactivation."""

from datetime import date

import pytest
from django.core.management import call_command

from billing.models import BillingSuspension, Payment
from billing.selectors import customer_is_administratively_insolvent
from billing.services import overdue_lift_settled, overdue_suspend_due, payment_record
from billing.services.overdue import overdue_announce
from contracts.models import Contract
from contracts.services import contract_reactivate, contract_suspend
from credits.solvency import solvency_check
from tests.factories import (
    make_contract,
    make_credit_account,
    make_customer,
    make_invoice,
    make_plan,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def overdue_setup(frozen_now):
    # issued 2026-12-03, due 2026-12-18, 5 grace days: insolvent from 2026-12-24
    contract = make_contract(plan=make_plan(payment_grace_days=5))
    make_credit_account(contract.customer, credits="10")
    invoice = make_invoice(contract.customer, contract=contract, issue=True)
    assert invoice.insolvent_on == date(2026, 12, 24)
    return contract, invoice


def pay_by_transfer(invoice, *, on: date) -> None:
    payment_record(
        customer=invoice.customer,
        amount=invoice.total,
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref=f"TRX-{invoice.pk}",
        received_on=on,
        invoice=invoice,
    )


def test_unpaid_past_due_and_grace_makes_the_customer_insolvent(overdue_setup, frozen_now):
    contract, _invoice = overdue_setup
    frozen_now.move_to("2026-12-23T12:00:00Z")
    assert not customer_is_administratively_insolvent(contract.customer)
    assert solvency_check(customer=contract.customer).ok
    frozen_now.move_to("2026-12-24T12:00:00Z")
    assert customer_is_administratively_insolvent(contract.customer)
    assert solvency_check(customer=contract.customer).code == "administratively_insolvent"


def test_insolvency_starts_on_the_customers_day_not_utcs(overdue_setup, frozen_now):
    # given: insolvent from 24 December; at 20:00 on the 23rd in Bogotá it is the 24th in UTC
    contract, _invoice = overdue_setup
    frozen_now.move_to("2026-12-24T01:00:00Z")
    # then: the customer may still ask that evening, through the check and through intake's read
    assert not customer_is_administratively_insolvent(contract.customer)
    assert solvency_check(customer=contract.customer, lock=True).ok
    # and from midnight in Bogotá it may not
    frozen_now.move_to("2026-12-24T05:00:00Z")
    assert customer_is_administratively_insolvent(contract.customer)
    assert solvency_check(customer=contract.customer, lock=True).code == (
        "administratively_insolvent"
    )


def test_suspension_after_the_further_period_and_reactivation_on_payment(
    overdue_setup, frozen_now, settings, django_capture_on_commit_callbacks
):
    contract, invoice = overdue_setup
    settings.BILLING_SUSPEND_AFTER_DAYS = 10
    frozen_now.move_to("2027-01-02T12:00:00Z")  # insolvent for 9 days
    assert overdue_suspend_due() == []
    frozen_now.move_to("2027-01-03T12:00:00Z")  # 10 days
    (suspension,) = overdue_suspend_due()
    assert suspension.invoice == invoice
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED
    assert "vencida" in contract.status_changes.last().reason
    assert overdue_suspend_due() == []  # once
    # when the customer pays by bank transfer
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_transfer(invoice, on=date(2027, 1, 3))
    # then the contract is active again and the suspension lifted
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert BillingSuspension.objects.get().lifted_at is not None
    assert solvency_check(customer=contract.customer).ok


def test_the_daily_jobs_follow_each_customers_day(overdue_setup, frozen_now, settings):
    # given: two customers with an invoice insolvent from 24 December, one in Bogotá (UTC-5)
    # and one in Madrid (UTC+1); the jobs run hourly
    bogota, bogota_invoice = overdue_setup
    madrid = make_contract(customer=make_customer(time_zone="Europe/Madrid"), plan=bogota.plan)
    madrid_invoice = make_invoice(madrid.customer, contract=madrid, issue=True)
    assert madrid_invoice.insolvent_on == bogota_invoice.insolvent_on == date(2026, 12, 24)
    # at 23:30 UTC on the 23rd only Madrid's day is the 24th
    frozen_now.move_to("2026-12-23T23:30:00Z")
    assert overdue_announce() == 1
    # at 01:00 UTC on the 24th Bogotá's evening is still the 23rd: its customer may still ask
    # (intake's check), so the jobs do not call its invoice overdue either
    frozen_now.move_to("2026-12-24T01:00:00Z")
    assert overdue_announce() == 1
    assert not customer_is_administratively_insolvent(bogota.customer)
    frozen_now.move_to("2026-12-24T05:00:00Z")
    assert overdue_announce() == 2
    assert customer_is_administratively_insolvent(bogota.customer)
    # suspension: 10 days later, on each customer's day
    settings.BILLING_SUSPEND_AFTER_DAYS = 10
    frozen_now.move_to("2027-01-02T23:30:00Z")
    assert [s.contract for s in overdue_suspend_due()] == [madrid]
    frozen_now.move_to("2027-01-03T04:59:00Z")
    assert overdue_suspend_due() == []
    frozen_now.move_to("2027-01-03T05:00:00Z")
    assert [s.contract for s in overdue_suspend_due()] == [bogota]


@pytest.fixture
def suspended_by_billing(overdue_setup, frozen_now, settings):
    """Suspended by the job at noon on 3 January 2027, ten days after the invoice made the
    customer insolvent."""
    contract, invoice = overdue_setup
    settings.BILLING_SUSPEND_AFTER_DAYS = 10
    frozen_now.move_to("2027-01-03T12:00:00Z")
    (suspension,) = overdue_suspend_due()
    return contract, invoice, suspension


def test_a_suspension_is_lifted_when_nothing_is_overdue_on_the_customers_day(
    suspended_by_billing, frozen_now
):
    # given: suspended for a first invoice, which is then paid, while a second invoice becomes
    # insolvent on 24 January
    contract, first, suspension = suspended_by_billing
    second = make_invoice(contract.customer, contract=contract, issue=True)
    assert second.insolvent_on == date(2027, 1, 24)
    pay_by_transfer(first, on=date(2027, 1, 3))
    # (the payment's own lift runs after commit, which this test's transaction never reaches)
    # when the job runs at 20:00 on the 23rd in Bogotá (the 24th in UTC)
    frozen_now.move_to("2027-01-24T01:00:00Z")
    # then nothing is overdue on the customer's day: the contract is active again
    assert overdue_lift_settled() == [suspension]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE


def test_staff_reactivating_a_billing_suspension_is_not_undone_by_the_next_run(
    suspended_by_billing, frozen_now, django_capture_on_commit_callbacks, mailoutbox
):
    # given: suspended by billing for an invoice still unpaid
    contract, invoice, suspension = suspended_by_billing
    # when an account manager reactivates the contract (a payment promised) and the hourly
    # job runs again
    contract_reactivate(contract, reason="Pago prometido para el viernes")
    frozen_now.move_to("2027-01-03T13:00:00Z")
    assert overdue_suspend_due() == []
    # then the reactivation stands; billing's suspension stays open until the invoice is paid
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert list(BillingSuspension.objects.filter(lifted_at__isnull=True)) == [suspension]
    # and when the customer pays, the suspension is lifted without telling the customer its
    # contract is active again: it has been since the account manager's reactivation
    with django_capture_on_commit_callbacks(execute=True):
        pay_by_transfer(invoice, on=date(2027, 1, 3))
    suspension.refresh_from_db()
    assert suspension.lifted_at is not None
    assert [m.subject for m in mailoutbox if "activ" in m.subject] == []


def test_a_contract_suspended_by_someone_else_is_not_reactivated_by_billing(
    overdue_setup, frozen_now
):
    contract, _invoice = overdue_setup
    contract_suspend(contract, reason="Pedido del cliente")
    assert overdue_lift_settled() == []
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SUSPENDED


def test_daily_command(overdue_setup, frozen_now, capsys):
    frozen_now.move_to("2027-02-01T12:00:00Z")
    call_command("billing_daily")
    assert "1 contracts suspended" in capsys.readouterr().out
