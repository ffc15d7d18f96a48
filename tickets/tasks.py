"""Mail about tickets, as background tasks: enqueued on commit with ids, retried, sent once."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from background.mail import mail_once
from background.queue import background_task
from tickets import notifications


@background_task
def send_acknowledgement(ticket_id: int) -> None:
    notifications.send_acknowledgement(ticket_id)


@background_task
def send_resolution(ticket_id: int) -> None:
    notifications.send_resolution(ticket_id)


@background_task
def send_abandonment(ticket_id: int) -> None:
    notifications.send_abandonment(ticket_id)


@background_task
def send_agent_message(message_id: int) -> None:
    notifications.send_agent_message(message_id)


@background_task
def send_mail_refusal(
    *, to: str, subject: str, reason: str, language: str, in_reply_to: str, about: str
) -> None:
    """The answer to inbound mail that was refused, sent once per `about` (the sender, the
    subject and the hour, or for mail that may be forged the day: see
    `tickets.services.mail_intake`)."""
    with translation.override(language):
        body = render_to_string(
            f"tickets/email/refusal.{language}.txt", {"reason": reason, "subject": subject}
        )
    title = (
        "No pudimos registrar su solicitud" if language == "es" else "We could not log your request"
    )
    message = EmailMessage(
        subject=title,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=notifications.AUTO_REPLIED | ({"In-Reply-To": in_reply_to} if in_reply_to else {}),
    )
    mail_once(message, kind="mail_refusal", about=about)


@background_task
def send_escalation(escalation_id: int) -> None:
    notifications.send_escalation(escalation_id)
