"""SLA refusals: each has a stable `code`, a Spanish and English message and, where it
comes from one input, the `field` to attach it to."""

from core.errors import CreditdeskError


class SlaError(CreditdeskError):
    code = "sla_error"
    message_es = "La operación de SLA no es válida."
    message_en = "The SLA operation is not valid."


class NaiveDatetime(SlaError):
    code = "naive_datetime"
    message_es = "La fecha y hora {value} no indica zona horaria."
    message_en = "The date and time {value} has no time zone."


class NegativeDuration(SlaError):
    code = "negative_duration"
    message_es = "La duración {value} es negativa."
    message_en = "The duration {value} is negative."


class UnknownTimeZone(SlaError):
    code = "unknown_time_zone"
    message_es = "La zona horaria «{value}» no existe (use un nombre IANA, p. ej. America/Bogota)."
    message_en = "The time zone '{value}' does not exist (use an IANA name, e.g. America/Bogota)."


class UnknownCountry(SlaError):
    code = "unknown_country"
    message_es = "No hay calendario de festivos para el país «{value}»."
    message_en = "There is no holiday calendar for country '{value}'."


class UnknownSubdivision(SlaError):
    code = "unknown_subdivision"
    message_es = "El país {country} no tiene la subdivisión «{value}»."
    message_en = "Country {country} has no subdivision '{value}'."


class DurationPastCalendar(SlaError):
    code = "duration_past_calendar"
    message_es = "La duración {value} termina fuera de lo que mide un calendario (años 3 a 9989)."
    message_en = "The duration {value} ends outside what a calendar measures (years 3 to 9989)."


class MomentOutsideCalendar(SlaError):
    code = "moment_outside_calendar"
    message_es = "El momento {value} queda fuera de lo que mide un calendario (años 3 a 9989)."
    message_en = "The moment {value} is outside what a calendar measures (years 3 to 9989)."


class CalendarWithoutWorkingTime(SlaError):
    code = "calendar_without_working_time"
    message_es = "El calendario no tiene horario hábil: agregue un intervalo o márquelo 24x7."
    message_en = "The calendar has no working time: add an interval or mark it 24x7."


class InvalidWeekday(SlaError):
    code = "invalid_weekday"
    message_es = "El día de la semana {value} no es válido (0 = lunes ... 6 = domingo)."
    message_en = "Weekday {value} is not valid (0 = Monday ... 6 = Sunday)."


class OverlappingIntervals(SlaError):
    code = "overlapping_intervals"
    message_es = "Los intervalos {first} y {second} se superponen."
    message_en = "Intervals {first} and {second} overlap."


class ConflictingCalendarDates(SlaError):
    code = "conflicting_calendar_dates"
    message_es = "El {value} figura a la vez como cerrado y como día hábil extra."
    message_en = "{value} is listed both as closed and as an extra working day."


class OverrideWithoutReason(SlaError):
    code = "priority_override_without_reason"
    message_es = "Para cambiar la prioridad calculada indique el motivo."
    message_en = "Give a reason to override the computed priority."


class MissingPriorityTarget(SlaError):
    code = "missing_priority_target"
    message_es = "La política {policy} no define la prioridad {priority}."
    message_en = "Policy {policy} does not define priority {priority}."


class ClockTransitionNotAllowed(SlaError):
    code = "clock_transition_not_allowed"
    message_es = "El reloj {clock} no admite «{action}» en su estado actual ({state})."
    message_en = "Clock {clock} does not allow '{action}' in its current state ({state})."


class ClockTimeGoesBack(SlaError):
    code = "clock_time_goes_back"
    message_es = "El evento ({at}) es anterior al último registrado en el reloj ({last})."
    message_en = "The event ({at}) is earlier than the clock's last event ({last})."
