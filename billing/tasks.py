"""Billing's background tasks: dunning mail (sent once per dunning episode), the monthly
billing run finance starts from its workspace, and the PDFs of the invoices a run issued."""

from datetime import datetime

from background.mail import mail_once
from background.queue import background_task


@background_task
def send_dunning_mail(subscription_id: int, dunning_started_at: str) -> bool:
    from billing.services.subscriptions import dunning_mail

    message = dunning_mail(subscription_id, datetime.fromisoformat(dunning_started_at))
    if message is None:
        return False
    return mail_once(message, kind="dunning", about=f"{subscription_id}@{dunning_started_at}")


@background_task(about_one_row=False)
def render_pending_pdfs() -> int:
    """Render every issued invoice without a PDF, one process per core (resumable: a retry
    renders what is left)."""
    from billing.documents.store import invoice_pdfs_render_parallel

    return sum(invoice_pdfs_render_parallel())


@background_task(about_one_row=False)
def run_billing_period(period: str) -> list[str]:
    """The monthly run of `period` (YYYY-MM), resumable: a retry finishes what is left. An
    error is written on the run row for finance's page, then raised (the task retries)."""
    from billing.models import BillingRun
    from billing.services.run import Period, billing_run

    parsed = Period.parse(period)
    try:
        return billing_run(period=parsed).lines()
    except Exception as error:
        BillingRun.objects.filter(period_start=parsed.start).update(error=str(error)[:2000])
        raise


# Billing that talks (`billing.notifications`): each mail once per subject and recipient.


@background_task
def send_invoice_issued(invoice_id: int) -> int:
    from billing import notifications

    return notifications.send_invoice_issued(invoice_id)


@background_task
def send_payment_reminder(invoice_id: int, offset: int) -> int:
    from billing import notifications

    return notifications.send_payment_reminder(invoice_id, offset)


@background_task
def send_suspension_notice(suspension_id: int) -> int:
    from billing import notifications

    return notifications.send_suspension_notice(suspension_id)


@background_task
def send_reactivation_notice(suspension_id: int) -> int:
    from billing import notifications

    return notifications.send_reactivation_notice(suspension_id)


# Auto top-up (`billing.services.autotopup`): the check after credits changed, the
# off-session charge of a crossing, and the mail when it fails. Each is idempotent.


@background_task
def auto_top_up_check_task(customer_id: int) -> int | None:
    from billing.services.autotopup import auto_top_up_check

    attempt = auto_top_up_check(customer_id=customer_id)
    return attempt.pk if attempt is not None else None


@background_task
def auto_top_up_charge_task(attempt_id: int) -> str:
    from billing.services.autotopup import auto_top_up_charge

    return str(auto_top_up_charge(attempt_id=attempt_id))


@background_task
def send_auto_top_up_failed(attempt_id: int) -> int:
    from billing.services.autotopup import send_auto_top_up_failed as send

    return send(attempt_id)
