from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test.utils import CaptureQueriesContext
from djmoney.money import Money

from core.amounts import CurrencyMismatch, InvalidAmount
from core.errors import InvalidInput, ReasonRequired
from core.events import domain_event
from credits.exceptions import (
    AlreadyReversed,
    ExpiryWithoutZone,
    HoldAccountMismatch,
    HoldNotActive,
    IdempotencyConflict,
    InsufficientCredits,
    NotReversible,
    StaffOnly,
)
from credits.models import CreditAccount, CreditHold, LedgerEntry
from credits.rules import CreditRule
from credits.selectors import ledger_verify
from credits.services import (
    credit_account_get_or_create,
    credits_adjust,
    credits_charge,
    credits_charge_no_show,
    credits_expire,
    credits_grant,
    credits_place_hold,
    credits_refund,
    credits_release_hold,
    credits_reverse,
    credits_take_back_refunded,
    credits_top_up,
)
from credits.signals import available_credits_changed
from tests.factories import make_credit_account, make_customer, make_user

D = Decimal


def stored(account: CreditAccount) -> CreditAccount:
    return CreditAccount.objects.get(pk=account.pk)


def entries_sum(account: CreditAccount) -> Decimal:
    # summed in Python: SQLite's SUM() adds decimals as floats
    return sum(LedgerEntry.objects.filter(account=account).values_list("credits", flat=True), D(0))


def assert_consistent(account: CreditAccount) -> None:
    row = stored(account)
    active = sum(
        CreditHold.objects.filter(account=account, status="active").values_list(
            "credits", flat=True
        ),
        D(0),
    )
    assert row.balance == entries_sum(account)
    assert row.held == active
    assert (account.balance, account.held) == (row.balance, row.held)
    assert ledger_verify(account_ids=[account.pk]).ok


# Accounts


def test_an_account_is_created_once_per_customer(db):
    customer = make_customer()

    first = credit_account_get_or_create(customer=customer)
    again = credit_account_get_or_create(customer=customer)

    assert first.pk == again.pk
    assert (first.balance, first.held, first.entry_count) == (D("0"), D("0"), 0)


# Credits in


def test_top_up_adds_credits_records_payment_and_chains(db):
    account = make_credit_account()

    entry = credits_top_up(
        account=account,
        credits="10",
        amount=Money("950000", "COP"),
        reference_type="payment",
        reference_id="pay_1",
    )

    assert (entry.kind, entry.credits, entry.balance_after, entry.sequence) == (
        "top_up",
        D("10"),
        D("10"),
        1,
    )
    assert entry.amount == Money("950000", "COP")
    assert account.balance == D("10")
    assert stored(account).chain_head == entry.entry_hash == LedgerEntry.objects.get().entry_hash
    assert_consistent(account)


def test_top_up_with_the_same_key_lands_once(db):
    account = make_credit_account()

    first = credits_top_up(account=account, credits="10", idempotency_key="payment:7")
    again = credits_top_up(account=account, credits="10", idempotency_key="payment:7")

    assert first.pk == again.pk
    assert stored(account).balance == D("10")
    assert LedgerEntry.objects.count() == 1


def test_a_key_reused_for_a_different_entry_is_refused(db):
    account = make_credit_account()
    credits_top_up(account=account, credits="10", idempotency_key="payment:7")

    with pytest.raises(IdempotencyConflict) as refused:
        credits_top_up(account=account, credits="5", idempotency_key="payment:7")

    assert refused.value.code == "idempotency_conflict"
    assert stored(account).balance == D("10")


def test_the_same_key_on_another_account_is_another_entry(db):
    one, two = make_credit_account(), make_credit_account()

    credits_top_up(account=one, credits="1", idempotency_key="k")
    credits_top_up(account=two, credits="1", idempotency_key="k")

    assert LedgerEntry.objects.count() == 2


@pytest.mark.parametrize(
    "credits", [0, "0", "-1", D("-0.01"), "abc", "1.005", 1.5, None, "NaN", "1e30", "-1e40"]
)
def test_bad_amounts_are_refused_naming_the_field_and_nothing_is_written(db, credits):
    account = make_credit_account()

    with pytest.raises(InvalidAmount) as refused:
        credits_top_up(account=account, credits=credits)

    assert refused.value.field == "credits"
    assert refused.value.code == "invalid_amount"
    assert "credits" in refused.value.message("en")
    assert LedgerEntry.objects.count() == 0
    assert stored(account).balance == D("0")


