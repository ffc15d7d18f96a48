from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from djmoney.money import Money

from billing.services.payments import topup_invoice_draft
from contracts import services
from contracts.exceptions import (
    HasHistory,
    IllegalContractTransition,
    PlanChangeNotAllowed,
    SecondLiveContract,
)
from contracts.models import (
    Contact,
    Contract,
    ContractStatusChange,
    CreditPack,
    Customer,
    Plan,
)
from contracts.presets import service_upsert
from core.amounts import PRICE_MAX, CurrencyMismatch, InvalidAmount
from core.errors import InvalidInput, ReasonRequired
from tests.factories import make_contract, make_customer, make_plan, make_service, make_user

pytestmark = pytest.mark.django_db
Status = Contract.Status


def customer_fields(**overrides):
    return {
        "legal_name": "Hosting Andino S.A.S.",
        "tax_id": "900123456-7",
        "country": "CO",
        "currency": "COP",
        "time_zone": "America/Bogota",
        "billing_email": "facturas@andino.example",
    } | overrides


def test_customer_create_keeps_what_it_was_given():
    customer = services.customer_create(**customer_fields())

    assert Customer.objects.get(pk=customer.pk).legal_name == "Hosting Andino S.A.S."
    assert customer.membership == Customer.Membership.PAID


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "America/Gotham"),
        ("country", "Colombia"),
        ("country", "XX"),
        ("country", "co"),
        ("currency", "XXX"),
        ("billing_email", "not-an-email"),
        ("legal_name", ""),
    ],
)
def test_customer_create_rejects_bad_input_naming_the_field(field, value):
    with pytest.raises(InvalidInput) as refused:
        services.customer_create(**customer_fields(**{field: value}))

    assert field in refused.value.fields
    assert refused.value.as_dict()["code"] == "invalid_input"
    assert not Customer.objects.exists()


def test_two_contacts_cannot_share_an_email_address_in_any_case():
    customer = make_customer()
    services.contact_create(customer=customer, name="Ana", email="ana@andino.example")

    with pytest.raises(InvalidInput) as refused:
        services.contact_create(customer=customer, name="Ana B", email="ANA@andino.example")
    # Django words a constraint's message when it validates: in the reader's language then.
    with translation.override("en"), pytest.raises(InvalidInput) as refused_in_english:
        services.contact_create(customer=customer, name="Ana B", email="ANA@andino.example")

    assert refused.value.fields_in("es") == {"__all__": ["Ya hay un contacto con este correo."]}
    already = "There is already a contact with this e-mail."
    assert refused_in_english.value.fields_in("en") == {"__all__": [already]}
    assert Contact.objects.count() == 1


def test_plan_rejects_unknown_channels_in_both_languages():
    with pytest.raises(InvalidInput) as refused:
        services.plan_create(
            code="nivel-3", name="Nivel 3", currency="COP", allowed_channels=["carrier-pigeon"]
        )

    assert refused.value.fields_in("es") == {
        "allowed_channels": ["Canales desconocidos: carrier-pigeon"]
    }
    assert refused.value.fields_in("en") == {
        "allowed_channels": ["Unknown channels: carrier-pigeon"]
    }
    assert not Plan.objects.exists()


def test_a_service_type_rejects_unknown_channels_with_the_plans_rule():
    category = make_service().category
    with pytest.raises(InvalidInput) as refused:
        service_upsert(
            code="sla9", name="SLA 9", category=category, allowed_channels=["carrier-pigeon"]
        )

    assert refused.value.fields_in("en") == {
        "allowed_channels": ["Unknown channels: carrier-pigeon"]
    }


def test_a_plan_price_in_another_currency_is_a_currency_mismatch():
    with pytest.raises(CurrencyMismatch) as refused:
        services.plan_create(
            code="nivel-3", name="Nivel 3", currency="COP", monthly_fee=Money("120900", "USD")
        )

    assert (refused.value.code, refused.value.field) == ("currency_mismatch", "monthly_fee")
    assert not Plan.objects.exists()


