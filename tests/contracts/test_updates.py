"""Updating customers, contacts and plans; deleting what has history; reactivating."""

from datetime import date

import pytest
from django.utils import translation
from djmoney.money import Money

from contracts import services
from contracts.exceptions import CurrencyLocked, HasHistory
from contracts.models import Contact, Contract, ContractStatusChange, Customer, Plan
from core.amounts import CurrencyMismatch, InvalidAmount
from core.errors import InvalidInput
from tests.factories import (
    make_contact,
    make_contract,
    make_credit_account,
    make_credit_pack,
    make_customer,
    make_plan,
    make_staff_user,
)

pytestmark = pytest.mark.django_db
Status = Contract.Status


def test_customer_update_saves_the_fields_it_is_given():
    customer = make_customer(legal_name="Andino S.A.S.")

    services.customer_update(customer, legal_name="Hosting Andino S.A.S.", country="VE")

    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.legal_name, stored.country) == ("Hosting Andino S.A.S.", "VE")
    assert customer.legal_name == "Hosting Andino S.A.S."


def test_customer_update_refuses_bad_input_and_writes_nothing():
    customer = make_customer(time_zone="America/Bogota", legal_name="Andino")

    with pytest.raises(InvalidInput) as refused:
        services.customer_update(customer, time_zone="America/Gotham", legal_name="Otro")

    assert refused.value.field == "time_zone"
    with translation.override("en"):
        assert "America/Gotham is not a known IANA time zone." in refused.value.message()
    stored = Customer.objects.get(pk=customer.pk)
    assert (stored.time_zone, stored.legal_name) == ("America/Bogota", "Andino")


def test_a_new_customer_may_change_currency():
    customer = make_customer(currency="COP")
    make_contact(customer)  # a person is not money: it does not lock the currency

    services.customer_update(customer, currency="USD")

    assert Customer.objects.get(pk=customer.pk).currency == "USD"


@pytest.mark.parametrize("history", ["contract", "credit account"])
def test_a_customer_s_currency_is_locked_once_money_was_recorded_in_it(history):
    customer = make_customer(currency="COP")
    if history == "contract":
        make_contract(customer=customer)
    else:
        make_credit_account(customer, credits="5")

    with pytest.raises(CurrencyLocked) as refused:
        services.customer_update(customer, currency="USD", legal_name="Otro nombre")

    assert (refused.value.code, refused.value.field) == ("currency_locked", "currency")
    expected = {
        "contract": ("contratos", "contracts"),
        "credit account": ("cuentas de créditos", "credit accounts"),
    }[history]
    assert expected[0] in refused.value.message("es")
    assert expected[1] in refused.value.message("en")
    assert Customer.objects.get(pk=customer.pk).currency == "COP"
    assert Customer.objects.get(pk=customer.pk).legal_name != "Otro nombre"


def test_contact_update_saves_and_validates():
    contact = make_contact(can_request=False)

    services.contact_update(contact, can_request=True, phone="+57 300 000 0000")
    assert Contact.objects.get(pk=contact.pk).can_request is True

    with pytest.raises(InvalidInput) as refused:
        services.contact_update(contact, email="not-an-email")
    assert refused.value.field == "email"
    assert Contact.objects.get(pk=contact.pk).email != "not-an-email"


def test_plan_update_takes_plain_numbers_in_the_plan_currency():
    plan = make_plan(currency="USD")

    services.plan_update(plan, monthly_fee="59.90", name="Nivel 2+")

    stored = Plan.objects.get(pk=plan.pk)
    assert (stored.monthly_fee, stored.name) == (Money("59.90", "USD"), "Nivel 2+")


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"monthly_fee": "abc"}, InvalidAmount, "monthly_fee"),
        ({"credit_price": "-1"}, InvalidAmount, "credit_price"),
        ({"onsite_surcharge": Money("1", "EUR")}, CurrencyMismatch, "onsite_surcharge"),
        ({"billing_increment_minutes": 0}, InvalidInput, "billing_increment_minutes"),
    ],
)
def test_plan_update_refuses_bad_input_naming_the_field(fields, error, field):
    plan = make_plan(currency="COP")
    before = Plan.objects.values().get(pk=plan.pk)

    with pytest.raises(error) as refused:
        services.plan_update(plan, **fields)

    assert refused.value.field == field
    assert Plan.objects.values().get(pk=plan.pk) == before


def test_an_unsold_plan_may_change_currency_with_its_prices():
    plan = make_plan(currency="COP", credit_price=Money(0, "COP"))

    services.plan_update(
        plan, currency="USD", monthly_fee="49", onsite_surcharge=Money("20", "USD")
    )

    stored = Plan.objects.get(pk=plan.pk)
    assert stored.currency == "USD"
    assert stored.monthly_fee == Money("49", "USD")
    assert stored.credit_price == Money(0, "USD")  # zero carries over to any currency


def test_a_price_left_in_the_old_currency_is_refused():
    plan = make_plan(currency="COP")  # credit_price 95,000 COP

    with pytest.raises(CurrencyMismatch) as refused:
        services.plan_update(plan, currency="USD", monthly_fee="49", onsite_surcharge="20")

    assert refused.value.field == "credit_price"
    assert Plan.objects.get(pk=plan.pk).currency == "COP"


@pytest.mark.parametrize("sold", ["contract", "credit pack"])
def test_a_sold_plan_keeps_its_currency(sold):
    plan = make_plan(currency="COP")
    if sold == "contract":
        make_contract(plan=plan)
    else:
        make_credit_pack(plan)

    with pytest.raises(CurrencyLocked) as refused:
        services.plan_update(
            plan, currency="USD", monthly_fee="1", credit_price="1", onsite_surcharge="1"
        )

    assert refused.value.field == "currency"
    assert Plan.objects.get(pk=plan.pk).currency == "COP"


def test_a_customer_with_credits_but_no_contract_cannot_be_deleted():
    customer = make_customer()
    make_credit_account(customer, credits="3")

    with pytest.raises(HasHistory) as refused:
        services.customer_delete(customer)

    assert (refused.value.code, refused.value.field) == ("has_history", "customer")
    assert "(cuentas de créditos)" in refused.value.message("es")
    assert "(credit accounts)" in refused.value.message("en")
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_customer_without_history_is_deleted_with_its_contacts():
    customer = make_customer()
    make_contact(customer)

    services.customer_delete(customer)

    assert not Customer.objects.exists()
    assert not Contact.objects.exists()


def test_deleting_a_contract_that_went_live_names_the_contract_field():
    contract = make_contract(status=Status.DRAFT)
    services.contract_activate(contract)

    with pytest.raises(HasHistory) as refused:
        services.contract_delete(contract)

    assert refused.value.field == "contract"
    assert "(cambios de estado)" in refused.value.message("es")
    assert "(status changes)" in refused.value.message("en")


def test_a_suspended_contract_is_reactivated_with_the_history_kept():
    staff = make_staff_user()
    contract = make_contract(starts_on=date(2026, 1, 1))
    services.contract_suspend(contract, by=staff, reason="Factura vencida")

    services.contract_reactivate(contract, by=staff, reason="Pagó")

    contract.refresh_from_db()
    assert contract.status == Status.ACTIVE
    history = list(ContractStatusChange.objects.values_list("from_status", "to_status", "reason"))
    assert history == [
        (Status.ACTIVE, Status.SUSPENDED, "Factura vencida"),
        (Status.SUSPENDED, Status.ACTIVE, "Pagó"),
    ]