def test_a_payment_in_another_currency_is_refused(db):
    account = make_credit_account(make_customer(currency="COP"))

    with pytest.raises(CurrencyMismatch) as refused:
        credits_top_up(account=account, credits="10", amount=Money("100", "USD"))

    assert refused.value.field == "amount"
    assert refused.value.message("en") == "amount: the amount must be in COP, not in USD."
    assert refused.value.message("es") == "amount: el importe debe estar en COP, no en USD."
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("amount", [Money("0", "COP"), Money("-5", "COP"), D("100")])
def test_a_payment_amount_must_be_positive_money(db, amount):
    account = make_credit_account()

    with pytest.raises(InvalidAmount) as refused:
        credits_top_up(account=account, credits="10", amount=amount)

    assert refused.value.field == "amount"
    assert LedgerEntry.objects.count() == 0


def test_overlong_references_are_refused_before_writing(db):
    account = make_credit_account()

    with pytest.raises(InvalidInput) as refused:
        credits_top_up(account=account, credits="1", reference_id="x" * 65)

    assert refused.value.field == "reference_id"
    assert "at most 64 characters" in refused.value.as_dict("en")["fields"]["reference_id"][0]
    assert "menos de 64 caracteres" in refused.value.as_dict("es")["fields"]["reference_id"][0]
    assert LedgerEntry.objects.count() == 0


def test_an_empty_idempotency_key_is_refused_in_both_languages(db):
    account = make_credit_account()

    with pytest.raises(InvalidInput) as refused:
        credits_top_up(account=account, credits="1", idempotency_key="  ")

    assert refused.value.field == "idempotency_key"
    assert refused.value.message("en").endswith("This field cannot be blank.")
    assert refused.value.message("es").endswith("Este campo no puede estar vacío.")
    assert LedgerEntry.objects.count() == 0


def test_grant_and_refund_add_credits_of_their_kind(db):
    account = make_credit_account()

    grant = credits_grant(account=account, credits="2", reason="bienvenida")
    refund = credits_refund(
        account=account, credits="1.5", reference_type="ticket", reference_id="T-9"
    )

    assert (grant.kind, grant.reason) == ("grant", "bienvenida")
    assert (refund.kind, refund.balance_after) == ("refund", D("3.5"))
    assert_consistent(account)


# Holds


def test_a_hold_reduces_available_not_balance(account):
    hold = credits_place_hold(account=account, credits="1", reference_type="ticket")

    assert hold.status == "active"
    assert hold.available_after == D("9")
    assert (account.balance, account.held, account.available) == (D("10"), D("1"), D("9"))
    assert_consistent(account)


@pytest.mark.parametrize(
    ("available", "accepted"),
    [("1", False), ("1.99", False), ("2", True), ("5", True)],
)
def test_a_hold_honours_the_minimum_available_rule(db, available, accepted):
    # seed 003: plan minimum 2, hold 1 -> accepted only with at least 2 available.
    account = make_credit_account(credits=available)

    if accepted:
        hold = credits_place_hold(account=account, credits="1", min_available_credits="2")
        assert hold.available_after == D(available) - 1
    else:
        with pytest.raises(InsufficientCredits) as refused:
            credits_place_hold(account=account, credits="1", min_available_credits="2")
        assert (refused.value.available, refused.value.required) == (D(available), D("2"))
        assert refused.value.code == "insufficient_credits"
        assert CreditHold.objects.count() == 0
    assert_consistent(account)


def test_a_hold_larger_than_available_is_refused(account):
    credits_place_hold(account=account, credits="8")

    with pytest.raises(InsufficientCredits) as refused:
        credits_place_hold(account=account, credits="3")

    assert (refused.value.available, refused.value.required) == (D("2"), D("3"))
    assert_consistent(account)


def test_release_gives_the_credits_back_once(account):
    hold = credits_place_hold(account=account, credits="3")

    credits_release_hold(hold=hold, account=account)

    assert hold.status == "released"
    assert (account.held, account.available) == (D("0"), D("10"))
    with pytest.raises(HoldNotActive) as refused:
        credits_release_hold(hold=hold)
    assert refused.value.code == "hold_not_active"
    assert_consistent(account)


# Charges


def test_charge_converts_the_hold_and_may_exceed_it(account):
    hold = credits_place_hold(account=account, credits="1", reference_type="ticket")

    entry = credits_charge(
        account=account,
        credits="3",
        hold=hold,
        reason="150 min: 1 credit minimum + 2 for started hours 2-3 = 3 credits",
        reference_type="ticket",
        reference_id="T-1",
    )

    assert (entry.kind, entry.credits, entry.balance_after, entry.hold_id) == (
        "charge",
        D("-3"),
        D("7"),
        hold.pk,
    )
    assert CreditHold.objects.get(pk=hold.pk).status == "converted"
    assert (account.balance, account.held) == (D("7"), D("0"))
    assert_consistent(account)


