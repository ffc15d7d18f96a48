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
