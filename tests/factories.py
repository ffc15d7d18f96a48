"""Small typed factories: `make_<model>(**overrides)` builds a valid row with sensible defaults."""

import importlib
import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from djmoney.money import Money

from contracts.models import (
    Channel,
    Contact,
    Contract,
    CreditPack,
    Customer,
    Plan,
    Service,
    ServiceCategory,
)
from credits.models import CreditAccount
from credits.services import credit_account_get_or_create, credits_top_up

if TYPE_CHECKING:
    from billing.models import AutoTopUpAttempt

_sequence = itertools.count(1)
_billing_seed = importlib.import_module("billing.migrations.0002_seed_tax_rates_and_series")
_finance_grants = importlib.import_module("creditdesk.api.migrations.0003_finance_permissions")


def migration_seed_rows() -> None:
    """Rows data migrations create (tax rates, invoice series, the finance group's grants),
    again if a transactional test flushed the tables: the migrations' own functions, on the
    current models."""
    _billing_seed.seed(django_apps, None)
    if not Group.objects.filter(name="finance", permissions__isnull=False).exists():
        _finance_grants.grant(django_apps, None)


def make_user(**overrides: Any):
    n = next(_sequence)
    fields = {"username": f"user{n}", "email": f"user{n}@example.com"} | overrides
    password = fields.pop("password", "secret-password")
    user = get_user_model()(**fields)
    user.set_password(password)
    user.save()
    return user


def make_customer(**overrides: Any) -> Customer:
    n = next(_sequence)
    fields = {
        "legal_name": f"Cliente {n} S.A.S.",
        "tax_id": f"900{n:06d}-1",
        "country": "CO",
        "currency": "COP",
        "time_zone": "America/Bogota",
        "billing_email": f"facturas{n}@cliente.example",
        "address": "Calle 100 # 10-20, Bogotá",
    } | overrides
    return Customer.objects.create(**fields)


def make_contact(customer: Customer | None = None, **overrides: Any) -> Contact:
    n = next(_sequence)
    fields = {
        "name": f"Contacto {n}",
        "email": f"contacto{n}@cliente.example",
        "can_request": True,
    } | overrides
    return Contact.objects.create(customer=customer or make_customer(), **fields)


def make_plan(**overrides: Any) -> Plan:
    n = next(_sequence)
    currency = overrides.pop("currency", "COP")
    fields = {
        "code": f"plan-{n}",
        "name": f"Plan {n}",
        "currency": currency,
        "monthly_fee": Money("120900", currency),
        "allowed_channels": [Channel.PORTAL, Channel.EMAIL, Channel.API],
        "credit_price": Money("95000", currency),
        "onsite_surcharge": Money("50000", currency),
    } | overrides
    return Plan.objects.create(**fields)


def make_credit_pack(plan: Plan | None = None, **overrides: Any) -> CreditPack:
    plan = plan or make_plan()
    fields = {
        "name": "10 horas",
        "credits": Decimal("10"),
        "price": Money("900000", plan.currency),
    } | overrides
    return CreditPack.objects.create(plan=plan, **fields)


def make_service(**overrides: Any) -> Service:
    n = next(_sequence)
    category = overrides.pop("category", None) or ServiceCategory.objects.create(
        code=f"category-{n}", name=f"Categoría {n}"
    )
    fields = {"code": f"service-{n}", "name": f"Servicio {n}"} | overrides
    return Service.objects.create(category=category, **fields)


def make_contract(
    customer: Customer | None = None, plan: Plan | None = None, **overrides: Any
) -> Contract:
    """An active contract unless `status` says otherwise."""
    customer = customer or make_customer()
    plan = plan or make_plan(currency=customer.currency)
    fields = {"status": Contract.Status.ACTIVE, "starts_on": date(2026, 1, 1)} | overrides
    return Contract.objects.create(customer=customer, plan=plan, **fields)


def make_credit_account(customer: Customer | None = None, **overrides: Any) -> CreditAccount:
    """A credit account through the service; `credits` tops it up first when given."""
    credits = overrides.pop("credits", None)
    account = credit_account_get_or_create(customer=customer or make_customer(**overrides))
    if credits:
        credits_top_up(account=account, credits=credits)
    return account


def make_staff_user(**overrides: Any):
    return make_user(**({"is_staff": True, "is_superuser": True} | overrides))


# Billing (appended by the billing app).


def make_invoice(
    customer: Customer | None = None,
    *,
    lines: list[tuple[str, Any]] | None = None,
    issue: bool = False,
    contract: Contract | None = None,
    tax_rate: Decimal | None = None,
    **overrides: Any,
):
    """A draft invoice through billing's services; `lines` are (description, Money) pairs at
    quantity 1 (default: one line of 100000 in the customer's currency); `issue` issues it."""
    from billing.models import InvoiceLine
    from billing.services import invoice_add_line, invoice_create_draft, invoice_issue

    customer = customer or make_customer()
    invoice = invoice_create_draft(customer=customer, contract=contract, **overrides)
    for description, price in lines or [("Servicio", Money("100000", customer.currency))]:
        invoice_add_line(
            invoice=invoice,
            kind=InvoiceLine.Kind.OTHER,
            description=description,
            quantity=1,
            unit_price=price,
            tax_rate=tax_rate,
        )
    if issue:
        invoice = invoice_issue(invoice)
    invoice.refresh_from_db()
    return invoice