def test_charge_for_work_done_may_take_the_balance_below_zero(db):
    account = make_credit_account(credits="1")
    hold = credits_place_hold(account=account, credits="1")

    credits_charge(account=account, credits="4", hold=hold)

    assert (account.balance, account.available) == (D("-3"), D("-3"))
    assert_consistent(account)


def test_a_hold_is_charged_at_most_once(account):
    hold = credits_place_hold(account=account, credits="1")
    credits_charge(account=account, credits="1", hold=hold)

    with pytest.raises(HoldNotActive):
        credits_charge(account=account, credits="1", hold=hold)
    with pytest.raises(HoldNotActive):
        credits_release_hold(hold=hold)

    assert stored(account).balance == D("9")
    assert_consistent(account)


def test_a_released_hold_cannot_be_charged(account):
    hold = credits_place_hold(account=account, credits="1")
    credits_release_hold(hold=hold)

    with pytest.raises(HoldNotActive):
        credits_charge(account=account, credits="1", hold=hold)

    assert LedgerEntry.objects.filter(kind="charge").count() == 0


def test_a_hold_of_another_account_is_refused(account):
    other = make_credit_account(credits="5")
    hold = credits_place_hold(account=other, credits="1")

    with pytest.raises(HoldAccountMismatch):
        credits_charge(account=account, credits="1", hold=hold)

    assert CreditHold.objects.get(pk=hold.pk).status == "active"


def test_a_charge_without_hold_is_plain_work_charged(account):
    entry = credits_charge(account=account, credits="2", reference_type="ticket")

    assert (entry.kind, entry.balance_after, entry.hold_id) == ("charge", D("8"), None)
    assert_consistent(account)


def test_no_show_charges_the_minimum_billable_even_into_debt(db):
    account = make_credit_account()
    rule = CreditRule(
        min_available_credits=D("2"), min_billable_credits=D("1"), increment_minutes=60
    )

    entry = credits_charge_no_show(account=account, rule=rule, reference_type="session")

    assert (entry.kind, entry.credits, account.balance) == ("no_show", D("-1"), D("-1"))
    assert_consistent(account)


def test_expiry_takes_only_available_credits(account):
    credits_place_hold(account=account, credits="4")

    with pytest.raises(InsufficientCredits) as refused:
        credits_expire(account=account, credits="7")
    entry = credits_expire(account=account, credits="6", reason="vencen a los 12 meses")

    assert refused.value.available == D("6")
    assert (entry.kind, entry.balance_after, account.available) == ("expiry", D("4"), D("0"))
    assert_consistent(account)


# Corrections


def test_adjustment_needs_staff_and_a_reason(account, staff):
    with pytest.raises(ReasonRequired) as no_reason:
        credits_adjust(account=account, credits="1", reason="  ", by=staff)
    with pytest.raises(StaffOnly):
        credits_adjust(account=account, credits="1", reason="x", by=make_user())
    with pytest.raises(StaffOnly):
        credits_adjust(account=account, credits="1", reason="x", by=None)
    with pytest.raises(InvalidAmount) as zero:
        credits_adjust(account=account, credits="0", reason="x", by=staff)

    assert no_reason.value.field == "reason"
    assert "other than zero" in zero.value.message("en")
    assert "distinto de cero" in zero.value.message("es")
    assert LedgerEntry.objects.filter(kind="adjustment").count() == 0


def test_adjustment_in_both_directions(account, staff):
    up = credits_adjust(account=account, credits="2.5", reason="compensación", by=staff)
    down = credits_adjust(account=account, credits="-4", reason="recarga duplicada", by=staff)

    assert (up.balance_after, down.balance_after) == (D("12.5"), D("8.5"))
    assert (down.created_by_id, down.reason) == (staff.pk, "recarga duplicada")
    assert_consistent(account)


def test_a_negative_adjustment_never_creates_debt_or_uncovers_holds(account, staff):
    credits_place_hold(account=account, credits="5")

    with pytest.raises(InsufficientCredits) as refused:
        credits_adjust(account=account, credits="-6", reason="x", by=staff)

    assert (refused.value.available, refused.value.required) == (D("5"), D("6"))
    assert stored(account).balance == D("10")


