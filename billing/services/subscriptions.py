"""Premium plans paid through a Stripe subscription, mirrored from Stripe's webhooks.

- `invoice.paid` / `invoice.payment_succeeded` (Stripe has used both names): our own invoice
  for the period is issued and paid once, keyed by the Stripe invoice id (a unique column on
  the invoice and on the payment), whichever name arrives first and however often.
- `invoice.payment_failed` starts dunning (status past_due, first failure time, attempts,
  a mail to the billing address after commit).
- `customer.subscription.deleted` ends the premium plan at the end of the paid period:
  the hourly upkeep (`subscriptions_end_due`) moves the contract back to its fallback plan
  on that day, in the customer's time zone.
Events may arrive in any order: `status_event_at` keeps an older event from moving the
status back, a cancelled subscription stays cancelled, and a failure for an invoice already
paid is ignored. Events naming a subscription we have not recorded yet raise
`EventNotReady`; `subscription_start` replays them once the row exists.
"""

import logging
import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from background.queue import enqueue_on_commit
from billing import stripe_gateway, tasks
from billing.exceptions import (
    BillingError,
    NoLiveContract,
    PaymentProviderError,
    PaymentProviderFailed,
    PaymentProviderUnavailable,
)
from billing.locks import subscription_lock
from billing.models import Invoice, InvoiceLine, Payment, StripeSubscription
from billing.services.invoices import invoice_add_line, invoice_create_draft, line_amounts
from billing.services.payments import payment_apply
from billing.services.topups import stripe_customer_ensure
from billing.tax import tax_rate_for
from contracts.models import Contract, Customer, Plan
from contracts.selectors import due_on_customers_day
from contracts.services import contract_change_plan, customer_today
from contracts.transitions import LIVE
from core.errors import CreditdeskError
from core.money import to_minor_units

logger = logging.getLogger(__name__)
SubStatus = StripeSubscription.Status


class EventNotReady(Exception):
    """The event names a row we do not have yet; it is kept and replayed later."""


class PlanNotSubscribable(BillingError):
    code = "plan_not_subscribable"
    message_es = "El plan {plan} no tiene cuota mensual en la moneda del cliente."
    message_en = "Plan {plan} has no monthly fee in the customer's currency."


class SubscriptionAlreadyOpen(BillingError):
    code = "subscription_already_open"
    message_es = "El contrato ya tiene una suscripción premium; termine esa primero."
    message_en = "The contract already has a premium subscription; end that one first."


class CardRequired(BillingError):
    code = "card_required"
    message_es = (
        "La suscripción se cobra a una tarjeta guardada y el cliente no tiene ninguna: "
        "guárdela primero en Créditos, Recarga automática."
    )
    message_en = (
        "The subscription is charged to a saved card and the customer has none: "
        "save one first under Credits, Automatic top-up."
    )


class SubscriptionNotCancellable(BillingError):
    code = "subscription_not_cancellable"
    message_es = "La suscripción no se puede cancelar: {why_es}."
    message_en = "The subscription cannot be cancelled: {why_en}."


def _local_date(moment: datetime, contract: Contract) -> date:
    return timezone.localtime(moment, timezone=_zone(contract)).date()


def _zone(contract: Contract) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(contract.customer.time_zone)


def subscription_amount(*, contract: Contract, plan: Plan) -> Any:
    rate = tax_rate_for(
        customer=contract.customer,
        on=customer_today(contract.customer),
        taxable=plan.monthly_fee_taxable,
    )
    return line_amounts(quantity=Decimal(1), unit_price=plan.monthly_fee, tax_rate=rate).total


