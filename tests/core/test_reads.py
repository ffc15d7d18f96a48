"""core.reads.first_row gives what the ORM's `.first()` gives, compiling the query once, and
`all_values` what its `values()` gives."""

from datetime import date

import pytest
from django.db import connection
from django.db.models import BooleanField, Count, ExpressionWrapper, IntegerField, Q, Value
from django.test.utils import CaptureQueriesContext

from contracts.models import Contract
from contracts.selectors import contracts_live
from core.reads import all_rows, all_values, attach_related, first_row
from credits.models import CreditAccount
from tests.factories import make_contract, make_credit_account, make_customer

pytestmark = pytest.mark.django_db


def _live(customer_id: int, since: date):
    return contracts_live(
        customer_id=customer_id,
        related=("customer__credit_account",),
        annotate={"started_by_then": Q(starts_on__lte=since)},
    )


def test_the_row_its_related_objects_and_annotations_are_the_orms():
    # given two customers, one with a credit account
    funded = make_contract()
    make_credit_account(funded.customer, credits="10")
    unfunded = make_contract()
    for contract in (funded, unfunded):
        # when the same shape reads each customer's contract
        read = first_row(
            ("test", "live"), _live, customer_id=contract.customer_id, since=date(2000, 1, 1)
        )
        orm = _live(contract.customer_id, date(2000, 1, 1)).first()
        # then it is the ORM's row, with the same related objects and annotation
        assert read == orm
        assert read.plan == orm.plan
        assert read.plan.name == orm.plan.name
        assert read.customer.legal_name == orm.customer.legal_name
        assert read.started_by_then is orm.started_by_then is False
    with CaptureQueriesContext(connection) as queries:
        read = first_row(("test", "live"), _live, customer_id=funded.customer_id, since=date.max)
        assert read.customer.credit_account.customer_id == funded.customer_id
        assert read.started_by_then is True
    assert len(queries) == 1  # the account came with the contract
    unfunded_read = first_row(
        ("test", "live"), _live, customer_id=unfunded.customer_id, since=date.max
    )
    with pytest.raises(CreditAccount.DoesNotExist):
        unfunded_read.customer.credit_account  # noqa: B018  # the outer join found none


def test_no_row_is_none():
    assert first_row(("test", "live"), _live, customer_id=10**9, since=date.max) is None


def test_a_value_the_query_never_uses_is_refused():
    def ignores_since(customer_id: int, since: date):
        return contracts_live(customer_id=customer_id).annotate(x=Value(True, BooleanField()))

    with pytest.raises(ValueError, match="since"):
        first_row(("test", "ignores"), ignores_since, customer_id=1, since=date.max)


def test_all_rows_are_the_orms_rows_in_its_order():
    contracts = [make_contract() for _ in range(3)]

    def by_plan(plan_id: int):
        return Contract.objects.filter(plan_id__gte=plan_id).order_by("-pk")

    read = all_rows(("test", "by_plan"), by_plan, plan_id=contracts[1].plan_id)
    assert read == list(by_plan(contracts[1].plan_id))
    assert [c.customer_id for c in read] == [c.customer_id for c in reversed(contracts[1:])]
    assert all_rows(("test", "by_plan"), by_plan, plan_id=10**9) == []


def test_two_values_of_one_kind_each_keep_their_own_place():
    # given contracts whose customer and plan ids differ (one customer more than plans)
    make_customer()
    contracts = [make_contract() for _ in range(2)]
    assert all(c.customer_id != c.plan_id for c in contracts)

    def of(customer_id: int, plan_id: int):
        return Contract.objects.filter(customer_id=customer_id, plan_id=plan_id)

    for contract in contracts:
        read = first_row(
            ("test", "two ints"), of, customer_id=contract.customer_id, plan_id=contract.plan_id
        )
        assert read == contract
    other = contracts[1]
    assert (
        first_row(
            ("test", "two ints"), of, customer_id=contracts[0].customer_id, plan_id=other.plan_id
        )
        is None
    )


