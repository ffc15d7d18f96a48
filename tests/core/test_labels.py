"""Choice labels from the per-language table (core.labels) read as Django's own."""

import pytest
from django.utils import translation

from sla.choices import Priority
from tickets.models import Ticket


@pytest.mark.parametrize(
    ("language", "status", "priority"),
    [("es", "Recibido", "P1 Crítica"), ("en", "Received", "P1 Critical")],
)
def test_labels_in_the_active_language(language, status, priority):
    ticket = Ticket(status=Ticket.Status.ACKNOWLEDGED, priority=Priority.P1)
    # Alternating languages: each reads its own table, neither the one built first.
    for _ in range(2):
        for other in ("es", "en"):
            with translation.override(other):
                ticket.get_status_display()
        with translation.override(language):
            assert ticket.get_status_display() == status
            assert ticket.get_priority_display() == priority


def test_every_choice_reads_as_djangos_own_label():
    ticket = Ticket()
    for language in ("es", "en"):
        with translation.override(language):
            for value, label in Ticket.Status.choices:
                ticket.status = value
                assert ticket.get_status_display() == str(label)


def test_a_value_without_a_label_reads_as_itself():
    assert Ticket(status="archivada").get_status_display() == "archivada"
    assert Ticket(priority="").get_priority_display() == ""
