"""Real threads against PostgreSQL: a refund made in Stripe, listed by charge.refunded events
handled at once (each event lists every refund of the charge, so two refunds made in a row
send two events naming the first), is recorded once and flags nothing; one our side records
failed while its event is handled is recorded as made."""

from decimal import Decimal

import pytest
from django.db import transaction

from billing.locks import refund_lock
from billing.models import Invoice, Refund
from billing.selectors import payment_list_needing_attention
from billing.services.refunds import _draft_refund, refund_fail_locked, refunds_from_stripe_charge
from tests.billing.test_refunds import balance, stripe_top_up  # noqa: F401  (fixture)
from tests.billing.test_topups import stripe_client
from tests.threads import run_together, run_while_held

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_events_listing_one_stripe_refund_at_once_record_it_once(
    stripe_top_up,  # noqa: F811
    settings,
):
    customer, _payment, intent = stripe_top_up
    client = stripe_client(settings)
    client.v1.refunds.create(params={"payment_intent": intent["id"]})
    charge = client.v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()

    results = run_together(lambda i: refunds_from_stripe_charge(charge), threads=4)

    assert results == [None] * 4
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    assert Invoice.objects.filter(kind=Invoice.Kind.CREDIT_NOTE).count() == 1
    assert balance(customer) == Decimal("0")
    assert not payment_list_needing_attention().exists()


def test_a_refund_failing_on_our_side_while_stripe_reports_it_made_is_recorded(
    stripe_top_up,  # noqa: F811
    settings,
):
    """Our side records the refund failed (a timeout) while the charge.refunded event that
    says Stripe made it is being handled, after the event read it as started: the event
    decides again under the refund's lock, and the refund is recorded as made in Stripe,
    its credit note issued and the credits it bought taken back once."""
    customer, payment, intent = stripe_top_up
    with transaction.atomic():
        started, _new = _draft_refund(payment, amount=None, reason="Duplicado", by=None)
    stripe_client(settings).v1.refunds.create(
        params={"payment_intent": intent["id"], "metadata": {"creditdesk_refund": str(started.pk)}}
    )
    charge = stripe_client(settings).v1.charges.retrieve(intent["latest_charge"]["id"]).to_dict()

    def fail_while_held() -> None:
        refund_lock(started.pk)
        refund_fail_locked(started, "timeout")

    outcome = run_while_held(fail_while_held, lambda: refunds_from_stripe_charge(charge))

    assert outcome is None
    started.refresh_from_db()
    assert started.status == Refund.Status.FAILED
    made = Refund.objects.exclude(pk=started.pk).get()
    assert (made.status, made.provider_ref) == (
        Refund.Status.SUCCEEDED,
        charge["refunds"]["data"][0]["id"],
    )
    assert made.credit_note.status == Invoice.Status.ISSUED
    assert balance(customer) == Decimal("0")
    assert not payment_list_needing_attention().exists()