def test_related_rows_are_handed_to_their_own_instance_and_others_are_left_out():
    from contracts.models import Customer
    from tests.factories import make_contact

    customers = [make_customer(), make_customer()]
    contacts = [make_contact(customer=customer) for customer in customers]
    late = make_contact(customer=make_customer())  # as if its customer came after the read
    read = list(Customer.objects.filter(pk__in=[c.pk for c in customers]).order_by("pk"))

    attach_related(read, "contacts", [*contacts, late])

    with CaptureQueriesContext(connection) as queries:
        for customer, contact in zip(read, contacts, strict=True):
            assert list(customer.contacts.all()) == [contact]
            assert customer.contacts.all()[0].customer is customer
    assert len(queries) == 0


def test_all_values_are_the_orms_dicts_a_union_included():
    # given contracts of several plans
    contracts = [make_contract() for _ in range(3)]

    def plans_from(plan_id: int, customer_id: int):
        on_plans = Contract.objects.filter(plan_id__gte=plan_id).order_by().values("plan_id")
        of_customer = Contract.objects.filter(customer_id=customer_id).order_by().values("plan_id")
        counted = on_plans.annotate(n=Count("pk"))
        return counted.union(of_customer.annotate(n=Count("pk") + 100), all=True).order_by()

    for contract in contracts:
        values = {"plan_id": contract.plan_id, "customer_id": contracts[0].customer_id}
        # when the same shape reads each contract's values
        read = all_values(("test", "plans from"), plans_from, **values)
        # then they are the ORM's dicts, the numbers converted as it converts them
        assert sorted(read, key=repr) == sorted(plans_from(**values), key=repr)
        assert {row["n"] for row in read} >= {1, 101}
    with pytest.raises(ValueError, match="all_values"):
        all_rows(("test", "plans from"), plans_from, plan_id=1, customer_id=1)


def test_the_shapes_constants_are_literals_in_the_sql_and_the_calls_values_parameters():
    # given a read whose shape has constant texts (one with a quote and percent signs, which
    # the literal must escape) and a constant number, besides the call's own customer
    tricky = make_customer(legal_name="O'Brien 100% s.a.s %s")
    other = make_customer(legal_name="Otro")

    def build(customer_id: int):
        return Contract.objects.filter(
            customer_id=customer_id,
            status__in=[Contract.Status.ACTIVE, Contract.Status.SUSPENDED],
            customer__legal_name__in=[tricky.legal_name, "Otro"],
            plan__payment_grace_days__lt=10_000,
        )

    contracts = [make_contract(customer) for customer in (tricky, other)]
    read = [first_row(("test", "literals"), build, customer_id=c.customer_id) for c in contracts]
    # then each call reads its own row, as the ORM does
    assert read == contracts == [build(c.customer_id).first() for c in contracts]
    # and the statement binds the customer alone: SQLite plans a statement again whenever a
    # bound value it compared with a partial index's condition changes (the live contract's
    # status, here), and PostgreSQL cannot use such an index in a generic plan
    compiled = connection._creditdesk_compiled_reads[("first", ("test", "literals"))]
    assert len(compiled.params) == 1
    for status in (Contract.Status.ACTIVE, Contract.Status.SUSPENDED):
        assert f"'{status}'" in compiled.sql
    assert "10000" in compiled.sql


def test_a_constant_the_read_orders_by_stays_a_parameter():
    # ORDER BY 2 would sort by the second column, the customer (and PostgreSQL refuses
    # ORDER BY 'x'): here the customers run the other way from the contracts
    customers = [make_customer() for _ in range(3)]
    contracts = [make_contract(customer) for customer in reversed(customers)]

    def build(customer_id: int):
        return Contract.objects.exclude(customer_id=customer_id).order_by(
            ExpressionWrapper(Value(2), output_field=IntegerField()), "pk"
        )

    read = all_rows(("test", "ordered by a constant"), build, customer_id=-1)
    assert read == list(build(-1)) == contracts