def test_reverse_undoes_an_entry_once(account, staff):
    charge = credits_charge(account=account, credits="3")

    reversal = credits_reverse(entry=charge, reason="cobrado por error", by=staff, account=account)

    assert (reversal.kind, reversal.credits, reversal.reverses_id) == (
        "reversal",
        D("3"),
        charge.pk,
    )
    assert stored(account).balance == D("10")
    with pytest.raises(AlreadyReversed) as refused:
        credits_reverse(entry=charge, reason="otra vez", by=staff)
    assert refused.value.code == "already_reversed"
    with pytest.raises(NotReversible):
        credits_reverse(entry=reversal, reason="deshacer", by=staff)
    with pytest.raises(ReasonRequired):
        credits_reverse(entry=LedgerEntry.objects.get(sequence=1), reason="")
    assert_consistent(account)


def test_reversing_spent_credits_is_refused(db, staff):
    account = make_credit_account()
    top_up = credits_top_up(account=account, credits="5")
    credits_charge(account=account, credits="4")

    with pytest.raises(InsufficientCredits):
        credits_reverse(entry=top_up, reason="pago rechazado", by=staff)

    assert stored(account).balance == D("1")
    assert_consistent(account)


def test_services_work_inside_a_callers_transaction(account, staff):
    from django.db import transaction

    # given: intake's shape: one transaction that locks, checks and holds
    with transaction.atomic():
        CreditAccount.objects.select_for_update().get(pk=account.pk)
        hold = credits_place_hold(account=account, credits="1", min_available_credits="2")
        credits_top_up(account=account, credits="1", idempotency_key="k")
        # a refused duplicate key inside the transaction leaves it usable
        with pytest.raises(IdempotencyConflict):
            credits_top_up(account=account, credits="2", idempotency_key="k")
        credits_charge(account=account, credits="2", hold=hold)

    assert stored(account).balance == D("9")
    assert_consistent(account)


# Refunded purchases


def test_a_refunded_purchase_takes_back_available_credits_once(account):
    credits_place_hold(account=account, credits=D("4"))

    first = credits_take_back_refunded(account=account, credits="6", idempotency_key="refund:1")
    again = credits_take_back_refunded(account=account, credits="6", idempotency_key="refund:1")

    assert first.pk == again.pk
    assert (first.kind, first.credits) == (LedgerEntry.Kind.PURCHASE_REFUNDED, D("-6.00"))
    assert (account.balance, account.available) == (D("4.00"), D("0.00"))
    assert_consistent(account)


def test_a_refunded_purchase_never_takes_credits_already_spoken_for(account):
    credits_place_hold(account=account, credits=D("8"))

    with pytest.raises(InsufficientCredits):
        credits_take_back_refunded(account=account, credits="3", idempotency_key="refund:2")

    assert stored(account).balance == D("10.00")
    assert_consistent(account)


# What integrators and billing hear of, once the write commits


@pytest.fixture
def heard():
    """(event type, entry pk) of each domain event, and the customer of each
    available_credits_changed, in the order they were sent."""
    events: list[tuple[str, int]] = []
    changed: list[int] = []

    def on_event(sender, instances, **kwargs):
        events.extend((sender, instance.pk) for instance in instances)

    def on_change(sender, customer_id, **kwargs):
        changed.append(customer_id)

    domain_event.connect(on_event)
    available_credits_changed.connect(on_change)
    yield events, changed
    domain_event.disconnect(on_event)
    available_credits_changed.disconnect(on_change)


def test_top_ups_and_charges_are_announced_once_and_every_change_of_available_credits(
    account, staff, heard, django_capture_on_commit_callbacks
):
    events, changed = heard
    rule = CreditRule(
        min_available_credits=D("2"), min_billable_credits=D("1"), increment_minutes=60
    )

    with django_capture_on_commit_callbacks(execute=True):
        top_up = credits_top_up(account=account, credits="5", idempotency_key="pay:1")
        credits_top_up(account=account, credits="5", idempotency_key="pay:1")  # a replay
        hold = credits_place_hold(account=account, credits="2")
        charge = credits_charge(account=account, credits="2", hold=hold)
        no_show = credits_charge_no_show(account=account, rule=rule)
        released = credits_place_hold(account=account, credits="1")
        credits_release_hold(hold=released)
        credits_grant(account=account, credits="1")
        credits_refund(account=account, credits="1")
        credits_expire(account=account, credits="1")
        credits_adjust(account=account, credits="1", reason="x", by=staff)
        credits_reverse(entry=charge, reason="error", by=staff)

    assert events == [
        ("credits.topped_up", top_up.pk),
        ("credits.charged", charge.pk),
        ("credits.charged", no_show.pk),
    ]
    assert changed == [account.customer_id] * 11


