"""Real threads against PostgreSQL: a refund made in Stripe, listed by charge.refunded events
handled at once (each event lists every refund of the charge, so two refunds made in a row
send two events naming the first), is recorded once and flags nothing."""

from decimal import Decimal

import pytest

from billing.models import Invoice, Refund
from billing.selectors import payment_list_needing_attention
from billing.services.refunds import refunds_from_stripe_charge
from tests.billing.test_refunds import balance, stripe_top_up  # noqa: F401  (fixture)
from tests.billing.test_topups import stripe_client
from tests.threads import run_together

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
