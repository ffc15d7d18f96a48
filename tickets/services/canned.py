"""Canned replies are written here (the admin saves through it)."""

from django.core.exceptions import ValidationError

from core.errors import InvalidInput
from tickets.models import CannedReply


def canned_reply_save(reply: CannedReply) -> CannedReply:
    """Saves `reply` when its texts are within bounds and every placeholder is known
    (`CannedReply.clean`); otherwise InvalidInput naming the field, nothing written."""
    try:
        reply.full_clean()
    except ValidationError as error:
        raise InvalidInput.from_validation_error(error) from error
    reply.save()
    return reply
