"""What billing does to credit blocks: a paid pack lands as a block valid for the pack's
or its plan's time, and a refund takes back that purchase's own credits first."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from djmoney.money import Money

from billing.models import Payment
from billing.services import payment_record, refund_issue
from credits.blocks import add_months
from credits.models import CreditBlock, PackCreditTerms, PlanCreditTerms
from credits.selectors import ledger_verify
from credits.services import credit_account_get_or_create, credits_grant
from tests.billing.test_topups import pack_setup

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


def bank_top_up(contract, pack, ref="TRX-1"):
    return payment_record(
        customer=contract.customer,
        amount=Money("1071000", "COP"),
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref=ref,
        received_on=date(2026, 12, 1),
        credit_pack=pack,
    )


@pytest.mark.django_db
def test_a_paid_pack_lands_as_a_block_valid_for_its_plans_months(time_machine):
    time_machine.move_to(NOW, tick=False)
    contract, pack = pack_setup()
    PlanCreditTerms.objects.create(plan=contract.plan, purchase_validity_months=12)

    payment = bank_top_up(contract, pack)

    block = CreditBlock.objects.get()
    zone = contract.customer.time_zone_info
    assert (block.kind, block.credits, block.expires_at) == (
        "purchase",
        Decimal("10"),
        add_months(NOW, 12, zone=zone),
    )
    assert block.amount == Money("1071000", "COP")  # what the customer paid, tax included
    assert (block.reference_type, block.reference_id) == ("billing.payment", str(payment.pk))
    assert ledger_verify().ok


@pytest.mark.django_db
def test_a_packs_own_validity_wins_and_no_terms_keep_credits_forever(time_machine):
    time_machine.move_to(NOW, tick=False)
    contract, pack = pack_setup()
    bank_top_up(contract, pack)
    assert not CreditBlock.objects.exists()  # nothing expires: no blocks

    PlanCreditTerms.objects.create(plan=contract.plan, purchase_validity_months=12)
    PackCreditTerms.objects.create(pack=pack, validity_months=3)
    bank_top_up(contract, pack, ref="TRX-2")

    opening, bought = CreditBlock.objects.order_by("pk")
    assert (opening.kind, opening.remaining, opening.expires_at) == ("opening", 10, None)
    assert bought.expires_at == add_months(NOW, 3, zone=contract.customer.time_zone_info)


@pytest.mark.django_db
def test_a_refund_takes_back_its_purchases_block_not_the_courtesy(time_machine):
    time_machine.move_to(NOW, tick=False)
    contract, pack = pack_setup()
    PlanCreditTerms.objects.create(plan=contract.plan, purchase_validity_months=12)
    account = credit_account_get_or_create(customer=contract.customer)
    credits_grant(account=account, credits="4", expires_at=NOW + timedelta(days=10))
    payment = bank_top_up(contract, pack)

    refund = refund_issue(payment=payment, reason="Mitad", amount=Money("535500", "COP"))

    assert refund.reversed_credits == Decimal("5")
    grant, bought = CreditBlock.objects.order_by("pk")
    assert (grant.remaining, bought.remaining) == (Decimal("4"), Decimal("5"))
    assert ledger_verify().ok


@pytest.mark.django_db
def test_a_refund_after_the_credits_expired_takes_back_nothing(time_machine):
    time_machine.move_to(NOW, tick=False)
    contract, pack = pack_setup()
    PlanCreditTerms.objects.create(plan=contract.plan, purchase_validity_months=1)
    payment = bank_top_up(contract, pack)
    time_machine.move_to(NOW + timedelta(days=40), tick=False)

    refund = refund_issue(payment=payment, reason="Vencidos")

    # the expired credits lapsed first (no job had run): none were left to take back
    assert refund.reversed_credits == Decimal("0")
    assert CreditBlock.objects.get().remaining == 0
    assert ledger_verify().ok
