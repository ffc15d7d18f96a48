"""Read-only views of business calendars and SLA policies (their current versions), so an
integrator can show why a ticket is due when it is."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "08:30"})
class WallTimeField(serializers.TimeField):
    """A wall-clock time in the calendar's own zone, "HH:MM" (no offset: it is local)."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class WorkingIntervalSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday ... 6 = Sunday")
    starts_at = WallTimeField()
    ends_at = WallTimeField(help_text="At or before starts_at: closes the next day.")


class CalendarDateSerializer(serializers.Serializer):
    on = serializers.DateField()
    kind = serializers.CharField(help_text="closed (an added holiday) or open (extra hours)")
    starts_at = WallTimeField(allow_null=True)
    ends_at = WallTimeField(allow_null=True)
    name = serializers.CharField()


class CurrentVersionSerializer(serializers.Serializer):
    """Shows a calendar or policy through its current version (`sla.selectors`' prefetch)."""

    def to_representation(self, instance):
        instance.current = instance.versions_newest_first[0]
        return super().to_representation(instance)


class CalendarSerializer(CurrentVersionSerializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField(source="current.number")
    time_zone = serializers.CharField(source="current.time_zone")
    always_open = serializers.BooleanField(source="current.always_open")
    holiday_country = serializers.CharField(
        source="current.holiday_country", help_text="Public holidays of this country close it."
    )
    holiday_subdivision = serializers.CharField(source="current.holiday_subdivision")
    weekly_hours = WorkingIntervalSerializer(source="current.intervals.all", many=True)
    dates = CalendarDateSerializer(source="current.dates.all", many=True)


class TargetSerializer(serializers.Serializer):
    priority = serializers.CharField()
    first_response_seconds = serializers.SerializerMethodField()
    resolution_seconds = serializers.SerializerMethodField()
    measure = serializers.CharField(help_text="business (the calendar's hours) or always (24x7)")

    def get_first_response_seconds(self, target) -> int | None:
        return int(target.first_response.total_seconds()) if target.first_response else None

    def get_resolution_seconds(self, target) -> int | None:
        return int(target.resolution.total_seconds()) if target.resolution else None


class MatrixCellSerializer(serializers.Serializer):
    impact = serializers.CharField()
    urgency = serializers.CharField()
    priority = serializers.CharField()


class SlaPolicySerializer(CurrentVersionSerializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    version = serializers.IntegerField(source="current.number")
    calendar = serializers.CharField(source="current.calendar.slug")
    warning_percent = serializers.IntegerField(source="current.warning_percent")
    targets = TargetSerializer(source="current.targets.all", many=True)
    priority_matrix = MatrixCellSerializer(source="current.matrix.all", many=True)
