"""The quotes app's background tasks: the sent quote's mail with its PDF (idempotent)."""

from background.queue import background_task


@background_task
def send_quote(quote_id: int) -> int:
    from quotes import notifications

    return notifications.send_quote(quote_id)