def subscription_start(
    *,
    contract: Contract,
    premium_plan: Plan,
    payment_method_id: str | None = None,
    started_by: AbstractBaseUser | None = None,
) -> StripeSubscription:
    """STARTED row, then Stripe (customer, plan, subscription; key `subscription:<pk>`) outside
    any transaction, then the Stripe id and the contract moved to the premium plan.

    One subscription at a time per contract (a partial UNIQUE on the open rows: two starts at
    once write one row, the other is refused with `SubscriptionAlreadyOpen`). When Stripe
    refuses, the row is closed (ended, never sent) so the customer can try again."""
    contract = Contract.objects.select_related("customer", "plan").get(pk=contract.pk)
    if contract.status not in LIVE:
        raise NoLiveContract(field="contract")
    customer = contract.customer
    if premium_plan.currency != customer.currency or premium_plan.monthly_fee.amount <= 0:
        raise PlanNotSubscribable(field="premium_plan", plan=premium_plan.name)
    amount = subscription_amount(contract=contract, plan=premium_plan)
    try:
        with transaction.atomic(durable=True):
            row = StripeSubscription.objects.create(
                contract=contract,
                premium_plan=premium_plan,
                fallback_plan=contract.plan,
                status=SubStatus.INCOMPLETE,
                # AUTH_USER_MODEL is User: every user passed in is one.
                started_by=cast(User | None, started_by),
            )
    except IntegrityError:
        raise SubscriptionAlreadyOpen(field="premium_plan") from None
    try:
        stripe_customer_id = stripe_customer_ensure(customer)
        if payment_method_id:
            stripe_gateway.customer_set_default_payment_method(
                customer_id=stripe_customer_id, payment_method_id=payment_method_id
            )
        plan_id = stripe_gateway.plan_ensure(
            plan_id=f"creditdesk-{premium_plan.code}-{amount.currency}-{to_minor_units(amount)}",
            amount=amount,
            product_name=premium_plan.name,
        )
        remote = stripe_gateway.subscription_create(
            customer_id=stripe_customer_id,
            plan_id=plan_id,
            metadata={
                "creditdesk_contract": str(contract.pk),
                "creditdesk_subscription": str(row.pk),
            },
            idempotency_key=f"subscription:{row.pk}",
        )
    except PaymentProviderError as error:
        logger.warning(
            "subscription %s of contract %s refused by Stripe: %s",
            row.pk,
            contract.pk,
            error.message("en"),
        )
        StripeSubscription.objects.filter(pk=row.pk, stripe_id__isnull=True).update(
            status=SubStatus.CANCELED, ended_at=timezone.now()
        )
        raise PaymentProviderFailed(detail=error.params.get("detail", "")) from error
    with transaction.atomic(durable=True):
        row = subscription_lock(row.pk)
        row.stripe_id = remote["id"]
        if row.status == SubStatus.INCOMPLETE and remote.get("status") in SubStatus.values:
            row.status = remote["status"]
        row.current_period_end = stripe_gateway.from_stripe_timestamp(
            remote.get("current_period_end")
        )
        row.save()
    if contract.plan_id != premium_plan.pk:
        contract_change_plan(
            contract,
            plan=premium_plan,
            effective_on=customer_today(contract.customer),
            reason="Suscripción premium en Stripe",
            replace_waiting=True,
        )
    from billing.services.webhooks import stripe_events_replay_pending

    stripe_events_replay_pending()
    row.refresh_from_db()
    return row


def _subscription_id(obj: dict[str, Any]) -> str | None:
    sub = obj.get("subscription")
    if isinstance(sub, dict):
        sub = sub.get("id")
    if not sub:
        parent = obj.get("parent") or {}
        sub = (parent.get("subscription_details") or {}).get("subscription")
    return sub or None


def _subscription_for(sub_id: str) -> StripeSubscription:
    sub = (
        StripeSubscription.objects.select_related("contract__customer", "premium_plan")
        .filter(stripe_id=sub_id)
        .first()
    )
    if sub is None:
        raise EventNotReady(f"subscription {sub_id} not recorded yet")
    return sub


def _set_status(sub_id: int, status: str, event_at: datetime, **fields: Any) -> None:
    sub = subscription_lock(sub_id)
    for name, value in fields.items():
        setattr(sub, name, value)
    newer = sub.status_event_at is None or event_at >= sub.status_event_at
    if sub.status != SubStatus.CANCELED and newer:
        sub.status = status
        sub.status_event_at = event_at
    sub.save()