def test_a_key_reused_for_another_kind_of_entry_is_refused_naming_the_key(db):
    account = make_credit_account()
    credits_top_up(account=account, credits="10", idempotency_key=" payment:7 ")

    with pytest.raises(IdempotencyConflict) as refused:
        credits_grant(account=account, credits="10", idempotency_key="payment:7")

    assert refused.value.params == {"key": "payment:7"}
    assert LedgerEntry.objects.get().idempotency_key == "payment:7"


@pytest.mark.parametrize(
    ("field", "longest"), [("reference_type", 40), ("reference_id", 64), ("idempotency_key", 100)]
)
def test_texts_are_stripped_and_refused_one_character_beyond_their_column(db, field, longest):
    account = make_credit_account()

    entry = credits_top_up(account=account, credits="1", **{field: " " + "x" * longest + " "})
    with pytest.raises(InvalidInput) as refused:
        credits_top_up(account=account, credits="1", **{field: "y" * (longest + 1)})

    assert getattr(entry, field) == "x" * longest
    assert refused.value.field == field
    assert LedgerEntry.objects.count() == 1


def test_missing_references_and_reasons_are_empty(account, staff):
    entry = credits_grant(
        account=account, credits="1", reason=None, reference_type=None, reference_id=None
    )
    charge = credits_charge(account=account, credits="1", reason="  70 min  ", by=staff)

    assert (entry.reason, entry.reference_type, entry.reference_id) == ("", "", "")
    assert (charge.reason, charge.created_by_id) == ("70 min", staff.pk)


def test_each_entry_records_who_wrote_it(account, staff):
    rule = CreditRule(
        min_available_credits=D("2"), min_billable_credits=D("1"), increment_minutes=60
    )

    written = [
        credits_top_up(account=account, credits="1", by=staff),
        credits_grant(account=account, credits="1", by=staff),
        credits_refund(account=account, credits="1", by=staff),
        credits_charge_no_show(account=account, rule=rule, by=staff),
    ]

    assert [entry.created_by_id for entry in written] == [staff.pk] * 4
    assert LedgerEntry.objects.filter(created_by=staff).count() == 4


def test_a_payment_amount_must_fit_its_column(db):
    account = make_credit_account(make_customer(currency="COP"))

    with pytest.raises(InvalidAmount) as refused:
        credits_top_up(account=account, credits="1", amount=Money("1000000000000", "COP"))
    entry = credits_top_up(account=account, credits="1", amount=Money("999999999999.99", "COP"))

    assert refused.value.field == "amount"
    assert entry.amount == Money("999999999999.99", "COP")


@pytest.mark.parametrize("expires_at", [datetime(2027, 1, 1), date(2027, 1, 1), "2027-01-01"])  # noqa: DTZ001
def test_credits_that_expire_need_an_aware_moment(db, expires_at):
    account = make_credit_account()

    with pytest.raises(ExpiryWithoutZone) as refused:
        credits_grant(account=account, credits="1", expires_at=expires_at)

    assert refused.value.field == "expires_at"
    assert LedgerEntry.objects.count() == 0


def test_a_hold_needs_the_larger_of_its_credits_and_the_minimum(db):
    account = make_credit_account(credits="3")

    with pytest.raises(InsufficientCredits) as refused:
        credits_place_hold(account=account, credits="3.01", min_available_credits="1")
    hold = credits_place_hold(account=account, credits="3", min_available_credits="0")

    assert (refused.value.available, refused.value.required) == (D("3"), D("3.01"))
    assert hold.available_after == D("0")


def test_a_negative_minimum_or_an_overlong_reference_places_no_hold(account):
    with pytest.raises(InvalidAmount) as minimum:
        credits_place_hold(account=account, credits="1", min_available_credits="-1")
    with pytest.raises(InvalidInput) as reference:
        credits_place_hold(account=account, credits="1", reference_type="x" * 41)
    with pytest.raises(InvalidInput) as reference_id:
        credits_place_hold(account=account, credits="1", reference_id="x" * 65)
    hold = credits_place_hold(
        account=account, credits="1", reference_type=" ticket ", reference_id=" T-1 "
    )

    assert minimum.value.field == "min_available_credits"
    assert reference.value.field == "reference_type"
    assert reference_id.value.field == "reference_id"
    assert (hold.reference_type, hold.reference_id) == ("ticket", "T-1")
    assert CreditHold.objects.count() == 1


def test_a_hold_decided_on_the_account_intake_locked_reads_it_no_more(account):
    from django.db import connection, transaction

    with transaction.atomic():
        locked = CreditAccount.objects.select_for_update().get(pk=account.pk)
        statements = 1 if connection.vendor == "postgresql" else 2
        with CaptureQueriesContext(connection) as queries:
            credits_place_hold(account=locked, credits="1", locked=True)

    assert len(queries) == statements
    assert (locked.held, stored(account).held) == (D("1"), D("1"))