@pytest.mark.parametrize("fee", ["abc", "-1", Decimal("-0.01"), "1.005", 1.5, "NaN", None])
def test_a_bad_plan_price_is_an_invalid_amount_naming_the_field(fee):
    with pytest.raises(InvalidAmount) as refused:
        services.plan_create(code="nivel-3", name="Nivel 3", currency="COP", monthly_fee=fee)

    assert (refused.value.code, refused.value.field) == ("invalid_amount", "monthly_fee")
    assert "zero or more" in refused.value.message("en")
    assert not Plan.objects.exists()


def test_plan_prices_may_be_plain_numbers_in_the_plan_currency_and_zero():
    plan = services.plan_create(
        code="nivel-3", name="Nivel 3", currency="USD", monthly_fee="49.90", credit_price=0
    )

    plan.refresh_from_db()
    assert plan.monthly_fee == Money("49.90", "USD")
    assert plan.credit_price == Money(0, "USD")
    assert plan.onsite_surcharge == Money(0, "USD")


def test_an_unknown_plan_currency_is_bad_input_on_currency():
    with pytest.raises(InvalidInput) as refused:
        services.plan_create(code="nivel-3", name="Nivel 3", currency="ZZZ", monthly_fee="1")

    assert refused.value.field == "currency"
    assert not Plan.objects.exists()


@pytest.mark.parametrize("field", ["min_available_credits", "min_billable_credits"])
def test_plan_rejects_negative_credit_rules(field):
    with pytest.raises(InvalidInput) as refused:
        services.plan_create(code="x", name="X", currency="COP", **{field: Decimal("-1")})

    assert field in refused.value.fields


def test_plan_defaults_follow_seed_003():
    plan = services.plan_create(code="dedicados", name="Créditos dedicados", currency="COP")

    assert plan.min_available_credits == Decimal("2")
    assert plan.min_billable_credits == Decimal("1")
    assert plan.billing_increment_minutes == 60
    assert plan.rounding == Plan.Rounding.UP


def test_staff_may_always_open_on_behalf_and_phone_only_when_listed():
    plan = make_plan(allowed_channels=["portal"])

    assert plan.allows_channel("staff")
    assert plan.allows_channel("portal")
    assert not plan.allows_channel("phone")


def test_contract_starts_as_a_draft_with_its_services():
    service = make_service()
    contract = services.contract_create(
        customer=make_customer(), plan=make_plan(), starts_on=date(2026, 11, 1), services=[service]
    )

    assert contract.status == Status.DRAFT
    assert list(contract.services.all()) == [service]


def test_contract_refuses_a_plan_in_another_currency():
    with pytest.raises(InvalidInput) as refused:
        services.contract_create(
            customer=make_customer(currency="ARS"),
            plan=make_plan(currency="COP"),
            starts_on=date(2026, 11, 1),
        )

    assert "plan" in refused.value.fields
    assert not Contract.objects.exists()


def test_contract_refuses_an_end_before_its_start():
    with pytest.raises(InvalidInput) as refused:
        services.contract_create(
            customer=make_customer(),
            plan=make_plan(),
            starts_on=date(2026, 11, 1),
            ends_on=date(2026, 10, 1),
        )

    assert "ends_on" in refused.value.fields


LEGAL_PATHS = [
    ([Status.ACTIVE], Status.ACTIVE),
    ([Status.ACTIVE, Status.SUSPENDED], Status.SUSPENDED),
    ([Status.ACTIVE, Status.SUSPENDED, Status.ACTIVE], Status.ACTIVE),
    ([Status.ACTIVE, Status.SUSPENDED, Status.CANCELLED], Status.CANCELLED),
    ([Status.ACTIVE, Status.CANCELLED], Status.CANCELLED),
    ([Status.CANCELLED], Status.CANCELLED),
]


