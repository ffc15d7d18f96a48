"""Premium plans paid through Stripe subscriptions (localstripe: plans, subscriptions,
invoices; it never sends invoice.paid, so that name is signed here with Stripe's scheme)."""

import io
import itertools
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from djmoney.money import Money

from background.models import SentMail
from billing.models import Invoice, Payment, StripeEvent, StripeSubscription
from billing.services import subscription_start, subscriptions_end_due
from billing.services.run import Period, billing_run
from billing.services.webhooks import stripe_events_replay_pending
from contracts.models import Contract
from tests.billing.conftest import make_event
from tests.billing.test_topups import stripe_client
from tests.factories import make_contract, make_plan

SubStatus = StripeSubscription.Status


def card(settings) -> str:
    method = stripe_client(settings).v1.payment_methods.create(
        params={
            "type": "card",
            "card": {
                "number": "4242424242424242",
                "exp_month": "12",
                "exp_year": "2030",
                "cvc": "123",
            },
        }
    )
    return method.id


def premium_setup():
    basic = make_plan(monthly_fee=Money("60000", "COP"))
    premium = make_plan(name="Nivel 3", monthly_fee=Money("120900", "COP"))
    contract = make_contract(plan=basic)
    return contract, basic, premium


@pytest.mark.django_db(transaction=True)
def test_subscription_end_to_end_with_localstripe_webhooks(settings, localstripe_webhooks):
    # given a contract that takes the premium plan paid by card
    contract, basic, premium = premium_setup()
    sub = subscription_start(
        contract=contract, premium_plan=premium, payment_method_id=card(settings)
    )
    assert sub.stripe_id.startswith("sub_")
    assert sub.fallback_plan == basic
    assert Contract.objects.get(pk=contract.pk).plan == premium
    # then localstripe's signed invoice.payment_succeeded becomes our paid invoice
    deadline = time.monotonic() + 15
    while not Invoice.objects.filter(contract=contract, status="paid").exists():
        assert time.monotonic() < deadline, list(StripeEvent.objects.values("type", "error"))
        time.sleep(0.2)
        stripe_events_replay_pending()
    invoice = Invoice.objects.get(contract=contract)
    assert invoice.source == Invoice.Source.SUBSCRIPTION
    assert invoice.total == Money("143871", "COP")  # 120900 + 19 % IVA, as Stripe charged
    # and the monthly run does not bill the premium fee a second time
    # when the subscription is cancelled in Stripe
    stripe_client(settings).v1.subscriptions.cancel(sub.stripe_id)
    deadline = time.monotonic() + 15
    while StripeSubscription.objects.get(pk=sub.pk).status != SubStatus.CANCELED:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    sub.refresh_from_db()
    assert sub.ends_on is not None
    # then the premium plan ends at the period end, not before
    # on the days the daily job runs: the plan change back takes effect on the customer's day
    day_before = datetime.combine(sub.ends_on - timedelta(days=1), dt_time(15), tzinfo=UTC)
    with time_machine.travel(day_before, tick=False):
        assert subscriptions_end_due() == []
    with time_machine.travel(day_before + timedelta(days=1), tick=False):
        assert subscriptions_end_due() == [sub]
    assert Contract.objects.get(pk=contract.pk).plan == basic


@pytest.fixture
def subscription(db, settings, stripe_settings):
    """A subscription recorded through localstripe; its webhooks go nowhere in this test."""
    contract, _basic, premium = premium_setup()
    sub = subscription_start(
        contract=contract, premium_plan=premium, payment_method_id=card(settings)
    )
    remote = stripe_client(settings).v1.subscriptions.retrieve(sub.stripe_id).to_dict()
    stripe_invoice = (
        stripe_client(settings).v1.invoices.retrieve(remote["latest_invoice"]).to_dict()
    )
    return sub, stripe_invoice, remote


