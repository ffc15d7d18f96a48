"""Real threads against PostgreSQL: checks racing each other fire a crossing's alert once."""

import pytest
from django.core import mail
from django.utils import timezone

from credits.alerts import credits_low_check
from credits.models import LowCreditsAlert
from credits.services import credit_account_get_or_create, credits_top_up
from tests.factories import make_contract
from tests.threads import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_twelve_checks_at_once_alert_once():
    contract = make_contract()
    credits_top_up(account=credit_account_get_or_create(customer=contract.customer), credits="1")

    results = run_together(
        lambda i: credits_low_check(contract=contract, now=timezone.now()), threads=12
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    assert results.count(True) == 1
    alert = LowCreditsAlert.objects.get()
    assert (alert.crossings, alert.armed) == (1, False)
    assert len(mail.outbox) == 1  # the billing address: the customer has no contacts
