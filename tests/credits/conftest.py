import pytest

from tests.factories import make_contract, make_credit_account, make_staff_user


@pytest.fixture
def contract(db):
    return make_contract()


@pytest.fixture
def account(contract):
    """An account of a customer with an active contract on a default plan, ten credits in."""
    return make_credit_account(contract.customer, credits="10")


@pytest.fixture
def staff(db):
    return make_staff_user()
