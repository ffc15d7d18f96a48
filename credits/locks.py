"""The credits app's row locks, in the one order every ledger write takes them.

    a contract's allowance month -> the hold being closed -> its credit account (always last)

The account is the hot row (one busy customer's every intake, charge and top-up goes through
it), so it is the last row a ledger write locks, which keeps its lock shortest. A caller
that holds an account lock (intake: lock, check solvency, hold) may place new holds on it,
but must not close another hold of that account in the same transaction while other
sessions may be closing holds too. Callers from other apps lock their own rows first
(tickets: the ticket; billing: invoice, payment, refund, series) and the account last.

On PostgreSQL the ledger's writes take these locks inside one statement (`credits.ledger`);
these functions are the same locks for the Python path and for callers that decide on an
account's figures.

An allowance month (`credits.allowance`) is locked by the request being charged (tickets:
ticket -> allowance month -> hold -> account) and by the monthly run settling its overage
(billing: invoice -> allowance month -> series -> account); one month row at a time.

An account's credit blocks, their movements and holds' allocations have no lock of their
own: the account's row guards them (`credits.blocks` changes them only while holding it).

A contract's low-credits alert (`credits.alerts`) is locked alone, in a transaction of its
own that locks nothing else.
"""

from datetime import date

from django.db import connection
from django.db.models import QuerySet
from django.db.transaction import TransactionManagementError

from contracts.models import Customer
from core.reads import first_row
from credits.models import AllowanceMonth, CreditAccount, CreditHold, LowCreditsAlert


def account_lock(pk: int) -> CreditAccount:
    return CreditAccount.objects.select_for_update().get(pk=pk)


def account_lock_if_exists(pk: int) -> CreditAccount | None:
    """For the ledger's writes, which answer "not written" rather than raise."""
    _require_transaction()
    return first_row("account_lock", _accounts_locked, pk=pk)


def customer_account_lock(customer_id: int) -> CreditAccount | None:
    """The customer's account, or None before its first credit."""
    _require_transaction()
    return first_row("customer_account_lock", _accounts_locked, customer_id=customer_id)


def _accounts_locked(**lookup: int) -> QuerySet[CreditAccount]:
    # Read through core.reads, compiled once per connection: every intake and charge on
    # PostgreSQL locks the account, and building this query cost more than running it.
    return CreditAccount.objects.select_for_update().filter(**lookup)


def _require_transaction() -> None:
    """What the ORM checks when it compiles a locking read, checked on every call: a lock
    outside a transaction would be released at once."""
    if connection.get_autocommit():
        raise TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )


# Read a customer's account with another row (`select_related`) instead of locking it
# alone: only where the database has no row locks (SQLite), whose transactions hold the
# write lock from their BEGIN IMMEDIATE, so a row read inside one is as good as locked.
CUSTOMER_ACCOUNT = "customer__credit_account"


def customer_account_read_locked() -> bool:
    """Whether an account read inside the transaction is already locked (see above)."""
    return not connection.features.has_select_for_update


def customer_account_locked(customer: Customer) -> CreditAccount | None:
    """The account of `customer`, read with `CUSTOMER_ACCOUNT` in the current transaction
    where `customer_account_read_locked()`, else locked now (`customer_account_lock`)."""
    if customer_account_read_locked():
        try:
            return customer.credit_account
        except CreditAccount.DoesNotExist:
            return None
    return customer_account_lock(customer.pk)


def active_hold_lock(pk: int, *, account_id: int | None = None) -> CreditHold | None:
    """The hold while it is still active (None once captured or released)."""
    holds = CreditHold.objects.select_for_update().filter(pk=pk, status=CreditHold.Status.ACTIVE)
    if account_id is not None:
        holds = holds.filter(account_id=account_id)
    return holds.first()


def allowance_month_lock(*, contract_id: int, month: date) -> AllowanceMonth:
    """The contract's allowance row for `month` (its first day), created on first use. Two
    first draws of a month insert the same unique row: the second waits for the first and
    then reads its row (`get_or_create` retries the read inside a savepoint)."""
    AllowanceMonth.objects.get_or_create(contract_id=contract_id, month=month)
    return AllowanceMonth.objects.select_for_update().get(contract_id=contract_id, month=month)


def allowance_month_lock_by_pk(pk: int) -> AllowanceMonth:
    return AllowanceMonth.objects.select_for_update().get(pk=pk)


def low_credits_alert_lock(*, contract_id: int) -> LowCreditsAlert:
    """The contract's alert row, created (armed, default thresholds) on first use."""
    LowCreditsAlert.objects.get_or_create(contract_id=contract_id)
    return LowCreditsAlert.objects.select_for_update().get(contract_id=contract_id)
