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
from datetime import datetime
from decimal import Decimal

from contracts.models import Contract, Customer, Service
from contracts.selectors import contract_get_live
from credits.allowance import allowance_left
from credits.exceptions import (
    AdministrativelyInsolvent,
    ContractSuspended,
    CreditsError,
    FreeMembership,
    InsufficientCredits,
    NoActiveContract,
)
from credits.locks import customer_account_lock
from credits.models import CreditAccount
from credits.rules import CreditRule, credit_rule_for

InsolvencyCheck = Callable[[Customer], bool]

_insolvency_checks: list[InsolvencyCheck] = []


def register_insolvency_check(check: InsolvencyCheck) -> InsolvencyCheck:
    """Add a check (once; usable as a decorator). Checks run in registration order."""
    if check not in _insolvency_checks:
        _insolvency_checks.append(check)
    return check


def unregister_insolvency_check(check: InsolvencyCheck) -> None:
    if check in _insolvency_checks:
        _insolvency_checks.remove(check)


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
) -> SolvencyDecision:
    """Decide whether `customer` may open a request now. `contract` defaults to the
    customer's live one. A plan with support included has no credit gate: the decision then
    carries no rule, account or required credits. With `lock=True` (inside the caller's
    transaction) the credit account row is locked, so a hold placed in the same transaction
    sees the same balance. Required credits are max(minimum available, minimum billable) of
    the rule in force. A request about a service type the provider does not bill
    (`service.billed` false) passes no credit gate either, nor does one on a plan of included
    hours, then credits, while the contract's allowance has minutes left in the month of
    `at` (now): `Plan.takes_credits_for` decides, on the allowance read here."""
    if customer.membership == Customer.Membership.FREE:
        return SolvencyDecision(FreeMembership())
    if contract is None:
        contract = contract_get_live(customer=customer)
    if contract is None or contract.status not in (
        Contract.Status.ACTIVE,
        Contract.Status.SUSPENDED,
    ):
        return SolvencyDecision(NoActiveContract(), contract=contract)
    if contract.status == Contract.Status.SUSPENDED:
        return SolvencyDecision(ContractSuspended(), contract=contract)
    if any(check(customer) for check in _insolvency_checks):
        return SolvencyDecision(AdministrativelyInsolvent(), contract=contract)
    left = allowance_left(contract=contract, at=at)
    if not contract.plan.takes_credits_for(service, allowance_left=left):
        # Support included in the plan, hours still included this month, or a service type
        # not billed: no credit gate (every other check above applies).
        return SolvencyDecision(None, contract=contract)
    rule = credit_rule_for(contract)
    required = max(rule.min_available_credits, rule.min_billable_credits)
    if lock:
        account = customer_account_lock(customer.pk)
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