def test_a_charge_marks_the_hold_it_converted(account):
    hold = credits_place_hold(account=account, credits="1")

    entry = credits_charge(account=account, credits="1", hold=hold)

    assert (hold.status, hold.closed_at) == ("converted", entry.created_at)


def test_releasing_refreshes_only_the_account_of_the_hold(account):
    other = make_credit_account(credits="5")
    hold = credits_place_hold(account=CreditAccount.objects.get(pk=account.pk), credits="3")

    credits_release_hold(hold=hold, account=other)
    credits_release_hold(hold=credits_place_hold(account=account, credits="2"), account=account)

    assert (other.balance, other.held, other.entry_count) == (D("5"), D("0"), 1)
    assert stored(account).held == D("0")
    assert (account.held, account.available) == (D("0"), D("10"))


def test_a_no_show_whose_rule_bills_nothing_is_refused_naming_the_rule(account):
    rule = CreditRule(
        min_available_credits=D("2"), min_billable_credits=D("0"), increment_minutes=60
    )

    with pytest.raises(InvalidAmount) as refused:
        credits_charge_no_show(account=account, rule=rule)

    assert refused.value.field == "min_billable_credits"
    assert LedgerEntry.objects.filter(kind="no_show").count() == 0


def test_a_reversal_refreshes_the_account_only_when_it_is_the_entrys(account, staff):
    other = make_credit_account(credits="5")
    charge = credits_charge(account=account, credits="3")

    credits_reverse(entry=charge, reason="error", by=staff, account=other)

    assert (other.balance, other.entry_count) == (D("5"), 1)
    assert stored(account).balance == D("10")


def test_a_reversal_may_take_back_exactly_the_available_credits(db, staff):
    account = make_credit_account()
    top_up = credits_top_up(account=account, credits="5")
    credits_place_hold(account=account, credits="1")
    spent = credits_top_up(account=account, credits="1")

    reversal = credits_reverse(entry=spent, reason="pago rechazado", by=staff, account=account)
    with pytest.raises(InsufficientCredits) as refused:
        credits_reverse(entry=top_up, reason="pago rechazado", by=staff, account=account)

    assert (reversal.credits, account.available) == (D("-1"), D("4"))
    assert (refused.value.available, refused.value.required) == (D("4"), D("5"))


def test_a_reversal_that_meets_the_unique_reference_in_its_write_is_already_reversed(
    account, staff
):
    # what a concurrent twin leaves between the check and the write (raced on PostgreSQL in
    # tests/credits/test_concurrency.py): the one path every entry takes, past the check
    from credits.services import _append

    charge = credits_charge(account=account, credits="3")
    credits_reverse(entry=charge, reason="error", by=staff, account=account)

    with pytest.raises(AlreadyReversed) as refused:
        _append(account, kind="reversal", credits=D("3"), reverses=charge, reason="twin")

    assert refused.value.params == {"entry": charge.pk}
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1
    assert_consistent(account)


def test_entries_written_without_reason_or_references_record_none(account):
    rule = CreditRule(
        min_available_credits=D("2"), min_billable_credits=D("1"), increment_minutes=60
    )

    written = [
        credits_top_up(account=account, credits="1"),
        credits_grant(account=account, credits="1"),
        credits_refund(account=account, credits="1"),
        credits_charge(account=account, credits="1"),
        credits_charge_no_show(account=account, rule=rule),
        credits_expire(account=account, credits="1"),
        credits_take_back_refunded(account=account, credits="1", idempotency_key="refund:9"),
    ]

    assert {(e.reason, e.reference_type, e.reference_id, e.created_by_id) for e in written} == {
        ("", "", "", None)
    }


def test_a_refunded_purchase_records_why_and_what_it_refers_to(account):
    entry = credits_take_back_refunded(
        account=account,
        credits="2",
        idempotency_key="refund:3",
        reason=" pago devuelto ",
        reference_type="billing.refund",
        reference_id="re_1",
    )

    stored_entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored_entry.reason, stored_entry.reference_type, stored_entry.reference_id) == (
        "pago devuelto",
        "billing.refund",
        "re_1",
    )


def test_a_refunded_purchase_on_an_account_whose_credits_expire_takes_them_in_draw_order(db):
    from django.utils import timezone

    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=timezone.now() + timedelta(days=30))

    entry = credits_take_back_refunded(account=account, credits="2", idempotency_key="refund:4")

    assert (entry.credits, account.balance, account.tracks_blocks) == (D("-2"), D("3"), True)
    assert ledger_verify(account_ids=[account.pk]).ok


