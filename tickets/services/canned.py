"""Canned replies are written here (the admin saves through it)."""

from core.errors import full_clean_or_raise
from tickets.models import CannedReply


def canned_reply_save(reply: CannedReply) -> CannedReply:
    """Saves `reply` when its texts are within bounds, hold no control character and every
    placeholder is known (`CannedReply.clean`); otherwise InvalidInput naming the field,
    nothing written."""
    full_clean_or_raise(reply)
    reply.save()
    return reply
