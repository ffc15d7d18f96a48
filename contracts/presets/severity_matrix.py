"""Seed 001 (TecnoLinux, Colombia): severity from impact x urgency, response/solution table.

Readings:
- Support is part of the membership ("clientes formales en alguno de nuestros planes de
  membresia"): `support_model=included`; free members are refused (`free_membership`).
- Business hours "Lunes a Viernes de 8:00 AM a 16:30 PM. Aplica a GMT-5": America/Bogota,
  Monday to Friday 08:00-16:30, Colombian holidays (the provider is in Colombia).
- "Horario especial: 7x24, fuera del horario establecido": the Critical row is measured
  24x7; the other rows in business hours.
- Critical "Inmediata / Inmediata": a literal zero would breach every ticket before anyone
  can read it, so "inmediata" reads as 15 minutes to start the analysis and, for the
  solution, the High row's 4 hours (a critical case never gets longer than a high one).
- "1 horas / 4 horas", "2 horas / 4 horas", "4 horas / 8 horas": business hours.
- "Planificado": no time targets (Priority.PLANNED).
- "La severidad ... se establece en función a la urgencia y el impacto" without a table:
  the default ITIL matrix of `sla.services.DEFAULT_PRIORITY_MATRIX`.
- Channels: written channels only ("debe existir un requerimiento expresado en forma
  escrita"): email, WhatsApp, portal; the phone and Skype are for assistance, not intake.
- Credit rules are not in this document: the plan keeps the house defaults.
- "Disponibilidad para brindar información crítica dentro de las 8 horas de recibido un
  requerimiento por información": 8 working hours on the TecnoLinux calendar (the same
  document counts the level 3 threshold in "horas laborales"; a night does not count),
  then the request is chased; the number of unanswered requests before abandoning is not
  stated: the house default.
- Resolution levels ("Resolución en primer/segundo/tercer nivel"): level 1 solves it on the
  first contact or calls back with the solution "en las dos primeras horas desde su
  manifestación por escrito" (2 working hours); level 2 "durante las primeras cuatro horas
  de manifestado el incidente" (4 working hours, remote access or on site); level 3 takes
  "mas de 8 horas laborales" with a vendor, the manufacturer or the committee of experts:
  no time of its own, and escalating to it names who works it. All are counted on the
  resolution clock, from when the request was made in writing.
- The document has no ladder; the one here is what its levels imply: when a level's time
  runs out the ticket goes up a level (to level 3 a person must name the vendor or
  committee, so the ladder tells the assignee and account manager instead), and a critical
  or high case that has used half its solution time is announced to them.
"""

from datetime import timedelta

from contracts.models import Channel, Plan
from contracts.presets import plan_upsert
from sla.calendars import Calendar
from sla.choices import Priority
from sla.models import EscalationStep
from sla.services import (
    LevelSpec,
    StepSpec,
    TargetSpec,
    calendar_publish,
    policy_publish,
)

CALENDAR_SLUG = "tecnolinux-bogota"
POLICY_SLUG = "tecnolinux-severidad"

TARGETS = {
    Priority.P1: TargetSpec(timedelta(minutes=15), timedelta(hours=4), always=True),
    Priority.P2: TargetSpec(timedelta(hours=1), timedelta(hours=4)),
    Priority.P3: TargetSpec(timedelta(hours=2), timedelta(hours=4)),
    Priority.P4: TargetSpec(timedelta(hours=4), timedelta(hours=8)),
}

LEVELS = (
    LevelSpec(1, "Primer nivel: primer contacto o llamada con la solución", timedelta(hours=2)),
    LevelSpec(2, "Segundo nivel: acceso remoto o visita en sitio", timedelta(hours=4)),
    LevelSpec(3, "Tercer nivel: proveedor, fabricante o comité", None, needs_referral=True),
)
LADDER = (
    StepSpec(EscalationStep.Measure.LEVEL, 100, EscalationStep.Action.RAISE_LEVEL),
    StepSpec(
        EscalationStep.Measure.RESOLUTION,
        50,
        EscalationStep.Action.NOTIFY,
        priorities=(Priority.P1, Priority.P2),
    ),
)


def load() -> None:
    calendar = calendar_publish(
        slug=CALENDAR_SLUG,
        name="TecnoLinux, lunes a viernes 08:00-16:30 (Bogotá)",
        calendar=Calendar.build(
            "America/Bogota", {day: [("08:00", "16:30")] for day in range(5)}, country="CO"
        ),
    ).calendar
    policy = policy_publish(
        slug=POLICY_SLUG,
        name="TecnoLinux: severidad",
        calendar=calendar,
        targets=TARGETS,
        levels=LEVELS,
        ladder=LADDER,
    ).policy
    plan_upsert(
        code="tecnolinux-membresia",
        currency="COP",
        name="TecnoLinux: membresía con soporte",
        allowed_channels=[Channel.EMAIL, Channel.WHATSAPP, Channel.PORTAL, Channel.API],
        sla_policy=policy,
        support_model=Plan.SupportModel.INCLUDED,
        answer_hours=8,
        answer_calendar=calendar,
    )
