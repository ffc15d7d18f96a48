"""May this customer open a request now? One answer, with the first reason that fails.

Order: free_membership, no_active_contract, contract_suspended,
administratively_insolvent, insufficient_credits.

"Administratively insolvent" is decided by apps above us (billing knows overdue
invoices), so credits keeps a small registry of checks instead of importing them:
billing calls `register_insolvency_check(fn)` in its `AppConfig.ready()`, where `fn(customer)`
returns True when the customer must not open requests.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from contracts.models import Contract, Customer, Service
from contracts.selectors import contracts_live
from contracts.services import customer_today
from core.reads import first_row
from credits.allowance import allowance_left
from credits.exceptions import (
    AdministrativelyInsolvent,
    ContractSuspended,
    CreditsError,
    FreeMembership,
    InsufficientCredits,
    NoActiveContract,
)
from credits.locks import CUSTOMER_ACCOUNT, customer_account_locked, customer_account_read_locked
from credits.models import CreditAccount
from credits.rules import CreditRule, credit_rule_for

InsolvencyCheck = Callable[[Customer], bool]
# The same check as the rows that make a customer insolvent, for a customer given as an
# `OuterRef` to its id and the customer's day: solvency_check then asks it inside its read
# of the contract.
InsolvencyRows = Callable[[Any, date], QuerySet]

_insolvency_checks: list[InsolvencyCheck] = []
_insolvency_rows: dict[InsolvencyCheck, InsolvencyRows] = {}


def register_insolvency_check(
    check: InsolvencyCheck, *, rows: InsolvencyRows | None = None
) -> InsolvencyCheck:
    """Add a check (once; usable as a decorator). Checks run in registration order. `rows`
    is the check's own query (`check(customer)` is `rows(customer, its today).exists()`), which lets
    intake read it with the contract instead of in a query of its own."""
    if check not in _insolvency_checks:
        _insolvency_checks.append(check)
    if rows is not None:
        _insolvency_rows[check] = rows
    return check


def unregister_insolvency_check(check: InsolvencyCheck) -> None:
    if check in _insolvency_checks:
        _insolvency_checks.remove(check)
    _insolvency_rows.pop(check, None)


def _insolvency_annotations(on: date) -> dict[str, Exists]:
    """The checks that have rows, as EXISTS columns of the contract's read, on the
    customer's day `on`."""
    return {
        f"insolvency_check_{index}": Exists(_insolvency_rows[check](OuterRef("customer_id"), on))
        for index, check in enumerate(_insolvency_checks)
        if check in _insolvency_rows
    }


def _insolvent(customer: Customer, contract: Contract) -> bool:
    """The checks in registration order, each answered by the contract's read if it was
    asked there, else by itself."""
    for index, check in enumerate(_insolvency_checks):
        answer = getattr(contract, f"insolvency_check_{index}", None)
        if answer if answer is not None else check(customer):
            return True
    return False


def _live_contract_read(
    customer: Customer, *, with_account: bool, on: date, columns: dict[str, Any]
) -> Contract | None:
    """`contract_get_live` with the insolvency checks asked on the customer's day `on`,
    `columns` and, `with_account`, the credit account: intake's hottest read, compiled once
    per connection (`core.reads`). `columns` must be the same SQL whenever their names are."""

    def build(customer_id: int, on: date) -> QuerySet[Contract]:
        return contracts_live(
            customer_id=customer_id,
            related=(CUSTOMER_ACCOUNT,) if with_account else (),
            annotate=_insolvency_annotations(on) | columns,
        )

    # The annotations' names follow every registered check's place, rows or not.
    shape = (
        "live_contract",
        with_account,
        tuple(_insolvency_checks),
        tuple(_insolvency_rows),
        tuple(columns),
    )
    return first_row(shape, build, customer_id=customer.pk, on=on)


@dataclass(frozen=True)
class SolvencyDecision:
    error: CreditsError | None
    contract: Contract | None = None
    rule: CreditRule | None = None
    account: CreditAccount | None = None
    available: Decimal | None = None
    required: Decimal | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def code(self) -> str:
        return "ok" if self.error is None else self.error.code

    def message(self, language: str | None = None) -> str:
        return "" if self.error is None else self.error.message(language)

    def raise_if_refused(self) -> None:
        if self.error is not None:
            raise self.error


def solvency_check(
    *,
    customer: Customer,
    contract: Contract | None = None,
    service: Service | None = None,
    lock: bool = False,
    at: datetime | None = None,
    columns: dict[str, Any] | None = None,
) -> SolvencyDecision:
    """Decide whether `customer` may open a request now. `contract` defaults to the
    customer's live one. A plan with support included has no credit gate: the decision then
    carries no rule, account or required credits. With `lock=True` (inside the caller's
    transaction) the credit account row is locked, so a hold placed in the same transaction
    sees the same balance. Required credits are max(minimum available, minimum billable) of
    the rule in force. A request about a service type the provider does not bill
    (`service.billed` false) passes no credit gate either, nor does one on a plan of included
    hours, then credits, while the contract's allowance has minutes left in the month of
    `at` (now): `Plan.takes_credits_for` decides, on the allowance read here. `columns`
    are read with the live contract when this reads it (intake: the plan's SLA version)."""
    if customer.membership == Customer.Membership.FREE:
        return SolvencyDecision(FreeMembership())
    if contract is None:
        # One read: the contract, its plan, the insolvency checks that have rows and, where
        # reading it in the transaction locks it (credits.locks), the credit account.
        with_account = lock and customer_account_read_locked()
        contract = _live_contract_read(
            customer,
            with_account=with_account,
            on=customer_today(customer, now=at),
            columns=columns or {},
        )
        if with_account and contract is not None:
            customer = contract.customer
    if contract is None or contract.status not in (
        Contract.Status.ACTIVE,
        Contract.Status.SUSPENDED,
    ):
        return SolvencyDecision(NoActiveContract(), contract=contract)
    if contract.status == Contract.Status.SUSPENDED:
        return SolvencyDecision(ContractSuspended(), contract=contract)
    if _insolvent(customer, contract):
        return SolvencyDecision(AdministrativelyInsolvent(), contract=contract)
    left = allowance_left(contract=contract, at=at)
    if not contract.plan.takes_credits_for(service, allowance_left=left):
        # Support included in the plan, hours still included this month, or a service type
        # not billed: no credit gate (every other check above applies).
        return SolvencyDecision(None, contract=contract)
    rule = credit_rule_for(contract)
    required = max(rule.min_available_credits, rule.min_billable_credits)
    if lock:
        account = customer_account_locked(customer)
    else:
        account = CreditAccount.objects.filter(customer=customer).first()
    available = account.available if account is not None else Decimal("0.00")
    # A negative balance is debt: it blocks new requests even under a zero minimum.
    in_debt = account is not None and account.balance < 0
    error = (
        InsufficientCredits(available=available, required=required)
        if available < required or in_debt
        else None
    )
    return SolvencyDecision(
        error,
        contract=contract,
        rule=rule,
        account=account,
        available=available,
        required=required,
    )
