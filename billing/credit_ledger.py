"""Billing's only doorway into credits: what a paid invoice, an overdraft, a refund or an
allowance's overage does to the customer's credits, through `credits.services` and
`credits.allowance` (never its models' writes).

Every entry names what caused it (`reference_type` billing.payment / billing.invoice /
billing.refund) and, where credits offers one, an idempotency key derived from our row.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from djmoney.money import Money

from contracts.models import Contract, CreditPack, Customer, Plan
from contracts.selectors import contract_get_live
from credits import allowance
from credits.blocks import purchase_expiry
from credits.locks import account_lock
from credits.models import AllowanceMonth, CreditAccount, LedgerEntry
from credits.rules import credit_rule_for
from credits.services import (
    Reason,
    credit_account_get_or_create,
    credits_lapse_due,
    credits_take_back_refunded,
    credits_top_up,
)


def live_contract(customer: Customer) -> Contract | None:
    return contract_get_live(customer=customer)


def top_up(
    *,
    customer: Customer,
    credits: Decimal,
    amount: Money,
    idempotency_key: str,
    reference_type: str,
    reference_id: str,
    packs: list[CreditPack | None] | None = None,
) -> LedgerEntry:
    """Credits bought by a paid invoice (or settled by an overdraft invoice); lands once.
    Bought `packs` (None: credits that settle an overdraft) expire by their validity, else
    their plan's (`credits.blocks.purchase_expiry`)."""
    account = credit_account_get_or_create(customer=customer)
    expires_at = None
    if packs is not None:
        contract = live_contract(customer)
        expires_at = purchase_expiry(
            customer=customer,
            packs=[pack for pack in packs if pack is not None],
            plan=contract.plan if contract else None,
            at=timezone.now(),
        )
    return credits_top_up(
        account=account,
        credits=credits,
        amount=amount,
        idempotency_key=idempotency_key,
        reference_type=reference_type,
        reference_id=reference_id,
        expires_at=expires_at,
    )


def available(customer: Customer) -> Decimal:
    account = CreditAccount.objects.filter(customer=customer).first()
    return account.available if account else Decimal("0")


def take_back_unused(
    *,
    customer: Customer,
    credits: Decimal,
    reason: Reason,
    idempotency_key: str,
    payment_id: int | None = None,
) -> Decimal:
    """Take back up to `credits` bought by a refunded payment, never more than are available
    (used credits stay used; expired ones lapse first), from the payment's own block first.
    Returns the credits taken back; once per idempotency key."""
    account = account_lock(credit_account_get_or_create(customer=customer).pk)
    credits_lapse_due(account=account)
    unused = min(credits, max(account.available, Decimal("0")))
    if unused <= 0:
        return Decimal("0")
    credits_take_back_refunded(
        account=account,
        credits=unused,
        reason=reason,
        idempotency_key=idempotency_key,
        reference_type="billing.refund",
        reference_id=idempotency_key,
        bought_by=None if payment_id is None else ("billing.payment", str(payment_id)),
    )
    return unused


def balances_at(*, customer_ids: list[int], moment: datetime) -> dict[int, Decimal]:
    """Each customer's credit balance just before `moment`, from the ledger (one query)."""
    last_balance = (
        LedgerEntry.objects.filter(account=OuterRef("pk"), created_at__lt=moment)
        .order_by("-sequence")
        .values("balance_after")[:1]
    )
    rows = (
        CreditAccount.objects.filter(customer_id__in=customer_ids)
        .annotate(balance_at=Subquery(last_balance))
        .values_list("customer_id", "balance_at")
    )
    return {customer_id: balance or Decimal("0") for customer_id, balance in rows}


# An allowance's overage (included support with included hours), settled by the monthly run.


def overage_open(
    *, contract_ids: list[int], since: date, up_to: date
) -> dict[int, list[AllowanceMonth]]:
    """Each contract's months from `since` to `up_to` with over minutes not settled yet."""
    return allowance.allowance_overage_open(contract_ids=contract_ids, since=since, up_to=up_to)


def overage_hours(*, contract: Contract, plan: Plan, month: AllowanceMonth) -> Decimal:
    """Hours of the month's open overage, each started hour by the contract's rule on `plan`
    (no queries)."""
    return allowance.overage_hours(month, credit_rule_for(contract, plan))


def overage_settled(*, month_id: int, settled_minutes: int) -> None:
    """The month's over minutes up to `settled_minutes` are on an invoice (in its
    transaction)."""
    allowance.allowance_overage_settled(month_id=month_id, settled_minutes=settled_minutes)


def overage_charge(
    *, contract: Contract, plan: Plan, months: list[AllowanceMonth]
) -> list[LedgerEntry]:
    """Charge the months' open overage in credits, once per month and over-minute total."""
    return allowance.allowance_overage_charge(
        contract=contract, months=months, rule=credit_rule_for(contract, plan)
    )
