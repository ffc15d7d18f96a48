"""A refusal's parameter naming choices reads as their labels in each message's language."""

from contracts.models import Channel
from core.errors import CreditdeskError, choice_labels
from tickets.models import Ticket


class _Refusal(CreditdeskError):
    code = "test_refusal"
    message_es = "Por {channels}, en estado {status}."
    message_en = "By {channels}, in state {status}."


def test_one_code_and_several_read_as_labels_in_each_language():
    refusal = _Refusal(
        channels=choice_labels([Channel.PHONE, Channel.EMAIL], Channel),
        status=choice_labels(Ticket.Status.ACKNOWLEDGED, Ticket.Status),
    )

    assert refusal.message("es") == "Por Teléfono, Correo, en estado Recibido."
    assert refusal.message("en") == "By Phone, Email, in state Received."