NO_SHOW_RULE = CreditRule(
    min_available_credits=D("2"), min_billable_credits=D("1"), increment_minutes=60
)
WRITES = {
    "grant": lambda account, **given: credits_grant(account=account, credits="1", **given),
    "refund": lambda account, **given: credits_refund(account=account, credits="1", **given),
    "charge": lambda account, **given: credits_charge(account=account, credits="1", **given),
    "no_show": lambda account, **given: credits_charge_no_show(
        account=account, rule=NO_SHOW_RULE, **given
    ),
    "expiry": lambda account, **given: credits_expire(account=account, credits="1", **given),
    "refunded": lambda account, **given: credits_take_back_refunded(
        account=account, credits="1", **given
    ),
}


@pytest.mark.parametrize("kind", WRITES)
def test_each_write_records_its_reason_references_and_key(account, kind):
    given = {"reason": " por qué ", "idempotency_key": f"{kind}:1"}
    if kind != "expiry":  # a manual expiry refers to nothing
        given |= {"reference_type": "ticket", "reference_id": "T-1"}

    entry = WRITES[kind](account, **given)
    again = WRITES[kind](account, **given)

    assert (entry.kind, again.pk) == (kind, entry.pk)
    stored_entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored_entry.reason, stored_entry.idempotency_key) == ("por qué", f"{kind}:1")
    if kind != "expiry":
        assert (stored_entry.reference_type, stored_entry.reference_id) == ("ticket", "T-1")
    assert LedgerEntry.objects.filter(account=account).count() == 2


def test_a_refund_on_an_account_whose_credits_expire_is_a_block_that_never_does(db):
    from django.utils import timezone

    from credits.models import CreditBlock

    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=timezone.now() + timedelta(days=30))

    refund = credits_refund(account=account, credits="2")

    block = CreditBlock.objects.get(account=account, sequence=refund.sequence)
    assert (block.kind, block.expires_at, block.remaining) == ("refund", None, D("2"))


def test_included_credits_land_from_the_first_instant_of_the_customers_month_to_its_end(
    db, time_machine
):
    from zoneinfo import ZoneInfo

    from credits.models import PlanCreditTerms
    from credits.services import credits_grant_included
    from tests.factories import make_contract

    contract = make_contract(make_customer(time_zone="America/Bogota"))
    PlanCreditTerms.objects.create(plan=contract.plan, monthly_credits=D("3"))
    # in UTC: a zoned destination would make time-machine change the process's zone too
    starts = datetime(2026, 3, 1, tzinfo=ZoneInfo("America/Bogota")).astimezone(UTC)
    ends = datetime(2026, 4, 1, tzinfo=ZoneInfo("America/Bogota")).astimezone(UTC)
    march = date(2026, 3, 15)

    time_machine.move_to(starts - timedelta(microseconds=1), tick=False)
    before = credits_grant_included(contract=contract, month=march)
    time_machine.move_to(ends, tick=False)
    after = credits_grant_included(contract=contract, month=march)
    time_machine.move_to(starts, tick=False)
    entry = credits_grant_included(contract=contract, month=march)

    assert (before, after) == (None, None)
    assert entry is not None
    stored_entry = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored_entry.kind, stored_entry.credits, stored_entry.idempotency_key) == (
        "grant",
        D("3"),
        f"included:{contract.pk}:2026-03",
    )
    assert stored_entry.reason == f"Créditos incluidos del plan {contract.plan.name}, 2026-03"
    assert (stored_entry.reference_type, stored_entry.reference_id) == (
        "contracts.contract",
        str(contract.pk),
    )


def test_a_positive_adjustment_lands_on_an_account_in_debt(db, staff):
    account = make_credit_account()
    credits_charge(account=account, credits="3")

    entry = credits_adjust(account=account, credits="0.5", reason="cortesía", by=staff)

    assert (entry.balance_after, account.balance) == (D("-2.5"), D("-2.5"))


def test_an_adjustment_on_an_account_whose_credits_expire_is_an_adjustment_block(db, staff):
    from django.utils import timezone

    from credits.models import CreditBlock

    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=timezone.now() + timedelta(days=30))

    entry = credits_adjust(account=account, credits="2", reason="compensación", by=staff)

    block = CreditBlock.objects.get(account=account, sequence=entry.sequence)
    assert (block.kind, block.expires_at) == ("adjustment", None)


