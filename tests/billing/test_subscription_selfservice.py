"""Premium subscriptions people start and cancel (portal contacts, account managers), against
localstripe: one open subscription per contract, cancellation at the end of the paid
period, and the month's plan fee prorated by the plan-change rules."""

from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

import pytest
import time_machine
from djmoney.money import Money

from billing.exceptions import PaymentProviderFailed, PaymentProviderUnavailable
from billing.models import AutoTopUp, Invoice, StripeSubscription
from billing.services.run import Period, billing_run
from billing.services.subscriptions import (
    CardRequired,
    PlanNotSubscribable,
    SubscriptionAlreadyOpen,
    SubscriptionNotCancellable,
    plans_subscribable,
    subscription_cancel,
    subscription_subscribe,
    subscriptions_end_due,
)
from contracts.models import Contract
from tests.billing.test_subscriptions import card, premium_setup
from tests.billing.test_topups import stripe_client
from tests.factories import make_account_manager, make_plan

SubStatus = StripeSubscription.Status


def save_card(customer, settings) -> None:
    """The card the customer saved (the auto top-up's), as Stripe's payment method id."""
    AutoTopUp.objects.create(
        customer=customer, payment_method_id=card(settings), card_brand="visa", card_last4="4242"
    )


@pytest.fixture
def setup(db, settings, stripe_settings, frozen_now):
    contract, basic, premium = premium_setup()
    save_card(contract.customer, settings)
    return contract, basic, premium, make_account_manager()


def test_only_dearer_plans_in_the_customer_currency_are_offered(setup):
    contract, basic, premium, manager = setup
    cheaper = make_plan(monthly_fee=Money("10000", "COP"))
    dollars = make_plan(currency="USD", monthly_fee=Money("500", "USD"))
    offered = list(plans_subscribable(contract))
    assert premium in offered
    assert basic not in offered
    assert cheaper not in offered
    assert dollars not in offered
    with pytest.raises(PlanNotSubscribable) as caught:
        subscription_subscribe(contract=contract, premium_plan=cheaper, by=manager)
    assert caught.value.field == "premium_plan"
    assert not StripeSubscription.objects.exists()


def test_subscribe_then_cancel_at_period_end_with_localstripe(setup, settings):
    contract, basic, premium, manager = setup
    sub = subscription_subscribe(contract=contract, premium_plan=premium, by=manager)
    assert sub.stripe_id.startswith("sub_")
    assert sub.started_by == manager
    assert Contract.objects.get(pk=contract.pk).plan == premium
    # a second start while it is open is refused, in the service and by the database
    with pytest.raises(SubscriptionAlreadyOpen):
        subscription_subscribe(contract=contract, premium_plan=premium, by=manager)
    assert StripeSubscription.objects.filter(contract=contract).count() == 1

    cancelled = subscription_cancel(subscription=sub, by=manager)

    remote = stripe_client(settings).v1.subscriptions.retrieve(sub.stripe_id)
    assert remote.cancel_at_period_end is True
    assert remote.status == "active"  # the paid period runs on
    assert cancelled.cancel_at_period_end
    assert cancelled.cancel_requested_by == manager
    period_end = datetime.fromtimestamp(remote.current_period_end, tz=UTC)
    assert cancelled.ends_on == period_end.astimezone(contract.customer.time_zone_info).date()
    with pytest.raises(SubscriptionNotCancellable) as caught:
        subscription_cancel(subscription=sub, by=manager)
    assert "ya se pidió" in caught.value.message("es")
    # premium until the period ends, the plan it left from that day on
    day_before = datetime.combine(cancelled.ends_on - timedelta(days=1), dt_time(15), tzinfo=UTC)
    with time_machine.travel(day_before, tick=False):
        assert subscriptions_end_due() == []
    assert Contract.objects.get(pk=contract.pk).plan == premium
    with time_machine.travel(day_before + timedelta(days=1), tick=False):
        assert subscriptions_end_due() == [cancelled]
        assert Contract.objects.get(pk=contract.pk).plan == basic
        # ended: a new subscription may start
        assert subscription_subscribe(contract=contract, premium_plan=premium, by=manager)


def test_a_mid_month_start_prorates_the_plan_it_leaves(setup, frozen_now):
    # subscribed on 3 December: the basic plan's December fee covers 1-2 December only,
    # the premium days are Stripe's to bill
    contract, basic, premium, manager = setup
    subscription_subscribe(contract=contract, premium_plan=premium, by=manager)
    frozen_now.move_to("2027-01-05T15:00:00Z")
    billing_run(period=Period.parse("2026-12"))
    invoice = Invoice.objects.get(contract=contract, source=Invoice.Source.MONTHLY)
    (line,) = invoice.lines.all()
    assert line.description.startswith(f"Cuota mensual {basic.name} 01/12-02/12 (2/31")
    assert line.unit_price == Money("3870.97", "COP")  # 60000 x 2 / 31, rounded half up


def test_without_card_payments_nothing_starts(setup, settings):
    contract, _basic, premium, manager = setup
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(PaymentProviderUnavailable):
        subscription_subscribe(contract=contract, premium_plan=premium, by=manager)
    assert not StripeSubscription.objects.exists()


def test_a_subscription_stripe_refuses_is_closed_so_it_can_be_tried_again(setup, settings):
    contract, _basic, premium, manager = setup
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(PaymentProviderFailed) as caught:
        subscription_subscribe(contract=contract, premium_plan=premium, by=manager)
    assert "nothing was charged" in caught.value.message("en")
    row = StripeSubscription.objects.get(contract=contract)
    assert row.ended_at is not None
    assert row.stripe_id is None
    assert Contract.objects.get(pk=contract.pk).plan != premium


def test_without_a_saved_card_nothing_starts(setup):
    contract, _basic, premium, manager = setup
    AutoTopUp.objects.all().delete()
    with pytest.raises(CardRequired) as caught:
        subscription_subscribe(contract=contract, premium_plan=premium, by=manager)
    assert "saved card" in caught.value.message("en")
    assert not StripeSubscription.objects.exists()