def subscription_events(stripe_invoice: dict, remote: dict) -> list[bytes]:
    now = int(time.time())
    failed = stripe_invoice | {"status": "open", "amount_paid": 0}
    return [
        make_event("invoice.payment_failed", failed, event_id="evt_1_failed", created=now - 300),
        make_event(
            "invoice.payment_succeeded", stripe_invoice, event_id="evt_2_ps", created=now - 200
        ),
        make_event("invoice.paid", stripe_invoice, event_id="evt_3_paid", created=now - 200),
        make_event(
            "customer.subscription.deleted",
            remote | {"status": "canceled"},
            event_id="evt_4_deleted",
            created=now - 100,
        ),
    ]


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5])
def test_subscription_events_in_any_order_and_replayed(subscription, post_event, order):
    sub, stripe_invoice, remote = subscription
    events = subscription_events(stripe_invoice, remote)
    for index in order:
        assert post_event(events[index]).status_code == 200
    for payload in reversed(events):  # and all of them once more
        assert post_event(payload).status_code == 200
    # exactly one paid invoice for the Stripe invoice, one payment, and the end is final
    invoice = Invoice.objects.get(stripe_invoice_id=stripe_invoice["id"])
    assert invoice.status == Invoice.Status.PAID
    assert Payment.objects.filter(provider_ref=stripe_invoice["id"]).count() == 1
    sub.refresh_from_db()
    assert sub.status == SubStatus.CANCELED
    assert sub.ends_on is not None


def test_payment_failure_starts_dunning_once(
    subscription, post_event, django_capture_on_commit_callbacks
):
    sub, stripe_invoice, _remote = subscription
    failed = stripe_invoice | {"id": "in_next", "status": "open", "amount_paid": 0}
    now = int(time.time())
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            event = make_event(
                "invoice.payment_failed", failed, event_id=f"evt_f{n}", created=now + n
            )
            assert post_event(event).status_code == 200
    sub.refresh_from_db()
    assert sub.status == SubStatus.PAST_DUE
    assert sub.failed_attempts == 2
    assert sub.dunning_started_at is not None
    assert len(mail.outbox) == 1
    assert sub.contract.customer.billing_email in mail.outbox[0].to