def subscription_invoice_paid(obj: dict[str, Any], *, event_at: datetime) -> None:
    """Mirror a paid Stripe invoice as our issued and paid invoice, once per Stripe invoice."""
    sub_id = _subscription_id(obj)
    if not sub_id:
        return
    sub = _subscription_for(sub_id)
    contract = sub.contract
    stripe_invoice_id = obj["id"]
    currency = str(obj["currency"]).upper()
    if currency not in settings.CURRENCIES:
        raise ValueError(f"currency {currency!r} is not one we bill in")
    received = stripe_gateway.from_stripe_amount(
        int(obj.get("amount_paid") or obj.get("total") or 0), currency
    )
    with transaction.atomic():
        invoice = Invoice.objects.filter(stripe_invoice_id=stripe_invoice_id).first()
        if invoice is None:
            invoice = _mirror_invoice(sub, obj)
        try:
            with transaction.atomic():
                payment, _ = Payment.objects.get_or_create(
                    provider=Payment.Provider.STRIPE,
                    provider_ref=stripe_invoice_id,
                    defaults={
                        "status": Payment.Status.SUCCEEDED,
                        "customer": contract.customer,
                        "invoice": invoice,
                        "amount": received,
                        "received_on": customer_today(contract.customer),
                        "raw_payload": obj,
                    },
                )
        except IntegrityError:
            payment = Payment.objects.get(
                provider=Payment.Provider.STRIPE, provider_ref=stripe_invoice_id
            )
        payment_apply(payment)
        period_end = stripe_gateway.from_stripe_timestamp(obj.get("period_end"))
        fields: dict[str, Any] = {"dunning_started_at": None, "failed_attempts": 0}
        if period_end and (sub.current_period_end is None or period_end > sub.current_period_end):
            fields["current_period_end"] = period_end
        _set_status(sub.pk, SubStatus.ACTIVE, event_at, **fields)


def _mirror_invoice(sub: StripeSubscription, obj: dict[str, Any]) -> Invoice:
    contract = sub.contract
    start = stripe_gateway.from_stripe_timestamp(obj.get("period_start"))
    end = stripe_gateway.from_stripe_timestamp(obj.get("period_end"))
    start_on = _local_date(start, contract) if start else None
    end_on = _local_date(end, contract) if end else None
    try:
        with transaction.atomic():
            invoice = invoice_create_draft(
                customer=contract.customer, contract=contract, source=Invoice.Source.SUBSCRIPTION
            )
            Invoice.objects.filter(pk=invoice.pk).update(stripe_invoice_id=obj["id"])
            plan = sub.premium_plan
            invoice_add_line(
                invoice=invoice,
                kind=InvoiceLine.Kind.PLAN_FEE,
                description=f"Cuota mensual {plan.name} (suscripción)",
                quantity=1,
                unit_price=plan.monthly_fee,
                taxable=plan.monthly_fee_taxable,
                period_start=start_on,
                period_end=end_on,
            )
    except IntegrityError:
        return Invoice.objects.get(stripe_invoice_id=obj["id"])
    invoice.refresh_from_db()
    return invoice


def subscription_payment_failed(obj: dict[str, Any], *, event_at: datetime) -> None:
    """Dunning starts at the first failure; a failure for an invoice already paid is old news."""
    sub_id = _subscription_id(obj)
    if not sub_id:
        return
    sub = _subscription_for(sub_id)
    paid = Payment.objects.filter(
        provider=Payment.Provider.STRIPE, provider_ref=obj["id"], applied_at__isnull=False
    ).exists()
    if paid:
        return
    with transaction.atomic():
        locked = subscription_lock(sub.pk)
        first_failure = locked.dunning_started_at is None
        _set_status(
            sub.pk,
            SubStatus.PAST_DUE,
            event_at,
            dunning_started_at=locked.dunning_started_at or event_at,
            failed_attempts=locked.failed_attempts + 1,
        )
        if first_failure:
            enqueue_on_commit(tasks.send_dunning_mail, sub.pk, event_at.isoformat())


def dunning_mail(subscription_id: int, dunning_started_at: datetime) -> EmailMessage | None:
    """The first-failure mail of the dunning episode that started at `dunning_started_at`,
    to the customer's billing address; None once that episode is over (paid meanwhile)."""
    subscription = StripeSubscription.objects.select_related("contract__customer").get(
        pk=subscription_id
    )
    if subscription.dunning_started_at != dunning_started_at:
        return None
    customer = subscription.contract.customer
    if customer.language == "en":
        subject = "Your subscription payment failed"
        body = "We could not charge your premium subscription. Please update your card."
    else:
        subject = "No pudimos cobrar su suscripción"
        body = "No pudimos cobrar su suscripción premium. Por favor actualice su tarjeta."
    return EmailMessage(subject, body, None, [customer.billing_email])


