"""The quotes app's background tasks (each idempotent): the sent quote's mail with its PDF,
and the decision's mail to the quote's author."""

from background.queue import background_task


@background_task
def send_quote(quote_id: int) -> int:
    from quotes import notifications

    return notifications.send_quote(quote_id)


@background_task
def send_quote_decided(quote_id: int) -> int:
    from quotes import notifications

    return notifications.send_quote_decided(quote_id)
