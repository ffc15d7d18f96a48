"""Seed 003 (SmartCloud Solutions, Venezuela): dedicated support paid with credits.

Readings:
- Credits: "como mínimo dos (2) unidades de crédito" -> 2 available credits to accept;
  "mínimo facturable ... una (1) unidad" -> 1; "fracción de tiempo adicional menor a una
  (1) hora es facturable por una (1) unidad" -> 60-minute increments rounded up.
- Priorities 1-4 and "Prioridad convenida" (no targets: Priority.PLANNED).
- "Resolución: 24 horas, Atención: 4 horas" etc. do not say "hábiles" (other providers'
  documents do when they mean it): clock hours, measured 24x7. "Prioridad 3 y 4" share
  72 h / 48 h.
- The calendar (needed for the policy and for reports) is Caracas business hours, Monday
  to Friday 08:00-17:00 with Venezuelan holidays; the targets above do not use it.
- "Abandono de solicitudes ... no ha respondido a dos (2) intentos": two unanswered
  information requests abandon the case; the time to answer one is not stated: two
  business days on the Caracas calendar (a Friday request runs out on Tuesday, not Sunday).
- Channels: the portal, authorized email, and "contacto directo con algún asesor" (staff
  opening on the customer's behalf). Work is remote; on-site surcharges are "a convenir"
  and stay at zero until agreed.
"""

from datetime import timedelta

from contracts.models import Channel, Plan
from contracts.presets import plan_upsert
from sla.calendars import Calendar
from sla.choices import Priority
from sla.services import TargetSpec, calendar_publish, policy_publish

H = timedelta(hours=1)
TARGETS = {
    Priority.P1: TargetSpec(4 * H, 24 * H, always=True),
    Priority.P2: TargetSpec(24 * H, 48 * H, always=True),
    Priority.P3: TargetSpec(48 * H, 72 * H, always=True),
    Priority.P4: TargetSpec(48 * H, 72 * H, always=True),
}


def load() -> None:
    calendar = calendar_publish(
        slug="smartcloud-caracas",
        name="SmartCloud, lunes a viernes 08:00-17:00 (Caracas)",
        calendar=Calendar.build(
            "America/Caracas", {day: [("08:00", "17:00")] for day in range(5)}, country="VE"
        ),
    ).calendar
    policy = policy_publish(
        slug="smartcloud-dedicado",
        name="SmartCloud: soporte dedicado",
        calendar=calendar,
        targets=TARGETS,
    ).policy
    plan_upsert(
        code="smartcloud-dedicado",
        currency="USD",
        name="Soporte dedicado con créditos",
        allowed_channels=[Channel.PORTAL, Channel.API, Channel.EMAIL, Channel.STAFF],
        min_available_credits=2,
        min_billable_credits=1,
        billing_increment_minutes=60,
        rounding=Plan.Rounding.UP,
        sla_policy=policy,
        answer_days=2,
        unanswered_limit=2,
        answer_calendar=calendar,
    )
