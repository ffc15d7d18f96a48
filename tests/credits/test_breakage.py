"""Finance's view of prepaid credits: sold, granted, used, expired (breakage), refunded,
adjusted and outstanding (deferred revenue), valued at what customers paid, per currency."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from djmoney.money import Money

from credits.breakage import FIGURES, BreakageRow, credit_breakage
from credits.services import (
    credits_charge,
    credits_expire,
    credits_grant,
    credits_lapse_due,
    credits_place_hold,
    credits_reverse,
    credits_take_back_refunded,
    credits_top_up,
)
from tests.factories import make_credit_account, make_customer

D = Decimal
FEB = datetime(2026, 2, 1, tzinfo=UTC)
MAR = datetime(2026, 3, 1, tzinfo=UTC)
APR = datetime(2026, 4, 1, tzinfo=UTC)
EPOCH, FUTURE = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def figures(row: BreakageRow) -> dict[str, tuple[Decimal, Decimal]]:
    return {name: (credits, value.amount) for name, credits, value in row.figures()}


def assert_adds_up(row: BreakageRow) -> None:
    c, v = row.credits, row.values
    flows = ("sold", "granted", "adjusted")
    outs = ("used", "expired", "refunded")
    assert c["outstanding"] == c["opening"] + sum(c[f] for f in flows) - sum(c[f] for f in outs)
    value = v["opening"] + sum((v[f] for f in flows), v["opening"] * 0)
    value -= sum((v[f] for f in outs), v["opening"] * 0)
    assert v["outstanding"] == value


@pytest.fixture
def at(time_machine):
    def move(moment: datetime) -> None:
        time_machine.move_to(moment, tick=False)

    return move


def test_a_month_of_credits_that_never_expire(db, at):
    # February: 10 credits bought for 1,000,000 COP, 4 used
    account = make_credit_account(make_customer(currency="COP"))
    at(FEB + timedelta(days=2))
    credits_top_up(account=account, credits="10", amount=Money(1_000_000, "COP"))
    credits_charge(account=account, credits="4")
    # March: 5 more for 600,000; 8 used (6 of February's at 100,000, 2 of March's at 120,000)
    at(MAR + timedelta(days=3))
    credits_top_up(account=account, credits="5", amount=Money(600_000, "COP"))
    credits_grant(account=account, credits="1", reason="cortesía")
    credits_charge(account=account, credits="8")
    credits_expire(account=account, credits="1", reason="a mano")  # 1 of March's purchase

    (row,) = credit_breakage(start=MAR, end=APR)

    assert row.currency == "COP"
    assert figures(row) == {
        "opening": (D(6), D(600_000)),
        "sold": (D(5), D(600_000)),
        "granted": (D(1), D(0)),
        "used": (D(8), D(840_000)),
        "expired": (D(1), D(120_000)),
        "refunded": (D(0), D(0)),
        "adjusted": (D(0), D(0)),
        "outstanding": (D(3), D(240_000)),
    }
    assert row.deferred_revenue == Money(240_000, "COP")
    assert row.breakage == Money(120_000, "COP")
    assert_adds_up(row)


def test_blocks_that_lapse_are_breakage_at_what_they_cost(db, at):
    account = make_credit_account(make_customer(currency="USD"))
    at(FEB + timedelta(days=1))
    credits_top_up(account=account, credits="3", amount=Money(30, "USD"))  # never expires
    credits_top_up(
        account=account, credits="10", amount=Money(150, "USD"), expires_at=MAR + timedelta(days=5)
    )
    credits_grant(account=account, credits="2", expires_at=MAR + timedelta(days=5))
    hold = credits_place_hold(account=account, credits="3")  # reserves 3 of the purchase
    at(MAR + timedelta(days=1))
    credits_charge(account=account, credits="4")  # 4 more of the purchase: 3 free left
    at(MAR + timedelta(days=10))
    credits_lapse_due(account=account)
    credits_charge(account=account, credits="3", hold=hold)

    (row,) = credit_breakage(start=MAR, end=APR)

    assert row.credits["opening"] == D(15)
    assert row.values["opening"] == Money(180, "USD")
    assert row.credits["used"] == D(7)
    assert (row.credits["outstanding"], row.values["outstanding"]) == (D(3), Money(30, "USD"))
    # 3 free credits of the purchase lapsed at 15 dollars each, and the 2 granted, worth 0;
    # the 3 the hold reserved went to its request
    assert (row.credits["expired"], row.values["expired"]) == (D(5), Money(45, "USD"))
    assert row.values["used"] == Money(105, "USD")
    assert_adds_up(row)


def test_refunds_reversals_and_debt(db, at):
    account = make_credit_account(make_customer(currency="COP"))
    at(MAR + timedelta(days=1))
    credits_top_up(
        account=account,
        credits="4",
        amount=Money(400, "COP"),
        reference_type="billing.payment",
        reference_id="1",
    )
    charge = credits_charge(account=account, credits="6")  # 2 owed
    credits_top_up(account=account, credits="5", amount=Money(1000, "COP"))  # pays the 2
    credits_reverse(entry=charge, reason="error", account=account)
    credits_take_back_refunded(account=account, credits="1", idempotency_key="r1")

    (row,) = credit_breakage(start=MAR, end=APR)

    assert row.credits["sold"] == D(9)
    assert row.credits["used"] == D(0)  # 4 + 2 used, then 6 given back
    assert row.credits["refunded"] == D(1)
    assert row.credits["outstanding"] == D(8)
    assert_adds_up(row)


def test_currencies_are_never_added_together_and_empty_ones_are_left_out(db, at):
    at(MAR + timedelta(days=1))
    credits_top_up(
        account=make_credit_account(make_customer(currency="COP")),
        credits="1",
        amount=Money(100, "COP"),
    )
    credits_top_up(
        account=make_credit_account(make_customer(currency="USD")),
        credits="2",
        amount=Money(30, "USD"),
    )
    make_credit_account(make_customer(currency="ARS"))

    rows = credit_breakage(start=MAR, end=APR)

    assert [(r.currency, r.credits["sold"], r.values["sold"]) for r in rows] == [
        ("COP", D(1), Money(100, "COP")),
        ("USD", D(2), Money(30, "USD")),
    ]
    assert [r.currency for r in credit_breakage(start=MAR, end=APR, currency="USD")] == ["USD"]
    assert FIGURES[0] == "opening"


def test_a_purchases_value_is_drawn_whole_whatever_the_rounding(db, at):
    account = make_credit_account(make_customer(currency="COP"))
    at(MAR + timedelta(days=1))
    credits_top_up(account=account, credits="3", amount=Money(100, "COP"))
    for _ in range(3):
        credits_charge(account=account, credits="1")

    (row,) = credit_breakage(start=EPOCH, end=FUTURE)

    assert row.values["used"] == Money(100, "COP")  # 33.33 + 33.33 + 33.34
    assert row.values["outstanding"] == Money(0, "COP")
