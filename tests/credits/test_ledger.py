"""The ledger's write primitives (`credits.ledger`) at their own level: the hash chain's
format pinned against values written out here (verification recomputes it with the same
functions, so only a fixed value notices a change of format), and each write's answer,
refusals and rows, on SQLite (the Python path) and PostgreSQL (the one-statement path)."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from hashlib import sha256
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from djmoney.money import Money

from credits.exceptions import (
    BalanceOutOfRange,
    HoldAccountMismatch,
    HoldNotActive,
    InsufficientCredits,
)
from credits.ledger import (
    BALANCE_LIMIT,
    AccountState,
    NewEntry,
    append_entry,
    balance_fits,
    block_content,
    chain_hash,
    credits_text,
    entry_content,
    place_hold,
    refusal,
    release_hold,
    timestamp_text,
)
from credits.locks import account_lock
from credits.models import GENESIS_HASH, CreditAccount, CreditHold, LedgerEntry
from tests.factories import make_credit_account

D = Decimal
BOGOTA = ZoneInfo("America/Bogota")


def row(account: CreditAccount) -> CreditAccount:
    return CreditAccount.objects.get(pk=account.pk)


def figures(account: CreditAccount) -> tuple:
    return (account.balance, account.held, account.entry_count, account.chain_head)


def hold_on(account: CreditAccount, credits: str) -> CreditHold:
    placed = place_hold(
        account_id=account.pk,
        credits=D(credits),
        needed=D(credits),
        reference_type="ticket",
        reference_id="T-1",
        created_at=timezone.now(),
    )
    assert placed is not None
    return placed[0]


# The chain's format, written out


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("0"), "0.00"),
        (D("-0.00"), "0.00"),  # no negative zero: PostgreSQL's numeric never says "-0.00"
        (D("0E-7"), "0.00"),
        (D("1"), "1.00"),
        (D("1.5"), "1.50"),
        (D("-3"), "-3.00"),
        (D("1E+1"), "10.00"),
        (D("9999999999.99"), "9999999999.99"),
    ],
)
def test_credits_are_written_with_two_decimals_as_postgresql_writes_them(value, text):
    assert credits_text(value) == text


def test_moments_are_written_in_utc_with_microseconds():
    moment = datetime(2026, 12, 4, 10, 30, 0, 5, tzinfo=BOGOTA)

    assert timestamp_text(moment) == "2026-12-04T15:30:00.000005Z"
    assert timestamp_text(datetime(2027, 1, 1, tzinfo=UTC)) == "2027-01-01T00:00:00.000000Z"


def test_an_entrys_content_is_this_exact_json():
    content = entry_content(
        account_id=7,
        kind="charge",
        credits=D("-3"),
        amount=D("950000"),
        amount_currency="COP",
        hold_id=11,
        reverses_id=None,
        reference_type="ticket",
        reference_id="T-1",
        created_by_id=5,
        reason="70 min: ñandú | ✓",
        idempotency_key="k:1",
        created_at=datetime(2026, 12, 4, 10, 30, 0, 5, tzinfo=BOGOTA),
    )

    assert content == (
        '[1,7,"charge","-3.00","950000.00","COP",11,null,"ticket","T-1",5,'
        '"70 min: ñandú | ✓","k:1","2026-12-04T15:30:00.000005Z"]'
    )


def test_an_entry_without_amount_records_no_currency():
    content = entry_content(
        account_id=7,
        kind="reversal",
        credits=D("3"),
        amount=None,
        amount_currency="COP",
        hold_id=None,
        reverses_id=12,
        reference_type="",
        reference_id="",
        created_by_id=None,
        reason="cobrado por error",
        idempotency_key=None,
        created_at=datetime(2027, 1, 1, tzinfo=UTC),
    )

    assert content == (
        '[1,7,"reversal","3.00",null,null,null,12,"","",null,"cobrado por error",null,'
        '"2027-01-01T00:00:00.000000Z"]'
    )


def test_blocks_are_written_in_their_canonical_order():
    # given: blocks and movements out of order; pk order differs from kind order, and the
    # reserved movement of block 4 moves fewer credits than its free one
    expires = datetime(2027, 1, 1, 5, tzinfo=BOGOTA)
    blocks = block_content(
        new_blocks=[
            (9, "grant", D("2"), None, None, "COP"),
            (4, "purchase", D("10"), expires, D("100"), "COP"),
        ],
        movements=[(9, D("-1"), 1), (4, D("-2"), True), (4, D("1"), 0)],
    )

    assert json.dumps(blocks) == json.dumps(
        [
            [
                [4, "purchase", "10.00", "2027-01-01T10:00:00.000000Z", "100.00", "COP"],
                [9, "grant", "2.00", None, None, None],
            ],
            [[4, "1.00", False], [4, "-2.00", True], [9, "-1.00", True]],
        ]
    )


def test_an_entry_with_blocks_is_content_version_two_with_its_blocks_last():
    blocks = block_content(new_blocks=[], movements=[(3, D("-1"), False)])

    content = entry_content(
        account_id=7,
        kind="charge",
        credits=D("-1"),
        amount=None,
        amount_currency=None,
        hold_id=None,
        reverses_id=None,
        reference_type="",
        reference_id="",
        created_by_id=None,
        reason="",
        idempotency_key=None,
        created_at=datetime(2027, 1, 1, tzinfo=UTC),
        blocks=blocks,
    )

    assert content == (
        '[2,7,"charge","-1.00",null,null,null,null,"","",null,"",null,'
        '"2027-01-01T00:00:00.000000Z",[],[[3,"-1.00",false]]]'
    )


def test_the_chain_hash_is_sha256_of_the_documented_lines():
    content = '[1,7,"top_up","7.50",null,null,null,null,"","",null,"ñ",null,"x"]'
    previous = "ab" * 32

    expected = sha256(f"{previous}\n12\n7.50\n{content}".encode()).hexdigest()
    assert chain_hash(
        previous_hash=previous, sequence=12, balance_after=D("7.5"), content=content
    ) == (expected)
    # a zero balance is written "0.00", as PostgreSQL writes it, also when it is -0
    zero = sha256(f"{GENESIS_HASH}\n1\n0.00\n[]".encode()).hexdigest()
    assert chain_hash(
        previous_hash=GENESIS_HASH, sequence=1, balance_after=D("-0.00"), content="[]"
    ) == (zero)


def test_a_new_entry_says_everything_it_records_in_its_content(db):
    moment = datetime(2026, 12, 4, 15, 30, tzinfo=UTC)
    new = NewEntry(
        account_id=7,
        kind="top_up",
        credits=D("2.5"),
        created_at=moment,
        amount=Money("100", "COP"),
        reference_type="payment",
        reference_id="pay_1",
        created_by_id=3,
        reason="r",
        idempotency_key="payment:1",
    )
    plain = NewEntry(account_id=7, kind="grant", credits=D("1"), created_at=moment)

    assert json.loads(new.content()) == [
        1,
        7,
        "top_up",
        "2.50",
        "100.00",
        "COP",
        None,
        None,
        "payment",
        "pay_1",
        3,
        "r",
        "payment:1",
        "2026-12-04T15:30:00.000000Z",
    ]
    assert json.loads(plain.content()) == [
        1,
        7,
        "grant",
        "1.00",
        None,
        None,
        None,
        None,
        "",
        "",
        None,
        "",
        None,
        "2026-12-04T15:30:00.000000Z",
    ]


def test_balance_fits_strictly_inside_the_columns_range():
    assert D("10000000000") == BALANCE_LIMIT
    assert balance_fits(BALANCE_LIMIT - D("0.01"))
    assert balance_fits(-(BALANCE_LIMIT - D("0.01")))
    assert not balance_fits(BALANCE_LIMIT)
    assert not balance_fits(-BALANCE_LIMIT)


def test_an_account_state_is_copied_onto_the_account():
    account = CreditAccount(balance=D("1"), held=D("0"), entry_count=1, chain_head="a" * 64)

    AccountState(balance=D("5"), held=D("2"), entry_count=3, chain_head="b" * 64).apply_to(account)

    assert figures(account) == (D("5"), D("2"), 3, "b" * 64)


# Appending


def test_an_append_returns_the_entry_as_stored_and_the_accounts_new_figures(db):
    account = make_credit_account(credits="10")
    head = row(account).chain_head
    new = NewEntry(
        account_id=account.pk,
        kind="top_up",
        credits=D("2.5"),
        created_at=timezone.now(),
        amount=Money("100", "COP"),
        reference_type="payment",
        reference_id="pay_1",
        reason="",
        idempotency_key="payment:1",
    )

    written = append_entry(new)

    assert written is not None
    entry, state = written
    stored = LedgerEntry.objects.get(pk=entry.pk)
    names = [field.attname for field in LedgerEntry._meta.concrete_fields]
    assert [getattr(entry, name) for name in names] == [getattr(stored, name) for name in names]
    assert (entry.sequence, entry.balance_after, entry.amount) == (2, D("12.5"), Money(100, "COP"))
    assert entry.entry_hash == chain_hash(
        previous_hash=head, sequence=2, balance_after=D("12.5"), content=new.content()
    )
    assert state == AccountState(
        balance=D("12.5"), held=D("0"), entry_count=2, chain_head=entry.entry_hash
    )
    assert figures(row(account)) == (D("12.5"), D("0"), 2, entry.entry_hash)
    assert row(account).tracks_blocks is False


def test_a_charge_converts_its_hold_in_the_same_write(db):
    account = make_credit_account(credits="10")
    hold = hold_on(account, "4")
    other = hold_on(account, "1")
    moment = timezone.now()

    written = append_entry(
        NewEntry(
            account_id=account.pk,
            kind="charge",
            credits=D("-3"),
            created_at=moment,
            hold_id=hold.pk,
        )
    )

    assert written is not None
    entry, state = written
    assert entry.hold_id == hold.pk
    assert (state.balance, state.held) == (D("7"), D("1"))
    assert figures(row(account))[:3] == (D("7"), D("1"), 2)
    converted = CreditHold.objects.get(pk=hold.pk)
    assert (converted.status, converted.closed_at) == ("converted", moment)
    assert CreditHold.objects.get(pk=other.pk).status == "active"


def test_a_debit_that_needs_available_credits_may_take_all_of_them_and_no_more(db):
    account = make_credit_account(credits="10")
    hold_on(account, "4")
    before = figures(row(account))

    def expiry(credits: str) -> NewEntry:
        return NewEntry(
            account_id=account.pk,
            kind="expiry",
            credits=D(credits),
            created_at=timezone.now(),
            needs_available=True,
        )

    assert append_entry(expiry("-6.01")) is None
    assert figures(row(account)) == before
    written = append_entry(expiry("-6"))
    assert written is not None
    assert written[1].balance == D("4")
    # a charge for work done does not need them: it may take the balance below zero
    charge = NewEntry(
        account_id=account.pk, kind="charge", credits=D("-5"), created_at=timezone.now()
    )
    charged = append_entry(charge)
    assert charged is not None
    assert charged[1].balance == D("-1")


@pytest.mark.parametrize("sign", [1, -1])
def test_an_append_keeps_the_balance_strictly_inside_its_column(db, sign):
    # given: a balance of 1 (or -1); the ledger takes credits its callers checked fit the
    # entry's column, and refuses the sum that does not fit the account's
    account = make_credit_account()

    def adjust(credits: Decimal) -> NewEntry:
        return NewEntry(
            account_id=account.pk,
            kind="adjustment",
            credits=sign * credits,
            created_at=timezone.now(),
            reason="x",
        )

    assert append_entry(adjust(D("1"))) is not None
    assert append_entry(adjust(BALANCE_LIMIT - D("1"))) is None
    assert LedgerEntry.objects.filter(account=account).count() == 1
    written = append_entry(adjust(BALANCE_LIMIT - D("1.01")))
    assert written is not None
    assert row(account).balance == written[1].balance == sign * (BALANCE_LIMIT - D("0.01"))


def test_nothing_is_written_for_an_account_that_does_not_exist(db):
    account = make_credit_account(credits="1")
    missing = NewEntry(
        account_id=account.pk + 1000, kind="grant", credits=D("1"), created_at=timezone.now()
    )

    assert append_entry(missing) is None
    assert LedgerEntry.objects.count() == 1
    with pytest.raises(CreditAccount.DoesNotExist):
        refusal(missing)


def test_a_hold_that_is_not_an_active_hold_of_the_account_converts_nothing(db):
    account = make_credit_account(credits="10")
    other = make_credit_account(credits="10")
    foreign = hold_on(other, "1")
    released = hold_on(account, "1")
    assert release_hold(hold_id=released.pk, closed_at=timezone.now()) is not None
    before = figures(row(account))

    for hold in (foreign, released):
        new = NewEntry(
            account_id=account.pk,
            kind="charge",
            credits=D("-1"),
            created_at=timezone.now(),
            hold_id=hold.pk,
        )
        assert append_entry(new) is None

    assert figures(row(account)) == before
    assert CreditHold.objects.get(pk=foreign.pk).status == "active"
    assert row(other).held == D("1")


def test_a_write_lands_only_on_an_account_in_the_block_state_the_writer_found(db):
    account = make_credit_account(credits="10")
    CreditAccount.objects.filter(pk=account.pk).update(tracks_blocks=True)

    def grant(**state) -> NewEntry:
        return NewEntry(
            account_id=account.pk, kind="grant", credits=D("1"), created_at=timezone.now(), **state
        )

    assert append_entry(grant()) is None
    assert row(account).entry_count == 1
    written = append_entry(
        grant(was_tracked=True, blocks=block_content(new_blocks=[], movements=[]))
    )
    assert written is not None
    assert written[1].entry_count == 2
    assert row(account).tracks_blocks is True


def test_an_entry_with_blocks_makes_the_account_track_them(db):
    account = make_credit_account(credits="10")
    tracked = NewEntry(
        account_id=account.pk,
        kind="grant",
        credits=D("1"),
        created_at=timezone.now(),
        blocks=block_content(new_blocks=[], movements=[]),
    )

    written = append_entry(tracked)

    assert written is not None
    assert json.loads(tracked.content())[0] == 2  # the blocks are part of what is hashed
    assert json.loads(tracked.content())[-2:] == [[], []]
    assert row(account).tracks_blocks is True
    untracked = NewEntry(
        account_id=account.pk, kind="grant", credits=D("1"), created_at=timezone.now()
    )
    assert append_entry(untracked) is None  # the writer found it untracked: it changed since


# Why a write was refused


def test_the_refusal_names_a_balance_beyond_the_column_first(db):
    account = make_credit_account(credits="5")
    new = NewEntry(
        account_id=account.pk,
        kind="adjustment",
        credits=BALANCE_LIMIT - D("4"),
        created_at=timezone.now(),
        reason="x",
    )

    error = refusal(new)

    assert isinstance(error, BalanceOutOfRange)
    assert error.params == {
        "credits": BALANCE_LIMIT - D("4"),
        "balance": BALANCE_LIMIT + D("1"),
        "limit": BALANCE_LIMIT,
    }


def test_the_refusal_names_the_hold_of_another_account_or_no_longer_active(db):
    account = make_credit_account(credits="10")
    foreign = hold_on(make_credit_account(credits="10"), "1")
    released = hold_on(account, "1")
    release_hold(hold_id=released.pk, closed_at=timezone.now())

    def charge(hold: CreditHold) -> NewEntry:
        return NewEntry(
            account_id=account.pk,
            kind="charge",
            credits=D("-1"),
            created_at=timezone.now(),
            hold_id=hold.pk,
        )

    mismatch, inactive = refusal(charge(foreign)), refusal(charge(released))

    assert isinstance(mismatch, HoldAccountMismatch)
    assert mismatch.params == {"hold": foreign.pk}
    assert isinstance(inactive, HoldNotActive)
    assert inactive.params == {"hold": released.pk}


def test_the_refusal_of_a_debit_names_available_and_required_credits(db, django_assert_num_queries):
    account = make_credit_account(credits="10")
    hold_on(account, "4")
    locked = row(account)
    new = NewEntry(
        account_id=account.pk,
        kind="expiry",
        credits=D("-7"),
        created_at=timezone.now(),
        needs_available=True,
    )

    with django_assert_num_queries(0):
        given = refusal(new, account=locked)
    read = refusal(new)

    for error in (given, read):
        assert isinstance(error, InsufficientCredits)
        assert (error.available, error.required) == (D("6"), D("7"))


# Holds


def test_a_hold_is_placed_while_available_credits_cover_what_is_needed(db):
    account = make_credit_account(credits="10")
    moment = timezone.now()

    placed = place_hold(
        account_id=account.pk,
        credits=D("1"),
        needed=D("10"),
        reference_type="ticket",
        reference_id="T-7",
        created_at=moment,
    )

    assert placed is not None
    hold, state = placed
    stored = CreditHold.objects.get(pk=hold.pk)
    assert (stored.account_id, stored.credits, stored.status, stored.available_after) == (
        account.pk,
        D("1"),
        "active",
        D("9"),
    )
    assert (stored.reference_type, stored.reference_id, stored.created_at) == (
        "ticket",
        "T-7",
        moment,
    )
    assert stored.closed_at is None
    assert (hold.available_after, hold._state.adding) == (D("9"), False)
    head = row(account).chain_head
    assert state == AccountState(balance=D("10"), held=D("1"), entry_count=1, chain_head=head)
    assert figures(row(account)) == (D("10"), D("1"), 1, head)


def test_a_hold_is_refused_when_available_credits_fall_short_of_what_is_needed(db):
    account = make_credit_account(credits="10")
    hold_on(account, "2")
    before = figures(row(account))

    refused = place_hold(
        account_id=account.pk,
        credits=D("1"),
        needed=D("8.01"),
        reference_type="",
        reference_id="",
        created_at=timezone.now(),
    )

    assert refused is None
    assert figures(row(account)) == before
    assert CreditHold.objects.count() == 1


def test_a_hold_decided_on_the_account_its_caller_locked(db):
    account = make_credit_account(credits="10")
    empty = make_credit_account()

    def hold(credits: str, needed: str, locked: CreditAccount, **more):
        return place_hold(
            account_id=account.pk,
            credits=D(credits),
            needed=D(needed),
            reference_type="",
            reference_id="",
            created_at=timezone.now(),
            locked=locked,
            **more,
        )

    with transaction.atomic():
        locked = account_lock(account.pk)
        assert hold("1", "10.01", locked) is None
        assert hold("1", "1", locked, tracked=True) is None
        placed = hold("1", "10", locked)
        assert placed is not None
        assert (placed[0].available_after, placed[1].held) == (D("9"), D("1"))
        # the lock of another account is no decision about this one: it reads its own
        other = account_lock(empty.pk)
        again = hold("2", "2", other)
        assert again is not None
        assert (again[0].available_after, again[1].held) == (D("7"), D("3"))

    assert row(account).held == D("3")
    assert CreditHold.objects.filter(account=account, status="active").count() == 2


def test_a_hold_is_placed_only_in_the_block_state_the_caller_found(db):
    account = make_credit_account(credits="10")

    def hold(tracked: bool):
        return place_hold(
            account_id=account.pk,
            credits=D("1"),
            needed=D("1"),
            reference_type="",
            reference_id="",
            created_at=timezone.now(),
            tracked=tracked,
        )

    assert hold(tracked=True) is None
    CreditAccount.objects.filter(pk=account.pk).update(tracks_blocks=True)
    assert hold(tracked=False) is None
    assert hold(tracked=True) is not None
    assert (
        place_hold(
            account_id=account.pk + 1000,
            credits=D("1"),
            needed=D("1"),
            reference_type="",
            reference_id="",
            created_at=timezone.now(),
        )
        is None
    )


def test_releasing_a_hold_gives_its_credits_back_once(db):
    account = make_credit_account(credits="10")
    kept = hold_on(account, "1")
    hold = hold_on(account, "3")
    moment = timezone.now() + timedelta(minutes=5)

    state = release_hold(hold_id=hold.pk, closed_at=moment)

    head = row(account).chain_head
    assert state == AccountState(balance=D("10"), held=D("1"), entry_count=1, chain_head=head)
    assert figures(row(account)) == (D("10"), D("1"), 1, head)
    released = CreditHold.objects.get(pk=hold.pk)
    assert (released.status, released.closed_at) == ("released", moment)
    assert CreditHold.objects.get(pk=kept.pk).status == "active"
    assert release_hold(hold_id=hold.pk, closed_at=timezone.now()) is None
    assert row(account).held == D("1")
    assert CreditHold.objects.get(pk=hold.pk).closed_at == moment
