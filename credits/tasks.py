"""Credits' background tasks: the reminders before credits expire (`credits.notifications`)."""

from background.queue import background_task


@background_task
def send_expiry_reminder(block_id: int, days: int) -> int:
    from credits import notifications

    return notifications.send_expiry_reminder(block_id, days)
