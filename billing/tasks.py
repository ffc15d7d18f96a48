"""Billing's background tasks: dunning mail (sent once per dunning episode) and the PDFs of
the invoices a billing run issued."""

from background.mail import mail_once
from background.queue import background_task


@background_task
def send_dunning_mail(subscription_id: int, dunning_started_at: str) -> bool:
    from billing.services.subscriptions import dunning_mail

    return mail_once(
        dunning_mail(subscription_id),
        kind="dunning",
        about=f"{subscription_id}@{dunning_started_at}",
    )


@background_task
def render_pending_pdfs() -> int:
    """Render every issued invoice without a PDF (resumable: a retry renders what is left)."""
    from billing.documents.store import invoice_pdfs_render_pending

    return sum(1 for _ in invoice_pdfs_render_pending())
