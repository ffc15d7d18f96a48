"""Real threads against PostgreSQL: crossings racing each other charge the card once."""

from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.models import AutoTopUp, AutoTopUpAttempt, Payment
from billing.services.autotopup import auto_top_up_check
from credits.services import credit_account_get_or_create, credits_charge, credits_top_up
from tests.factories import make_contract, make_credit_pack
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_crossings_start_one_charge(db_tasks):
    # given a customer with auto top-up on at 5 credits, a saved card, and 4 credits left
    contract = make_contract()
    pack = make_credit_pack(contract.plan, credits=Decimal("10"), price=Money("900000", "COP"))
    account = credit_account_get_or_create(customer=contract.customer)
    credits_top_up(account=account, credits="8")
    AutoTopUp.objects.create(
        customer=contract.customer,
        enabled=True,
        threshold_credits=Decimal("5"),
        credit_pack=pack,
        payment_method_id="pm_saved",
    )
    credits_charge(account=account, credits="4")

    # when eight checks (charges and holds announcing the drop at once) race
    results = run_together(lambda i: auto_top_up_check(customer_id=contract.customer.pk), threads=8)

    # then one crossing: one attempt, one payment, one charge task enqueued
    assert not [r for r in results if isinstance(r, BaseException)], results
    started = [r for r in results if r is not None]
    assert len(started) == 1
    assert AutoTopUpAttempt.objects.count() == 1
    assert Payment.objects.filter(customer=contract.customer).count() == 1
    row = AutoTopUp.objects.get()
    assert (row.crossings, row.armed) == (1, False)
    from django_tasks_db.models import DBTaskResult

    charges = DBTaskResult.objects.filter(task_path="billing.tasks.auto_top_up_charge_task")
    assert charges.count() == 1
