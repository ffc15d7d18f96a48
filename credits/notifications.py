"""Mail to customers about their credits: credits about to expire (30 and 7 days before),
and credits running low (`credits.alerts`).

Run by the tasks in `credits.tasks`; each mail is sent once per block, threshold and
recipient (`background.mail.mail_once`), in the recipient's language and the customer's
time zone. Recipients: the customer's billing address and its authorized contacts.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from background.mail import mail_once
from core.formatting import credits_text, zone_label
from core.languages import in_language
from credits.models import BlockKind, CreditBlock
from credits.selectors import EXPIRY_REMINDER_KIND, credit_blocks_of

SUBJECT = ("Sus créditos de soporte vencen pronto", "Your support credits expire soon")
# Where the block's credits came from, as the mail says it (whatever the catalogue holds).
ORIGIN = {
    BlockKind.ALLOWANCE: ("incluidos en su plan este mes", "included in your plan this month"),
    BlockKind.PURCHASE: ("comprados", "you bought"),
    BlockKind.GRANT: ("de cortesía", "granted to you"),
    BlockKind.REFUND: ("devueltos", "refunded to you"),
    BlockKind.ADJUSTMENT: ("de un ajuste", "from an adjustment"),
    BlockKind.RESTORED: ("reintegrados", "restored to you"),
    BlockKind.OPENING: ("de su saldo anterior", "from your earlier balance"),
}


def send_expiry_reminder(block_id: int, days: int) -> int:
    """Tell the customer that a block's free credits expire within `days`; nothing when they
    were used, are held by open requests or already lapsed. Returns the mails sent now."""
    block = CreditBlock.objects.select_related("account__customer").get(pk=block_id)
    customer = block.account.customer
    now = timezone.now()
    line = next(
        (line for line in credit_blocks_of(account=block.account, now=now) if line.pk == block.pk),
        None,
    )
    if line is None or line.expired or line.free <= 0 or line.expires_at is None:
        return 0
    recipients = {customer.billing_email.lower(): customer.language}
    for contact in customer.contacts.filter(can_request=True):
        recipients.setdefault(contact.email.lower(), contact.preferred_language)
    sent = 0
    for address, language in sorted(recipients.items()):
        with translation.override(language), timezone.override(customer.time_zone_info):
            body = render_to_string(
                f"credits/email/expiring.{language}.txt",
                {
                    "customer": customer,
                    "credits": credits_text(line.free, language),
                    "expires_at": line.expires_at,
                    "days": days,
                    "origin": in_language(*ORIGIN[BlockKind(line.kind)], language),
                    "time_zone": zone_label(customer.time_zone, language),
                    "url": settings.SITE_URL + reverse("web:credits"),
                },
            )
        message = EmailMessage(
            subject=in_language(*SUBJECT, language),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        sent += mail_once(message, kind=EXPIRY_REMINDER_KIND, about=f"{block.pk}:{days}")
    return sent


LOW_SUBJECT = ("Sus créditos de soporte se están agotando", "Your support credits are running low")
LOW_CREDITS_KIND = "credits_low"


def send_low_credits(alert_id: int, crossing: int) -> int:
    """Tell the customer (billing address, authorized contacts) and its account manager that
    its credits crossed below a threshold: once per crossing and recipient. Returns the
    mails sent now."""
    from credits.alerts import low_credits_status
    from credits.models import LowCreditsAlert
    from credits.selectors import credit_account_get

    alert = LowCreditsAlert.objects.select_related(
        "contract__customer__account_manager", "contract__plan"
    ).get(pk=alert_id)
    contract, customer = alert.contract, alert.contract.customer
    now = timezone.now()
    status = low_credits_status(
        contract=contract, account=credit_account_get(customer=customer), now=now
    )
    recipients = {customer.billing_email.lower(): customer.language}
    for contact in customer.contacts.filter(can_request=True):
        recipients.setdefault(contact.email.lower(), contact.preferred_language)
    manager = customer.account_manager
    if manager is not None and manager.email:
        recipients.setdefault(manager.email.lower(), settings.LANGUAGE_CODE[:2])
    sent = 0
    for address, language in sorted(recipients.items()):
        with translation.override(language), timezone.override(customer.time_zone_info):
            body = render_to_string(
                f"credits/email/low.{language}.txt",
                {
                    "customer": customer,
                    "available": credits_text(status.available, language),
                    "minimum": credits_text(status.minimum, language),
                    "threshold": credits_text(status.threshold_credits, language),
                    "runs_out_at": status.runs_out_at,
                    "time_zone": zone_label(customer.time_zone, language),
                    "url": settings.SITE_URL + reverse("web:credits") + "#packs",
                },
            )
        message = EmailMessage(
            subject=in_language(*LOW_SUBJECT, language),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        sent += mail_once(message, kind=LOW_CREDITS_KIND, about=f"{alert.pk}:{crossing}")
    return sent
