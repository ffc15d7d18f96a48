"""The account locks refuse to run outside a transaction, where the lock would be released
as soon as it was taken (the ORM checks this only when it compiles a locking read, and
these reads are compiled once per connection)."""

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from credits.locks import account_lock_if_exists, customer_account_lock
from tests.factories import make_credit_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_lock_outside_a_transaction_is_refused_every_time():
    account = make_credit_account(credits="5")
    with transaction.atomic():  # compiled here, inside a transaction
        assert customer_account_lock(account.customer_id) == account
        assert account_lock_if_exists(account.pk) == account

    with pytest.raises(TransactionManagementError):
        customer_account_lock(account.customer_id)
    with pytest.raises(TransactionManagementError):
        account_lock_if_exists(account.pk)


def test_a_customer_without_an_account_has_none_to_lock():
    account = make_credit_account(credits="5")
    with transaction.atomic():
        assert customer_account_lock(account.customer_id + 1000) is None
        assert account_lock_if_exists(account.pk + 1000) is None