def test_refusals_name_the_hold_or_entry_and_a_reversal_records_who_made_it(account, staff):
    hold = credits_place_hold(account=account, credits="1")
    credits_release_hold(hold=hold)
    charge = credits_charge(account=account, credits="1")
    reversal = credits_reverse(entry=charge, reason="error", by=staff)

    with pytest.raises(HoldNotActive) as inactive:
        credits_release_hold(hold=hold)
    with pytest.raises(AlreadyReversed) as reversed_twice:
        credits_reverse(entry=charge, reason="otra vez", by=staff)
    with pytest.raises(NotReversible) as not_reversible:
        credits_reverse(entry=reversal, reason="deshacer", by=staff)

    assert inactive.value.params == {"hold": hold.pk}
    assert reversed_twice.value.params == {"entry": charge.pk}
    assert not_reversible.value.params == {"entry": reversal.pk}
    assert LedgerEntry.objects.get(pk=reversal.pk).created_by_id == staff.pk


def test_reversing_less_than_one_credit_in_takes_only_available_credits(db, staff):
    account = make_credit_account()
    top_up = credits_top_up(account=account, credits="0.5")
    credits_charge(account=account, credits="0.25")

    with pytest.raises(InsufficientCredits):
        credits_reverse(entry=top_up, reason="pago rechazado", by=staff)

    assert stored(account).balance == D("0.25")


def test_reversing_less_than_one_credit_in_takes_it_from_the_block_it_credited(db, staff):
    from django.utils import timezone

    from credits.models import CreditBlock

    account = make_credit_account()
    # drawn first: the block that expires
    credits_top_up(account=account, credits="5", expires_at=timezone.now() + timedelta(days=9))
    small = credits_grant(account=account, credits="0.5")

    credits_reverse(entry=small, reason="otorgado por error", by=staff)

    remaining = dict(CreditBlock.objects.filter(account=account).values_list("kind", "remaining"))
    assert remaining == {"purchase": D("5"), "grant": D("0")}


def test_lapsing_refreshes_the_account_and_announces_its_customer(
    db, time_machine, heard, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from credits.services import credits_lapse_due

    _events, changed = heard
    account = make_credit_account()
    credits_top_up(account=account, credits="5", expires_at=timezone.now() + timedelta(days=1))
    assert credits_lapse_due(account=account) == []

    time_machine.move_to(timezone.now() + timedelta(days=2), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        lapsed = credits_lapse_due(account=account)

    assert [(entry.kind, entry.credits) for entry in lapsed] == [("expiry", D("-5"))]
    assert (account.balance, account.entry_count) == (D("0"), 2)
    assert changed == [account.customer_id]


def test_a_hold_is_decided_on_the_stored_account_unless_its_caller_locked_it(account):
    elsewhere = CreditAccount.objects.get(pk=account.pk)
    credits_charge(account=elsewhere, credits="9")  # account's figures are now stale

    with pytest.raises(InsufficientCredits):
        credits_place_hold(account=account, credits="5")
    hold = credits_place_hold(account=account, credits="1")

    assert (hold.reference_type, hold.reference_id) == ("", "")
    assert CreditHold.objects.filter(status="active").count() == 1


def test_a_hold_of_another_account_is_named(account):
    other = make_credit_account(credits="5")
    hold = credits_place_hold(account=other, credits="1")

    with pytest.raises(HoldAccountMismatch) as refused:
        credits_charge(account=account, credits="1", hold=hold)

    assert refused.value.params == {"hold": hold.pk}


def test_an_account_object_that_missed_the_switch_to_blocks_still_writes_through_them(
    db, heard, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    _events, changed = heard
    account = make_credit_account(credits="10")
    stale, also_stale = (CreditAccount.objects.get(pk=account.pk) for _ in range(2))
    credits_top_up(account=account, credits="5", expires_at=timezone.now() + timedelta(days=30))

    with django_capture_on_commit_callbacks(execute=True):
        charge = credits_charge(account=stale, credits="1")
        hold = credits_place_hold(account=also_stale, credits="2")

    assert (charge.balance_after, hold.available_after) == (D("14"), D("12"))
    assert stored(account).tracks_blocks is True
    assert changed == [account.customer_id] * 2


def test_refusals_of_a_bad_amount_or_expiry_show_the_value_given(db):
    account = make_credit_account()

    with pytest.raises(InvalidAmount) as amount:
        credits_top_up(account=account, credits="1", amount=D("100"))
    with pytest.raises(ExpiryWithoutZone) as expiry:
        credits_grant(account=account, credits="1", expires_at="2027-01-01")

    assert amount.value.params["value"] == D("100")
    assert expiry.value.params["value"] == "2027-01-01"
