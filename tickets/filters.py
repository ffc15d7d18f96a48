import django_filters

from core.instants import InstantFilter
from tickets.models import IntakeAttempt, Ticket


class TicketFilter(django_filters.FilterSet):
    opened_after = InstantFilter(field_name="opened_at", lookup_expr="gte")
    opened_before = InstantFilter(field_name="opened_at", lookup_expr="lt")

    class Meta:
        model = Ticket
        fields = ["status", "priority", "customer", "assignee", "channel", "resolution_level"]


class IntakeAttemptFilter(django_filters.FilterSet):
    after = InstantFilter(field_name="created_at", lookup_expr="gte")
    before = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = IntakeAttempt
        fields = ["customer", "reason", "channel"]
