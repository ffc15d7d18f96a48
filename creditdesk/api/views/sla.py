"""Calendars and SLA policies, read only (authored in the admin)."""

from creditdesk.api.serializers.sla import CalendarSerializer, SlaPolicySerializer
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import ALL
from sla.selectors import calendars_with_versions, policies_with_versions

READ = {"list": ALL, "retrieve": ALL}


class CalendarViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Business calendars as they count now: weekly hours, holidays' country, dated
    closures and extra openings."""

    serializer_class = CalendarSerializer
    roles = READ
    filter_backends: list = []

    def get_queryset(self):
        return calendars_with_versions()


class SlaPolicyViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """SLA policies as they apply now: targets per priority and the impact x urgency matrix.
    A service type (`/services/`) or a plan (`/plans/`) names its policy."""

    serializer_class = SlaPolicySerializer
    roles = READ
    filter_backends: list = []

    def get_queryset(self):
        return policies_with_versions()
