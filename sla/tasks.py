"""SLA mail as background tasks: one per clock and threshold, sent once."""

from background.mail import mail_once
from background.queue import background_task


@background_task
def send_clock_mail(clock_id: int, *, breached: bool) -> bool:
    from sla.services.monitor import clock_mail

    message = clock_mail(clock_id, breached=breached)
    if message is None:
        return False
    return mail_once(message, kind="sla_breach" if breached else "sla_warning", about=clock_id)