@pytest.mark.parametrize(("path", "final"), LEGAL_PATHS)
def test_legal_transitions_are_recorded_with_who_and_why(path, final):
    manager = make_user(is_staff=True)
    contract = make_contract(status=Status.DRAFT)

    for to_status in path:
        services.contract_transition(contract, to_status=to_status, by=manager, reason="motivo")

    contract.refresh_from_db()
    assert contract.status == final
    history = list(contract.status_changes.values_list("from_status", "to_status"))
    assert [to for _, to in history] == path
    assert history[0][0] == Status.DRAFT
    assert all(change.by == manager for change in contract.status_changes.all())


ILLEGAL = [
    (Status.DRAFT, Status.SUSPENDED),
    (Status.ACTIVE, Status.ACTIVE),
    (Status.ACTIVE, Status.DRAFT),
    (Status.SUSPENDED, Status.DRAFT),
    (Status.CANCELLED, Status.ACTIVE),
    (Status.CANCELLED, Status.SUSPENDED),
]


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_illegal_transitions_are_refused_and_change_nothing(from_status, to_status):
    contract = make_contract(status=from_status)

    with pytest.raises(IllegalContractTransition) as refused:
        services.contract_transition(contract, to_status=to_status, reason="x")

    assert refused.value.code == "illegal_transition"
    assert refused.value.field == "status"
    contract.refresh_from_db()
    assert contract.status == from_status
    assert not ContractStatusChange.objects.exists()


def test_a_customer_has_one_live_contract_at_a_time():
    customer = make_customer()
    make_contract(customer=customer, status=Status.SUSPENDED)
    second = make_contract(customer=customer, status=Status.DRAFT)

    with pytest.raises(SecondLiveContract) as refused:
        services.contract_activate(second)

    assert refused.value.code == "second_active_contract"
    second.refresh_from_db()
    assert second.status == Status.DRAFT


def test_the_database_refuses_a_second_live_contract_even_without_the_service():
    from django.db import IntegrityError

    customer = make_customer()
    make_contract(customer=customer)

    with pytest.raises(IntegrityError):
        make_contract(customer=customer)


@pytest.mark.parametrize("action", [services.contract_suspend, services.contract_cancel])
def test_suspending_or_cancelling_needs_a_reason(action):
    contract = make_contract()

    with pytest.raises(ReasonRequired):
        action(contract, reason="  ")

    contract.refresh_from_db()
    assert contract.status == Status.ACTIVE


def test_plan_change_is_recorded_with_its_effective_date():
    contract = make_contract(starts_on=date(2026, 1, 1))
    old_plan = contract.plan
    premium = make_plan(code="nivel-3")

    last_week = services.customer_today(contract.customer) - timedelta(days=7)
    change = services.contract_change_plan(
        contract, plan=premium, effective_on=last_week, reason="upgrade"
    )

    contract.refresh_from_db()
    assert contract.plan == premium
    assert (change.from_plan, change.to_plan, change.effective_on) == (
        old_plan,
        premium,
        last_week,
    )


@pytest.mark.parametrize(
    ("status", "effective_on", "field"),
    [
        (Status.CANCELLED, date(2026, 11, 15), "plan"),
        (Status.ACTIVE, date(2025, 12, 31), "effective_on"),
    ],
)
def test_plan_change_refusals(status, effective_on, field):
    contract = make_contract(status=status, starts_on=date(2026, 1, 1))

    with pytest.raises(PlanChangeNotAllowed) as refused:
        services.contract_change_plan(contract, plan=make_plan(), effective_on=effective_on)

    assert refused.value.field == field
    assert not contract.plan_changes.exists()


def test_a_customer_with_contracts_cannot_be_deleted():
    contract = make_contract()

    with pytest.raises(HasHistory) as refused:
        services.customer_delete(contract.customer)

    assert refused.value.code == "has_history"
    assert Customer.objects.filter(pk=contract.customer_id).exists()