def test_the_dunning_mail_is_a_task_that_mails_once_however_often_it_runs(
    subscription, post_event, db_tasks, django_capture_on_commit_callbacks
):
    sub, stripe_invoice, _remote = subscription
    failed = stripe_invoice | {"id": "in_next", "status": "open", "amount_paid": 0}
    event = make_event("invoice.payment_failed", failed, event_id="evt_f", created=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(event).status_code == 200
    assert not mail.outbox  # the webhook answered without mailing

    (queued,) = DBTaskResult.objects.filter(task_path="billing.tasks.send_dunning_mail")
    assert queued.args_kwargs["args"][0] == sub.pk
    queued.task.enqueue(*queued.args_kwargs["args"])  # the same task once more
    assert db_tasks() >= 2
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [sub.contract.customer.billing_email]


def test_no_dunning_mail_leaves_once_the_invoice_was_paid_meanwhile(
    subscription, post_event, db_tasks, django_capture_on_commit_callbacks
):
    # the card failed, then the retry paid, all before the worker reached the mail
    sub, stripe_invoice, _remote = subscription
    now = int(time.time())
    failed = stripe_invoice | {"id": "in_next", "status": "open", "amount_paid": 0}
    paid = stripe_invoice | {"id": "in_next"}
    with django_capture_on_commit_callbacks(execute=True):
        post_event(make_event("invoice.payment_failed", failed, event_id="evt_f", created=now))
        post_event(make_event("invoice.paid", paid, event_id="evt_p", created=now + 60))
    sub.refresh_from_db()
    assert (sub.status, sub.dunning_started_at) == (SubStatus.ACTIVE, None)

    assert db_tasks() >= 1

    assert not SentMail.objects.filter(kind="dunning").exists()  # the paid invoice's mail went
    (task,) = DBTaskResult.objects.filter(task_path="billing.tasks.send_dunning_mail")
    assert (task.status, task.return_value) == ("SUCCESSFUL", False)


def test_event_for_a_subscription_not_recorded_yet_waits(post_event, db, subscription):
    _sub, stripe_invoice, _remote = subscription
    other = stripe_invoice | {"id": "in_other", "subscription": "sub_unknown"}
    payload = make_event("invoice.paid", other, event_id="evt_wait", created=1)
    response = post_event(payload)
    assert response.status_code == 200
    assert response.json()["outcome"] == "pending"
    assert not Invoice.objects.filter(stripe_invoice_id="in_other").exists()


def test_an_event_whose_subscription_never_comes_is_given_up_a_day_later(
    post_event, db, subscription, admin_client
):
    _sub, stripe_invoice, _remote = subscription
    other = stripe_invoice | {"id": "in_other", "subscription": "sub_made_elsewhere"}
    post_event(make_event("invoice.paid", other, event_id="evt_never", created=1))
    waiting = StripeEvent.objects.get(event_id="evt_never")

    # replayed while a subscription may still be recorded, then rejected for a person to read
    assert stripe_events_replay_pending() == ["pending"]
    with time_machine.travel(waiting.received_at + timedelta(days=1, minutes=1)):
        out = io.StringIO()
        call_command("billing_daily", stdout=out)
        assert "0 waiting Stripe events processed, 1 given up" in out.getvalue()
        assert stripe_events_replay_pending() == []  # no longer replayed
    waiting.refresh_from_db()
    assert waiting.processed_at is None
    assert waiting.error == "Never ready: subscription sub_made_elsewhere not recorded yet"
    assert not Invoice.objects.filter(stripe_invoice_id="in_other").exists()

    # the admin finds it among the rejected events, not the waiting ones
    changelist = "/admin/billing/stripeevent/"
    assert "evt_never" in admin_client.get(changelist, {"state": "rejected"}).text
    assert "evt_never" not in admin_client.get(changelist, {"state": "waiting"}).text


def test_the_monthly_run_leaves_the_subscribed_premium_fee_to_stripe(frozen_now, subscription):
    # frozen_now comes first so the subscription starts on its fixed day, not on today's;
    # the period billed is the first whole month the contract spent on the premium plan.
    sub, _stripe_invoice, _remote = subscription
    unsubscribed = make_contract(plan=sub.premium_plan)  # same plan, paid by invoice
    frozen_now.move_to("2027-02-05T15:00:00Z")
    billing_run(period=Period.parse("2027-01"))
    monthly = Invoice.objects.filter(source=Invoice.Source.MONTHLY)
    assert not monthly.filter(contract=sub.contract).exists()
    fee = monthly.get(contract=unsubscribed).lines.get()
    assert fee.unit_price == Money("120900", "COP")


@pytest.mark.django_db
def test_a_cancelled_premium_plan_ends_at_the_customers_midnight(frozen_now):
    # given: premium cancelled to end on 10 December, for a customer in Bogotá (UTC-5)
    contract, basic, premium = premium_setup()
    Contract.objects.filter(pk=contract.pk).update(plan=premium)
    sub = StripeSubscription.objects.create(
        contract=contract,
        premium_plan=premium,
        fallback_plan=basic,
        status=StripeSubscription.Status.CANCELED,
        ends_on=date(2026, 12, 10),
    )
    # at 23:00 on the 9th in Bogotá, UTC's day is already the 10th: premium still
    frozen_now.move_to("2026-12-10T04:00:00Z")
    assert subscriptions_end_due() == []
    assert Contract.objects.get(pk=contract.pk).plan == premium
    # from midnight in Bogotá, the plan it left
    frozen_now.move_to("2026-12-10T05:00:00Z")
    assert subscriptions_end_due() == [sub]
    assert Contract.objects.get(pk=contract.pk).plan == basic
