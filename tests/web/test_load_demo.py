"""load_demo: demo customers on each preset with three months of history, idempotent."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.http import HttpRequest

from billing.models import Invoice
from contracts.models import ContractStatusChange, Customer
from credits.selectors import ledger_verify
from sla.models import SlaClock
from tickets.models import IntakeAttempt, Ticket


@pytest.mark.django_db
def test_load_demo_builds_three_months_of_history_once():
    out = StringIO()
    call_command("load_demo", stdout=out)
    plans = set(Customer.objects.values_list("contracts__plan__code", flat=True))
    assert len(plans) == 4
    states = Counter(Ticket.objects.values_list("status", flat=True))
    assert set(states) == set(Ticket.Status.values) - {Ticket.Status.NEW, Ticket.Status.REOPENED}
    assert SlaClock.objects.filter(state=SlaClock.State.BREACHED).exists()
    assert Invoice.objects.filter(status=Invoice.Status.PAID).exists()
    assert IntakeAttempt.objects.filter(reason="insufficient_credits").exists()
    oldest = Ticket.objects.order_by("opened_at").first().opened_at
    newest = Ticket.objects.order_by("opened_at").last().opened_at
    assert (newest - oldest).days >= 85
    # Each customer signed up when its history begins, not on the day the demo was loaded.
    for customer in Customer.objects.all():
        (activation,) = ContractStatusChange.objects.filter(contract__customer=customer)
        first = customer.tickets.order_by("opened_at").first()
        assert activation.to_status == "active"
        assert activation.at <= first.opened_at
        assert customer.created_at <= first.opened_at
        assert customer.contracts.get().starts_on <= activation.at.date()
    assert ledger_verify().ok
    assert (
        authenticate(HttpRequest(), username="demo-andino", password="demo-creditdesk") is not None
    )
    assert "demo-agente" in out.getvalue()
    # a second run changes nothing
    counts = (Ticket.objects.count(), Invoice.objects.count(), IntakeAttempt.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert counts == (
        Ticket.objects.count(),
        Invoice.objects.count(),
        IntakeAttempt.objects.count(),
    )
