"""Credit-pack purchases through Stripe.

1. `topup_start` (durable transaction): a draft invoice for the pack and a STARTED payment.
2. Outside any transaction: the Stripe customer and a PaymentIntent, idempotency key
   `topup:<payment pk>`, metadata naming our payment, customer and pack.
3. (durable transaction) the payment becomes PENDING with the intent's id.
4. The `payment_intent.succeeded` webhook (`billing.services.webhooks`) checks the amount,
   currency and pack, and calls `payment_apply`: the invoice is issued and paid and the
   credits land, once.

Without Stripe keys nothing is written (`PaymentProviderUnavailable`: the customer pays by
bank transfer and finance records it). When Stripe fails in step 2, the STARTED payment and
its draft invoice are deleted, the provider's detail is logged and the customer gets the
short `PaymentProviderFailed`.
"""

import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import stripe_gateway
from billing.declines import MESSAGE_LENGTH, PROVIDER_FAILED
from billing.exceptions import (
    PaymentProviderError,
    PaymentProviderFailed,
    PaymentProviderUnavailable,
)
from billing.models import Invoice, Payment, StripeCustomer
from billing.services.payments import topup_invoice_draft
from contracts.models import CreditPack, Customer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TopUpStarted:
    payment: Payment
    client_secret: str


def stripe_customer_ensure(customer: Customer) -> str:
    """The customer's Stripe id, created once (idempotency key `customer:<pk>`)."""
    known = StripeCustomer.objects.filter(customer=customer).values_list("stripe_id", flat=True)
    if known:
        return known[0]
    stripe_id = stripe_gateway.customer_create(
        email=customer.billing_email,
        name=customer.legal_name,
        metadata={"creditdesk_customer": str(customer.pk)},
        idempotency_key=f"customer:{customer.pk}",
    )
    try:
        with transaction.atomic(durable=True):
            StripeCustomer.objects.create(customer=customer, stripe_id=stripe_id)
    except IntegrityError:
        return StripeCustomer.objects.get(customer=customer).stripe_id
    return stripe_id


def topup_start(*, customer: Customer, credit_pack: CreditPack) -> TopUpStarted:
    """Record STARTED, create the PaymentIntent outside the transaction, record PENDING."""
    if not stripe_gateway.is_configured():
        raise PaymentProviderUnavailable()
    with transaction.atomic(durable=True):
        invoice = topup_invoice_draft(customer=customer, credit_pack=credit_pack)
        payment = Payment.objects.create(
            provider=Payment.Provider.STRIPE,
            status=Payment.Status.STARTED,
            customer=customer,
            invoice=invoice,
            credit_pack=credit_pack,
            amount=invoice.total,
        )
    try:
        stripe_customer_id = stripe_customer_ensure(customer)
        intent = stripe_gateway.payment_intent_create(
            amount=payment.amount,
            customer_id=stripe_customer_id,
            metadata={
                "creditdesk_payment": str(payment.pk),
                "creditdesk_customer": str(customer.pk),
                "creditdesk_pack": str(credit_pack.pk),
                "creditdesk_invoice": str(invoice.pk),
            },
            idempotency_key=f"topup:{payment.pk}",
        )
    except PaymentProviderError as error:
        logger.warning(
            "top-up of customer %s (pack %s) failed at the payment provider: %s",
            customer.pk,
            credit_pack.pk,
            error.message("en"),
            exc_info=True,
        )
        _topup_discard(payment, invoice, failure_message=error.message("en"))
        raise PaymentProviderFailed(detail=error.params.get("detail", "")) from error
    with transaction.atomic(durable=True):
        # Only a STARTED payment moves: a webhook that came first has already decided.
        Payment.objects.filter(pk=payment.pk, provider_ref="").update(provider_ref=intent.id)
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.STARTED).update(
            status=Payment.Status.PENDING, raw_payload=intent.raw
        )
    payment.refresh_from_db()
    return TopUpStarted(payment=payment, client_secret=intent.client_secret)


def _topup_discard(payment: Payment, invoice: Invoice, *, failure_message: str) -> None:
    """Delete a top-up the provider never accepted: its STARTED payment and draft invoice.
    A payment something else has already moved (a webhook) is only marked FAILED."""
    with transaction.atomic(durable=True):
        untouched = Payment.objects.filter(
            pk=payment.pk, status=Payment.Status.STARTED, provider_ref=""
        )
        if untouched.delete()[0]:
            draft = Invoice.objects.filter(pk=invoice.pk, status=Invoice.Status.DRAFT).first()
            if draft is not None and not draft.payments.exists():
                draft.lines.all().delete()
                draft.status_changes.all().delete()
                draft.delete()
            return
        Payment.objects.filter(pk=payment.pk, status=Payment.Status.STARTED).update(
            status=Payment.Status.FAILED,
            failure_code=PROVIDER_FAILED,
            failure_message=failure_message[:MESSAGE_LENGTH],
            failed_at=timezone.now(),
        )