def test_a_contract_that_went_live_cannot_be_deleted_but_a_fresh_draft_can():
    live = make_contract(status=Status.DRAFT)
    services.contract_activate(live)
    draft = make_contract(status=Status.DRAFT)

    with pytest.raises(HasHistory):
        services.contract_delete(live)
    services.contract_delete(draft)

    assert list(Contract.objects.all()) == [live]


def test_refusal_messages_speak_spanish_and_english():
    contract = make_contract(status=Status.CANCELLED)

    with pytest.raises(IllegalContractTransition) as refused:
        services.contract_activate(contract)

    assert refused.value.message("es") == (
        "Un contrato en estado «Cancelado» no puede pasar a «Activo»."
    )
    assert refused.value.message("en") == "A contract in status 'Cancelled' cannot become 'Active'."


def test_an_unknown_status_is_bad_input_on_the_status_field():
    contract = make_contract()

    with pytest.raises(InvalidInput) as refused:
        services.contract_transition(contract, to_status="paused", reason="x")

    assert refused.value.field == "status"
    assert "paused" in refused.value.message("en")
    assert not ContractStatusChange.objects.exists()


def test_a_credit_pack_is_priced_in_its_plan_currency():
    plan = make_plan(currency="COP")
    pack = services.credit_pack_create(plan=plan, name="10 horas", credits="10", price="900000")
    assert pack.price == Money("900000", "COP")
    assert pack.is_active


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"credits": "10", "price": "-1"}, "price"),
        ({"credits": "10", "price": Money("10", "USD")}, "price"),
        ({"credits": "0", "price": "1"}, "credits"),
        # its invoice, tax included, would not fit the money columns
        ({"credits": "10", "price": "999999999999.99"}, "price"),
        ({"credits": "10", "price": "100000000000"}, "price"),
    ],
)
def test_a_bad_credit_pack_is_refused_naming_the_field(fields, field):
    plan = make_plan(currency="COP")
    with pytest.raises((InvalidAmount, CurrencyMismatch, InvalidInput)) as refused:
        services.credit_pack_create(plan=plan, name="Paquete", **fields)
    assert field in refused.value.as_dict("en")["fields"]
    assert not plan.credit_packs.exists()


def test_the_dearest_credit_pack_still_fits_its_invoice_tax_included():
    plan = make_plan(currency="COP")
    customer = make_customer(country="CO")
    make_contract(customer, plan=plan)
    price = "99999999999.99"  # the highest a pack may cost
    pack = services.credit_pack_create(plan=plan, name="Máximo", credits="1500", price=price)

    invoice = topup_invoice_draft(customer=customer, credit_pack=pack)

    assert invoice.lines.get().description == "Máximo: 1.500,00 créditos"  # written in Spanish
    assert invoice.subtotal == Money(price, "COP")
    assert invoice.total == Money("118999999999.99", "COP")  # 19 % IVA


def test_portal_access_gives_the_contact_a_login_without_staff_rights():
    contact = services.contact_create(
        customer=make_customer(), name="Ana", email="ana@cliente.example", can_request=True
    )
    user = services.contact_portal_access_grant(contact, username="ana", password="s3creta-larga")
    contact.refresh_from_db()
    assert contact.user == user
    assert not user.is_staff
    assert user.check_password("s3creta-larga")
    assert user.email == "ana@cliente.example"


def test_the_admin_form_bounds_a_credit_pack_price_as_the_service_does():
    plan = make_plan(currency="COP")
    pack = CreditPack(plan=plan, name="Máximo", credits=Decimal("10"))
    pack.price = Money(PRICE_MAX, "COP")
    pack.full_clean()
    pack.price = Money(PRICE_MAX + Decimal("0.01"), "COP")

    with pytest.raises(ValidationError) as refused:
        pack.full_clean()
    assert list(refused.value.message_dict) == ["price"]
