"""Real threads on PostgreSQL: the payment's task (replayed, and racing staff ticking the
domain) ticks "pago acreditado" once and starts the clock once, at the last step's time."""

import pytest
from djmoney.money import Money

from activations.models import Activation, ActivationStep
from activations.services import (
    activation_purchase,
    activation_step_meet,
    activations_payment_credited,
)
from billing.models import Invoice
from billing.services.payments import payment_record
from contracts.services import customer_today
from tests.threads import run_together

WORKERS = 6
LINKS = 4  # purchases per linking thread, so some land after the payment commits


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_payment_tasks_and_staff_start_the_clock_once(catalogue, customer, db_tasks):
    activation = activation_purchase(
        customer=customer, product=catalogue["Portal Noticioso"], unit_price=Money("1000", "ARS")
    )
    payment_record(  # the task it enqueues on commit waits in the queue
        customer=customer,
        amount=activation.invoice.total,
        provider="bank_transfer",
        provider_ref="TR-RACE",
        received_on=customer_today(customer),
        invoice=activation.invoice,
    )
    paid_at = Invoice.objects.get(pk=activation.invoice_id).paid_at
    domain = activation.steps.get(position=2)

    def work(i: int):
        if i % 2:
            return activation_step_meet(step=domain, by=None)
        return activations_payment_credited(invoice_id=activation.invoice_id)

    results = run_together(work, threads=WORKERS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r for r in results if isinstance(r, int)) == 1  # one thread ticked the payment
    assert db_tasks() >= 1  # the queued task, replayed after the race: nothing more
    final = Activation.objects.get(pk=activation.pk)
    steps = ActivationStep.objects.filter(activation=final).order_by("position")
    assert [step.met_at is not None for step in steps] == [True, True]
    assert steps[0].met_at == paid_at
    assert final.status == Activation.Status.RUNNING
    assert final.started_at == max(step.met_at for step in steps)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_linking_an_invoice_while_its_payment_lands_ticks_the_payment(catalogue, customer):
    """Staff link the invoice to more purchases while its payment is recorded (its task runs
    on commit, as a quick worker would): every activation ends with the payment ticked,
    whether it was linked before the payment committed, while, or after."""
    for round_ in range(3):
        first = activation_purchase(
            customer=customer, product=catalogue["Hosting"], unit_price=Money("1000", "ARS")
        )
        invoice = first.invoice

        def work(i: int, invoice=invoice, round_=round_):
            if i == 0:
                return payment_record(
                    customer=customer,
                    amount=invoice.total,
                    provider="bank_transfer",
                    provider_ref=f"TR-LINK-{round_}",
                    received_on=customer_today(customer),
                    invoice=invoice,
                )
            # The invoice as the caller read it (issued): the service must read it again.
            return [
                activation_purchase(
                    customer=customer, product=catalogue["Hosting"], invoice=invoice
                )
                for _ in range(LINKS)
            ]

        results = run_together(work, threads=WORKERS)
        assert not [r for r in results if isinstance(r, Exception)], results
        linked = Activation.objects.filter(invoice=invoice)
        assert linked.count() == 1 + (WORKERS - 1) * LINKS
        unticked = ActivationStep.objects.filter(activation__in=linked, met_at__isnull=True)
        assert not unticked.exists(), round_
        assert set(linked.values_list("status", flat=True)) == {Activation.Status.RUNNING}
