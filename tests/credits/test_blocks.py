"""Credit blocks: validity, the draw order, holds' reservations, lapsing, debt, and what
the ledger's verification sees of them (`credits.blocks`)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from djmoney.money import Money

from credits.blocks import add_months, grant_expiry, next_month_start, purchase_expiry
from credits.exceptions import ExpiryWithoutZone, InsufficientCredits
from credits.ledger import block_content, chain_hash, entry_content
from credits.models import (
    GENESIS_HASH,
    BlockKind,
    BlockMovement,
    CreditAccount,
    CreditBlock,
    LedgerEntry,
    PackCreditTerms,
    PlanCreditTerms,
)
from credits.selectors import ledger_verify
from credits.services import (
    credits_adjust,
    credits_charge,
    credits_expire,
    credits_grant,
    credits_grant_included,
    credits_lapse_due,
    credits_place_hold,
    credits_release_hold,
    credits_reverse,
    credits_take_back_refunded,
    credits_top_up,
)
from tests.factories import make_contract, make_credit_account, make_plan

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
D = Decimal


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def blocks_of(account: CreditAccount) -> list[tuple[str, Decimal]]:
    return [
        (block.kind, block.remaining)
        for block in CreditBlock.objects.filter(account=account).order_by("pk")
    ]


def moves_of(entry: LedgerEntry) -> dict[int, Decimal]:
    moved: dict[int, Decimal] = {}
    for block_id, credits in BlockMovement.objects.filter(entry=entry).values_list(
        "block_id", "credits"
    ):
        moved[block_id] = moved.get(block_id, D(0)) + credits
    return moved


def assert_blocks_sum_to_balance(account: CreditAccount) -> None:
    row = CreditAccount.objects.get(pk=account.pk)
    remaining = CreditBlock.objects.filter(account=row).values_list("remaining", flat=True)
    assert sum(remaining, D(0)) == row.balance
    assert ledger_verify(account_ids=[row.pk]).ok, ledger_verify(account_ids=[row.pk]).broken


# Validity.


def test_months_are_added_in_the_customers_calendar():
    bogota = ZoneInfo("America/Bogota")
    assert add_months(datetime(2026, 1, 31, 15, tzinfo=UTC), 1, zone=bogota) == datetime(
        2026, 2, 28, 15, tzinfo=UTC
    )
    assert add_months(datetime(2026, 3, 10, 15, tzinfo=UTC), 12, zone=bogota) == datetime(
        2027, 3, 10, 15, tzinfo=UTC
    )
    # a month ends at the customer's midnight: 05:00 UTC in Bogotá
    assert next_month_start(date(2026, 12, 5), zone=bogota) == datetime(2027, 1, 1, 5, tzinfo=UTC)


def test_a_packs_validity_wins_over_its_plans_and_no_terms_never_expire(db):
    contract = make_contract()
    plan, customer = contract.plan, contract.customer
    pack = plan.credit_packs.create(name="10", credits=10, price=Money(100, plan.currency))
    other = plan.credit_packs.create(name="20", credits=20, price=Money(180, plan.currency))
    assert purchase_expiry(customer=customer, packs=[pack], plan=plan, at=NOW) is None

    PlanCreditTerms.objects.create(plan=plan, purchase_validity_months=12, grant_validity_months=3)
    PackCreditTerms.objects.create(pack=other, validity_months=6)

    zone = customer.time_zone_info
    assert purchase_expiry(customer=customer, packs=[pack], plan=plan, at=NOW) == add_months(
        NOW, 12, zone=zone
    )
    assert purchase_expiry(customer=customer, packs=[other], plan=plan, at=NOW) == add_months(
        NOW, 6, zone=zone
    )
    # bought together: one block, the longest validity
    both = purchase_expiry(customer=customer, packs=[pack, other], plan=plan, at=NOW)
    assert both == add_months(NOW, 12, zone=zone)
    assert grant_expiry(customer=customer, plan=plan, at=NOW) == add_months(NOW, 3, zone=zone)


def test_an_expiry_needs_a_time_zone(db):
    account = make_credit_account()
    with pytest.raises(ExpiryWithoutZone) as refused:
        credits_top_up(account=account, credits="1", expires_at=datetime(2027, 1, 1))  # noqa: DTZ001
    assert refused.value.code == "naive_datetime"
    assert LedgerEntry.objects.count() == 0


# Tracking.


def test_credits_that_never_expire_keep_the_account_off_blocks(clock, db):
    account = make_credit_account(credits="5")
    credits_charge(account=account, credits="2")
    credits_grant(account=account, credits="1")

    assert not CreditAccount.objects.get(pk=account.pk).tracks_blocks
    assert not CreditBlock.objects.exists()
    assert ledger_verify().ok


def test_the_first_expiring_credits_open_blocks_with_the_balance_so_far(clock, db):
    account = make_credit_account(credits="5")
    credits_place_hold(account=account, credits="1")

    entry = credits_top_up(
        account=account, credits="10", amount=Money(100, "COP"), expires_at=NOW + timedelta(days=30)
    )

    assert account.tracks_blocks
    assert blocks_of(account) == [("opening", D(5)), ("purchase", D(10))]
    opening, purchase = CreditBlock.objects.order_by("pk")
    assert (opening.expires_at, purchase.expires_at) == (None, NOW + timedelta(days=30))
    assert purchase.amount == Money(100, "COP")
    assert opening.sequence == purchase.sequence == entry.sequence == 2
    # the entry hashes the blocks it created (content version 2)
    content = entry_content(
        account_id=account.pk,
        kind="top_up",
        credits=D(10),
        amount=D(100),
        amount_currency="COP",
        hold_id=None,
        reverses_id=None,
        reference_type="",
        reference_id="",
        created_by_id=None,
        reason="",
        idempotency_key=None,
        created_at=entry.created_at,
        blocks=block_content(
            new_blocks=[
                (opening.pk, "opening", D(5), None, None, None),
                (purchase.pk, "purchase", D(10), purchase.expires_at, D(100), "COP"),
            ],
            movements=[],
        ),
    )
    first = LedgerEntry.objects.get(sequence=1)
    expected = chain_hash(
        previous_hash=first.entry_hash, sequence=2, balance_after=D(15), content=content
    )
    assert entry.entry_hash == expected
    assert first.entry_hash == chain_hash(
        previous_hash=GENESIS_HASH,
        sequence=1,
        balance_after=D(5),
        content=entry_content(
            account_id=account.pk,
            kind="top_up",
            credits=D(5),
            amount=None,
            amount_currency=None,
            hold_id=None,
            reverses_id=None,
            reference_type="",
            reference_id="",
            created_by_id=None,
            reason="",
            idempotency_key=None,
            created_at=first.created_at,
        ),
    )
    assert_blocks_sum_to_balance(account)


def test_a_negative_balance_opens_as_the_accounts_debt(clock, db):
    account = make_credit_account(credits="1")
    credits_charge(account=account, credits="3")

    credits_grant(account=account, credits="5", expires_at=NOW + timedelta(days=10))

    assert blocks_of(account) == [("debt", D(0)), ("grant", D(3))]
    assert_blocks_sum_to_balance(account)


# The draw order.


def test_charges_draw_included_credits_first_then_earliest_expiry_then_oldest(clock, db):
    account = make_credit_account()
    late = credits_top_up(account=account, credits="4", expires_at=NOW + timedelta(days=300))
    clock.shift(timedelta(hours=1))
    never = credits_top_up(account=account, credits="4")
    soon = credits_grant(account=account, credits="4", expires_at=NOW + timedelta(days=20))
    clock.shift(timedelta(hours=1))
    soon_too = credits_top_up(account=account, credits="4", expires_at=NOW + timedelta(days=20))
    contract = make_contract(customer=account.customer)
    PlanCreditTerms.objects.create(plan=contract.plan, monthly_credits=D(2))
    included = credits_grant_included(contract=contract, month=date(2026, 3, 1))
    block = {
        entry.pk: CreditBlock.objects.get(sequence=entry.sequence).pk
        for entry in (late, never, soon, soon_too, included)
    }

    charge = credits_charge(account=account, credits="9")

    assert moves_of(charge) == {
        block[included.pk]: D(-2),
        block[soon.pk]: D(-4),
        block[soon_too.pk]: D(-3),
    }
    charge = credits_charge(account=account, credits="6")
    assert moves_of(charge) == {
        block[soon_too.pk]: D(-1),
        block[late.pk]: D(-4),
        block[never.pk]: D(-1),
    }
    assert_blocks_sum_to_balance(account)


def test_included_credits_land_once_a_month_and_lapse_when_it_ends(clock, db):
    contract = make_contract()
    PlanCreditTerms.objects.create(plan=contract.plan, monthly_credits=D(3))

    first = credits_grant_included(contract=contract, month=date(2026, 3, 1))
    again = credits_grant_included(contract=contract, month=date(2026, 3, 1))

    assert first.pk == again.pk
    block = CreditBlock.objects.get()
    zone = contract.customer.time_zone_info
    assert (block.kind, block.expires_at) == ("allowance", next_month_start(NOW.date(), zone=zone))
    # a month that is over, or has not begun, grants nothing
    assert credits_grant_included(contract=contract, month=date(2026, 2, 1)) is None
    assert credits_grant_included(contract=contract, month=date(2026, 4, 1)) is None

    clock.move_to(block.expires_at + timedelta(seconds=1), tick=False)
    account = CreditAccount.objects.get()
    lapsed = credits_lapse_due(account=account)

    assert [(e.kind, e.credits) for e in lapsed] == [("expiry", D(-3))]
    assert account.balance == 0
    assert_blocks_sum_to_balance(account)


def test_a_plan_without_included_credits_grants_nothing(db):
    assert credits_grant_included(contract=make_contract(), month=date(2026, 3, 1)) is None


# Holds and lapsing.


def test_a_hold_reserves_blocks_the_expiry_leaves_alone_until_it_is_charged(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=1))
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=90))
    hold = credits_place_hold(account=account, credits="3")
    first, _second = CreditBlock.objects.order_by("pk")
    assert list(hold.allocations.values_list("block_id", "credits")) == [(first.pk, D(3))]

    clock.shift(timedelta(days=2))
    lapsed = credits_lapse_due(account=account)

    # the two free credits lapse; the three the hold reserved wait for its ticket
    assert [e.credits for e in lapsed] == [D(-2)]
    assert blocks_of(account) == [("purchase", D(3)), ("purchase", D(5))]
    assert credits_lapse_due(account=account) == []

    charge = credits_charge(account=account, credits="4", hold=hold)

    assert moves_of(charge) == {first.pk: D(-3), first.pk + 1: D(-1)}
    assert BlockMovement.objects.get(entry=charge, block=first).reserved
    assert blocks_of(account) == [("purchase", D(0)), ("purchase", D(4))]
    assert_blocks_sum_to_balance(account)


def test_credits_a_released_hold_reserved_on_an_expired_block_lapse(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=1))
    hold = credits_place_hold(account=account, credits="2")
    clock.shift(timedelta(days=2))
    call_command("expire_credits")
    assert account.__class__.objects.get(pk=account.pk).balance == 2

    credits_release_hold(hold=hold)
    call_command("expire_credits")

    row = CreditAccount.objects.get(pk=account.pk)
    assert (row.balance, row.held) == (0, 0)
    assert list(LedgerEntry.objects.filter(kind="expiry").values_list("credits", flat=True)) == [
        D(-3),
        D(-2),
    ]
    assert_blocks_sum_to_balance(account)


def test_every_write_lapses_what_is_due_before_it_decides(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=1))
    credits_top_up(account=account, credits="1")
    clock.shift(timedelta(days=1))

    # the balance still says 6 (nobody ran the job), but 5 of them expired
    with pytest.raises(InsufficientCredits) as refused:
        credits_place_hold(account=account, credits="1", min_available_credits="2")

    assert refused.value.available == D(1)
    # the refusal rolled its lapse back with it; the job or the next write lapses it
    assert CreditAccount.objects.get(pk=account.pk).balance == 6
    credits_place_hold(account=account, credits="1")
    assert LedgerEntry.objects.filter(kind="expiry").get().credits == D(-5)
    assert_blocks_sum_to_balance(account)


def test_an_expired_block_is_never_drawn_a_charge_goes_into_debt_instead(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="2", expires_at=NOW + timedelta(days=1))
    clock.shift(timedelta(days=1, seconds=1))

    charge = credits_charge(account=account, credits="3")

    kinds = list(LedgerEntry.objects.order_by("sequence").values_list("kind", "credits"))
    assert kinds == [("top_up", D(2)), ("expiry", D(-2)), ("charge", D(-3))]
    debt = CreditBlock.objects.get(kind=BlockKind.DEBT)
    assert moves_of(charge) == {debt.pk: D(-3)}
    assert account.balance == -3

    # the next credits pay the debt first
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=60))
    assert blocks_of(account) == [("purchase", D(0)), ("debt", D(0)), ("purchase", D(2))]
    assert_blocks_sum_to_balance(account)


def test_a_charge_beyond_free_credits_takes_other_holds_reservations_before_debt(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=30))
    credits_place_hold(account=account, credits="3")

    credits_charge(account=account, credits="4")

    assert blocks_of(account) == [("purchase", D(1))]
    row = CreditAccount.objects.get(pk=account.pk)
    assert (row.balance, row.held, row.available) == (D(1), D(3), D(-2))
    assert_blocks_sum_to_balance(account)


# Other debits and corrections.


def test_debits_that_need_available_credits_never_make_debt(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="3", expires_at=NOW + timedelta(days=30))
    credits_place_hold(account=account, credits="2")

    with pytest.raises(InsufficientCredits):
        credits_expire(account=account, credits="2")
    with pytest.raises(InsufficientCredits):
        credits_adjust(account=account, credits="-2", reason="r", by=_staff())

    credits_expire(account=account, credits="1", reason="a mano")
    assert blocks_of(account) == [("purchase", D(2))]
    assert_blocks_sum_to_balance(account)


def test_reversing_a_charge_gives_back_to_its_blocks_while_they_are_valid(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="2", expires_at=NOW + timedelta(days=1))
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=90))
    charge = credits_charge(account=account, credits="4")
    clock.shift(timedelta(days=2))

    back = credits_reverse(entry=charge, reason="cobro por error", account=account)

    # 2 went back to the block still valid; 2 came from the expired one: a new block
    assert blocks_of(account) == [("purchase", D(0)), ("purchase", D(5)), ("restored", D(2))]
    assert back.credits == 4
    assert_blocks_sum_to_balance(account)


def test_reversing_an_expiry_gives_credits_that_do_not_expire(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="2", expires_at=NOW + timedelta(days=1))
    clock.shift(timedelta(days=2))
    (lapse,) = credits_lapse_due(account=account)

    credits_reverse(entry=lapse, reason="se extiende la vigencia", account=account)

    assert blocks_of(account) == [("purchase", D(0)), ("restored", D(2))]
    assert credits_lapse_due(account=account) == []
    assert_blocks_sum_to_balance(account)


def test_reversing_a_purchase_takes_from_its_own_block_first(clock, db):
    account = make_credit_account()
    credits_grant(account=account, credits="3", expires_at=NOW + timedelta(days=5))
    purchase = credits_top_up(account=account, credits="4", expires_at=NOW + timedelta(days=90))

    credits_reverse(entry=purchase, reason="pago anulado", account=account)

    assert blocks_of(account) == [("grant", D(3)), ("purchase", D(0))]
    assert_blocks_sum_to_balance(account)


def test_a_refunded_purchase_takes_back_its_own_block_first(clock, db):
    account = make_credit_account()
    credits_grant(account=account, credits="3", expires_at=NOW + timedelta(days=5))
    credits_top_up(
        account=account,
        credits="4",
        expires_at=NOW + timedelta(days=90),
        reference_type="billing.payment",
        reference_id="7",
    )

    credits_take_back_refunded(
        account=account,
        credits="2",
        idempotency_key="refund:1",
        bought_by=("billing.payment", "7"),
    )

    assert blocks_of(account) == [("grant", D(3)), ("purchase", D(2))]
    assert_blocks_sum_to_balance(account)


def test_an_idempotent_purchase_on_blocks_lands_once(clock, db):
    account = make_credit_account()
    first = credits_top_up(
        account=account, credits="4", expires_at=NOW + timedelta(days=9), idempotency_key="p1"
    )
    again = credits_top_up(
        account=account, credits="4", expires_at=NOW + timedelta(days=9), idempotency_key="p1"
    )

    assert first.pk == again.pk
    assert blocks_of(account) == [("purchase", D(4))]


# Verification.


def _staff():
    from tests.factories import make_staff_user

    return make_staff_user()


@pytest.fixture
def on_blocks(clock, db):
    account = make_credit_account(credits="2")
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=30))
    hold = credits_place_hold(account=account, credits="1")
    credits_charge(account=account, credits="3", hold=hold)
    return account


def _raw(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "ALTER TABLE credits_blockmovement DISABLE TRIGGER "
                "credits_blockmovement_append_only"
            )
        cursor.execute(sql, params)


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (
            "UPDATE credits_creditblock SET remaining = remaining + 1 WHERE account_id = %s "
            "AND kind = 'purchase'",
            "left, its credits and movements say",
        ),
        (
            "UPDATE credits_creditblock SET expires_at = NULL WHERE account_id = %s "
            "AND kind = 'purchase'",
            "entry #2: hash does not match",
        ),
        (
            "UPDATE credits_blockmovement SET credits = credits - 1 WHERE entry_id IN "
            "(SELECT id FROM credits_ledgerentry WHERE account_id = %s AND sequence = 3)",
            "entry #3: hash does not match",
        ),
        (
            "DELETE FROM credits_blockmovement WHERE entry_id IN "
            "(SELECT id FROM credits_ledgerentry WHERE account_id = %s AND sequence = 3)",
            "entry #3 moves no block",
        ),
    ],
)
def test_verification_covers_blocks_and_their_movements(on_blocks, tamper, problem):
    assert ledger_verify().ok

    _raw(tamper, [on_blocks.pk])

    result = ledger_verify()
    assert [broken.account_id for broken in result.broken] == [on_blocks.pk]
    assert any(problem in line for line in result.broken[0].problems), result.broken[0].problems


def test_verification_catches_a_draw_from_an_expired_block(clock, db):
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=30))
    charge = credits_charge(account=account, credits="2")
    block = CreditBlock.objects.get(account=account)
    assert ledger_verify().ok

    # the block is said to have expired before the charge drew it
    _raw(
        "UPDATE credits_creditblock SET expires_at = %s WHERE id = %s",
        [charge.created_at - timedelta(days=1), block.pk],
    )

    problems = ledger_verify().broken[0].problems
    assert f"entry #2 draws expired block {block.pk}" in problems, problems


def test_the_verification_query_count_stays_fixed_with_blocks(
    on_blocks, django_assert_max_num_queries
):
    make_credit_account(credits="1")
    with django_assert_max_num_queries(3):
        result = ledger_verify(chunk_size=2)
    assert result.ok
    assert (result.accounts, result.entries) == (2, 4)


def test_expire_credits_command_reports_what_lapsed(clock, db, capsys):
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=NOW + timedelta(days=1))
    clock.shift(timedelta(days=2))

    call_command("expire_credits")
    call_command("expire_credits")

    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        "expire_credits: 1 accounts, 1 expiry entries, 5.00 credits lapsed",
        "expire_credits: 0 accounts, 0 expiry entries, 0.00 credits lapsed",
    ]


def test_grant_included_credits_command_grants_each_live_contract_once(clock, db, capsys):
    contract = make_contract()
    other = make_contract(plan=make_plan(code="sin-creditos"))
    PlanCreditTerms.objects.create(plan=contract.plan, monthly_credits=D(4))

    call_command("grant_included_credits")
    call_command("grant_included_credits")

    assert LedgerEntry.objects.filter(kind="grant").count() == 1
    assert not CreditAccount.objects.filter(customer=other.customer).exists()
    out = capsys.readouterr().out.strip().splitlines()
    assert out[0] == "grant_included_credits: 1 contracts, 1 grants"