def make_declined_auto_top_up(
    customer: Customer,
    pack: CreditPack,
    *,
    card_last4: str = "0341",
    failure_code: str = "card_declined",
    failure_message: str = "",
) -> "AutoTopUpAttempt":
    """An automatic top-up whose first charge the card's bank declined, as Stripe answers
    (rows only: pages read them without calling Stripe). Its payment keeps the failure as
    `failure_code` and `note`."""
    from billing.models import AutoTopUp, AutoTopUpAttempt, Payment

    auto = AutoTopUp.objects.create(
        customer=customer,
        enabled=True,
        threshold_credits=Decimal("5"),
        credit_pack=pack,
        payment_method_id="pm_card_visa",
        card_brand="visa",
        card_last4=card_last4,
    )
    payment = Payment.objects.create(
        customer=customer,
        credit_pack=pack,
        amount=pack.price,
        provider=Payment.Provider.STRIPE,
        provider_ref=f"pi_declined_{customer.pk}",
        status=Payment.Status.FAILED,
        failure_message=failure_message,
        failure_code=failure_code,
    )
    return AutoTopUpAttempt.objects.create(
        auto_top_up=auto,
        crossing=1,
        payment=payment,
        status=AutoTopUpAttempt.Status.DECLINED,
        failure_code=failure_code,
        failure_message=failure_message,
        available_credits=Decimal("4"),
    )


def make_onsite_charge(contract: Contract, **overrides: Any):
    from billing.services import onsite_charge_record

    fields = {"performed_on": date(2026, 11, 10), "description": "Visita en sitio"} | overrides
    return onsite_charge_record(contract=contract, **fields)


# API roles (appended by the API).


def _in_group(user, name: str):
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_agent(**overrides: Any):
    """Staff in the "agents" group."""
    return _in_group(make_user(**({"is_staff": True} | overrides)), "agents")


def make_finance_user(**overrides: Any):
    """Staff in the "finance" group."""
    return _in_group(make_user(**({"is_staff": True} | overrides)), "finance")


def make_account_manager(**overrides: Any):
    """Staff in no group: an account manager of the customers that name them."""
    return make_user(**({"is_staff": True} | overrides))


def make_portal_user(contact: Contact | None = None, **overrides: Any):
    """A login user linked to a customer contact (a portal or API user of that customer)."""
    contact = contact or make_contact()
    user = make_user(**({"email": contact.email} | overrides))
    Contact.objects.filter(pk=contact.pk).update(user=user)
    contact.user = user
    return user


# Documents (appended by the documents work).


def make_issued_invoices_bulk(
    customer: Customer,
    *,
    invoices: int,
    lines_per_invoice: int,
    unit_price: Money,
    tax_rate: Decimal = Decimal("19"),
    issued_on: date = date(2026, 11, 15),
) -> list[int]:
    """Many issued invoices fast, for volume tests: bulk inserts of drafts and lines, then
    one UPDATE per invoice to its issued state (allowed: the row is still a draft). Amounts
    are those `billing.services.line_amounts` gives; numbers come from series FV."""
    from datetime import timedelta

    from django.db.models import F

    from billing.models import Invoice, InvoiceLine, InvoiceSeries
    from billing.services import line_amounts

    amounts = line_amounts(quantity=Decimal(1), unit_price=unit_price, tax_rate=tax_rate)
    drafts = Invoice.objects.bulk_create(
        Invoice(customer=customer, currency=customer.currency) for _ in range(invoices)
    )
    currency = customer.currency
    InvoiceLine.objects.bulk_create(
        (
            InvoiceLine(
                invoice=draft,
                position=position,
                kind=InvoiceLine.Kind.OTHER,
                description=f"Servicio {position}",
                quantity=Decimal(1),
                currency=currency,
                unit_price=unit_price,
                tax_rate=tax_rate,
                subtotal=amounts.subtotal,
                tax=amounts.tax,
                total=amounts.total,
            )
            for draft in drafts
            for position in range(1, lines_per_invoice + 1)
        ),
        batch_size=2000,
    )
    series = InvoiceSeries.objects.get(code="FV")
    first = series.next_number
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=F("next_number") + invoices)
    for offset, draft in enumerate(drafts):
        Invoice.objects.filter(pk=draft.pk).update(
            status=Invoice.Status.ISSUED,
            series=series,
            number=first + offset,
            issued_on=issued_on,
            due_on=issued_on + timedelta(days=15),
            buyer_legal_name=customer.legal_name,
            buyer_tax_id=customer.tax_id,
            buyer_country=customer.country,
            buyer_email=customer.billing_email,
            subtotal=amounts.subtotal.amount * lines_per_invoice,
            tax=amounts.tax.amount * lines_per_invoice,
            total=amounts.total.amount * lines_per_invoice,
        )
    return [draft.pk for draft in drafts]


def log_finished_work(ticket, *, by, minutes: int, started_at=None, **fields):
    """`minutes` of work on `ticket` from `started_at` (its opening by default), logged the
    moment it ended, as the service requires: the clock stands at the end for the log only,
    so what the test does next happens when it would have without the work."""
    import time_machine

    from tickets.services.charging import worklog_add

    started_at = started_at or ticket.opened_at
    with time_machine.travel(started_at + timedelta(minutes=minutes), tick=False):
        return worklog_add(ticket, by=by, started_at=started_at, minutes=minutes, **fields)