def subscription_deleted(obj: dict[str, Any], *, event_at: datetime) -> None:
    """Cancelled in Stripe: the premium plan ends when the paid period ends."""
    sub = _subscription_for(obj["id"])
    period_end = (
        stripe_gateway.from_stripe_timestamp(obj.get("current_period_end"))
        or stripe_gateway.from_stripe_timestamp(obj.get("ended_at"))
        or stripe_gateway.from_stripe_timestamp(obj.get("canceled_at"))
        or event_at
    )
    with transaction.atomic():
        locked = subscription_lock(sub.pk)
        locked.status = SubStatus.CANCELED
        locked.status_event_at = max(event_at, locked.status_event_at or event_at)
        if locked.current_period_end is None or period_end > locked.current_period_end:
            locked.current_period_end = period_end
        locked.ends_on = _local_date(locked.current_period_end, sub.contract)
        locked.save()
    transaction.on_commit(subscriptions_end_due)


def subscription_updated(obj: dict[str, Any], *, event_at: datetime) -> None:
    sub = _subscription_for(obj["id"])
    status = obj.get("status")
    if status not in SubStatus.values:
        return
    with transaction.atomic():
        fields = {}
        period_end = stripe_gateway.from_stripe_timestamp(obj.get("current_period_end"))
        if period_end:
            fields["current_period_end"] = period_end
        _set_status(sub.pk, status, event_at, **fields)


def subscriptions_end_due(*, now: datetime | None = None) -> list[StripeSubscription]:
    """Move contracts whose cancelled premium period is over, on the customer's day, back to
    their fallback plan (cancelled in Stripe, or asked to end at the period end here:
    `subscription_cancel`; the job does not wait for Stripe's `customer.subscription.deleted`)."""
    ended = []
    due = StripeSubscription.objects.filter(
        Q(status=SubStatus.CANCELED) | Q(cancel_at_period_end=True),
        due_on_customers_day("ends_on", customer="contract__customer", now=now),
        ended_at__isnull=True,
    ).select_related("contract")
    for sub in due:
        try:
            with transaction.atomic():
                claimed = StripeSubscription.objects.filter(
                    pk=sub.pk, ended_at__isnull=True
                ).update(ended_at=timezone.now())
                if not claimed:
                    continue
                contract = Contract.objects.get(pk=sub.contract_id)
                premium = contract.plan_id == sub.premium_plan_id
                if premium and contract.status in LIVE and sub.ends_on is not None:
                    contract_change_plan(
                        contract,
                        plan=sub.fallback_plan,
                        effective_on=max(sub.ends_on, contract.starts_on),
                        reason="Fin de la suscripción premium",
                        replace_waiting=True,
                    )
        except CreditdeskError as error:
            # Unclaimed again (rolled back): the next hourly run retries; the others go on.
            logger.warning("subscription %s could not end: %s", sub.pk, error.message("en"))
            continue
        ended.append(sub)
    return ended


# People start and cancel subscriptions: contacts in the portal, account managers and admins
# in the workspace (`creditdesk.web.views.subscriptions`). Both call these.


def plans_subscribable(contract: Contract | None) -> QuerySet[Plan]:
    """The premium tiers the contract may subscribe to: plans with a monthly fee in the
    customer's currency (what `subscription_start` accepts) above its current plan's fee."""
    if contract is None or contract.status not in LIVE:
        return Plan.objects.none()
    current = (
        contract.plan.monthly_fee.amount
        if contract.plan.currency == contract.customer.currency
        else 0
    )
    return (
        Plan.objects.filter(currency=contract.customer.currency, monthly_fee__gt=max(current, 0))
        .exclude(pk=contract.plan_id)
        .order_by("monthly_fee", "name")
    )


def subscription_open_of(contract: Contract | None) -> StripeSubscription | None:
    """The contract's subscription that has not ended (its plan still premium), or None."""
    if contract is None:
        return None
    return (
        StripeSubscription.objects.select_related("premium_plan", "fallback_plan")
        .filter(contract=contract, ended_at__isnull=True)
        .first()
    )


def saved_card_of(customer: Customer) -> str | None:
    """The card the customer saved for automatic top-ups, if any (Stripe's id)."""
    from billing.models import AutoTopUp

    card = (
        AutoTopUp.objects.filter(customer=customer)
        .exclude(payment_method_id="")
        .values_list("payment_method_id", flat=True)
        .first()
    )
    return card or None


