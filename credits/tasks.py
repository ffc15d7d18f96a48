"""Credits' background tasks: the reminders before credits expire and the low-credits alert
(`credits.notifications`)."""

from background.queue import background_task


@background_task
def send_expiry_reminder(block_id: int, days: int) -> int:
    from credits import notifications

    return notifications.send_expiry_reminder(block_id, days)


@background_task
def send_low_credits(alert_id: int, crossing: int) -> int:
    from credits import notifications

    return notifications.send_low_credits(alert_id, crossing)