def subscription_subscribe(
    *, contract: Contract, premium_plan: Plan, by: AbstractBaseUser
) -> StripeSubscription:
    """A person (the customer's contact, their account manager, an admin) subscribes the
    contract to a premium tier. Stripe bills the premium fee from today; the plan changes
    today, so the monthly run prorates the month's fee of the plan it leaves by day
    (`billing.services.run`, one line per plan segment) and leaves the premium segment to
    Stripe. The customer's saved card (the one auto top-up uses, `AutoTopUp`) pays: without
    one nothing starts (`CardRequired`), as Stripe would refuse a customer with no card."""
    if not stripe_gateway.is_configured():
        raise PaymentProviderUnavailable()
    if not plans_subscribable(contract).filter(pk=premium_plan.pk).exists():
        raise PlanNotSubscribable(field="premium_plan", plan=premium_plan.name)
    if subscription_open_of(contract) is not None:
        raise SubscriptionAlreadyOpen(field="premium_plan")
    card = saved_card_of(contract.customer)
    if card is None:
        raise CardRequired(field="premium_plan")
    return subscription_start(
        contract=contract,
        premium_plan=premium_plan,
        payment_method_id=card,
        started_by=by,
    )


def subscription_cancel(
    *, subscription: StripeSubscription, by: AbstractBaseUser
) -> StripeSubscription:
    """Cancel at the end of the paid period, as billing products do (Stripe's
    `cancel_at_period_end`): the customer paid the period in advance, so the premium tier
    stays theirs until it ends, nothing is refunded or prorated back, and no further invoice
    comes. The contract moves back to its previous plan on that day (`subscriptions_end_due`,
    hourly, on the customer's day; the monthly run prorates that plan's fee from the day).
    Cancelling at once would take away a period already paid for or force a refund and a
    credit note for it.

    Locks the subscription row; the request is recorded first, then Stripe is told outside
    the transaction (key `subscription-cancel:<pk>`). If Stripe refuses, the request is
    undone and nothing changed."""
    with transaction.atomic():
        locked = subscription_lock(subscription.pk)
        if locked.ended_at is not None or locked.status == SubStatus.CANCELED:
            raise SubscriptionNotCancellable(
                field="subscription", why_es="ya terminó", why_en="it has already ended"
            )
        if locked.cancel_at_period_end:
            raise SubscriptionNotCancellable(
                field="subscription",
                why_es="ya se pidió su cancelación",
                why_en="its cancellation was already requested",
            )
        if not locked.stripe_id:
            raise SubscriptionNotCancellable(
                field="subscription",
                why_es="Stripe aún no la confirmó",
                why_en="Stripe has not confirmed it yet",
            )
        contract = Contract.objects.select_related("customer").get(pk=locked.contract_id)
        period_end = locked.current_period_end or timezone.now()
        locked.cancel_at_period_end = True
        locked.cancel_requested_at = timezone.now()
        locked.cancel_requested_by = cast(User, by)  # AUTH_USER_MODEL is User
        locked.ends_on = max(_local_date(period_end, contract), customer_today(contract.customer))
        locked.save(
            update_fields=[
                "cancel_at_period_end",
                "cancel_requested_at",
                "cancel_requested_by",
                "ends_on",
            ]
        )
    try:
        remote = stripe_gateway.subscription_cancel_at_period_end(
            subscription_id=locked.stripe_id,
            idempotency_key=f"subscription-cancel:{locked.pk}",
        )
    except PaymentProviderError as error:
        StripeSubscription.objects.filter(pk=locked.pk, ended_at__isnull=True).update(
            cancel_at_period_end=False,
            cancel_requested_at=None,
            cancel_requested_by=None,
            ends_on=None,
        )
        raise PaymentProviderFailed(detail=error.params.get("detail", "")) from error
    remote_end = stripe_gateway.from_stripe_timestamp(remote.get("current_period_end"))
    if remote_end and locked.current_period_end is None:
        with transaction.atomic():
            row = subscription_lock(locked.pk)
            row.current_period_end = remote_end
            local_end = _local_date(remote_end, contract)
            # ends_on was set above with the cancellation request.
            row.ends_on = local_end if row.ends_on is None else max(local_end, row.ends_on)
            row.save(update_fields=["current_period_end", "ends_on"])
    locked.refresh_from_db()
    return locked
