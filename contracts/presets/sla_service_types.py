"""Seed 000 (hosting provider, GMT-3): four SLA service types with their hours and channels.

Readings:
- Support comes with the hosting service; the document sells no hours or credits:
  `support_model=included` (no credit gate, nothing charged in credits).
- "Horario comercial: de 10 a 17 horas (-3 GMT) de Lunes a viernes": Monday to Friday
  10:00-17:00 in America/Argentina/Buenos_Aires (GMT-3 all year), Argentine holidays.
- "El Análisis y devolución de una respuesta estará garantizada en 2 horas posteriores al
  reporte": a 2-hour first response for every priority, with no resolution target (the
  answer may be a tutorial, a referral or a quote).
- SLA 1 (asesoramiento) and SLA 4 (diseño web, software): "dentro del horario que
  establece SLA1", "NO brindamos respuestas a SLA4 fuera del horario comercial": the 2 hours
  count in business hours. Channels: chat, email, ticket (portal) and phone.
- SLA 2 (mantenimiento) and SLA 3 (reporte de errores): "Las 24 horas ... Exclusivamente
  mediante PaneldeCliente.com": the 2 hours count 24x7, through the portal only.
- One customer has all four: a single plan, `altomarketing-hosting`, whose contract covers
  the four service types. Each type names its policy (SLA 1 and 4: business hours; SLA 2
  and 3: around the clock) and SLA 2 and 3 take only the portal (and the API, the portal by
  other means); the plan's channels are SLA 1's. Intake measures a request on its type's
  policy; an agent who finds that a "maintenance" report is a usage question reclassifies
  it to SLA 1 and the clock moves to business hours ("con el tutorial correspondiente").
- Default impact by type: advice and web work low, maintenance medium, error reports high.
- "NO brindamos respuestas a SLA4 fuera del horario comercial": SLA 4 is answered only in
  business hours; an agent answering it outside them is warned on the ticket page, unless
  the contract admits answers outside hours (`tickets.clocks.answer_out_of_hours`).
"""

from datetime import timedelta

from contracts.models import Channel, Plan
from contracts.presets import category_upsert, plan_upsert, service_upsert
from sla.calendars import Calendar
from sla.choices import Impact, Priority
from sla.services import TargetSpec, calendar_publish, policy_publish

CALENDAR_SLUG = "altomarketing-comercial"
PLAN_CODE = "altomarketing-hosting"
TWO_HOURS = timedelta(hours=2)


def load() -> None:
    calendar = calendar_publish(
        slug=CALENDAR_SLUG,
        name="Horario comercial lunes a viernes 10:00-17:00 (GMT-3)",
        calendar=Calendar.build(
            "America/Argentina/Buenos_Aires",
            {day: [("10:00", "17:00")] for day in range(5)},
            country="AR",
        ),
    ).calendar
    priorities = [Priority.P1, Priority.P2, Priority.P3, Priority.P4]
    business = policy_publish(
        slug="altomarketing-sla-comercial",
        name="SLA 1 y 4: respuesta en 2 horas hábiles",
        calendar=calendar,
        targets={p: TargetSpec(TWO_HOURS, None) for p in priorities},
    ).policy
    always = policy_publish(
        slug="altomarketing-sla-24h",
        name="SLA 2 y 3: respuesta en 2 horas, 24 horas",
        calendar=calendar,
        targets={p: TargetSpec(TWO_HOURS, None, always=True) for p in priorities},
    ).policy
    plan_upsert(
        code=PLAN_CODE,
        currency="ARS",
        name="Hosting con soporte SLA 1 a 4",
        allowed_channels=[Channel.CHAT, Channel.EMAIL, Channel.PORTAL, Channel.API, Channel.PHONE],
        sla_policy=business,
        support_model=Plan.SupportModel.INCLUDED,
    )
    portal_only = [Channel.PORTAL, Channel.API]
    for code, name, description, impact, policy, channels in (
        (
            "sla1-asesoramiento",
            "SLA 1: Asesoramiento",
            "Consultas de uso del hosting y del correo; en horario comercial.",
            Impact.LOW,
            business,
            [],
        ),
        (
            "sla2-mantenimiento",
            "SLA 2: Mantenimiento preventivo",
            "Tareas de mantenimiento del servicio; las 24 horas, solo por el panel de cliente.",
            Impact.MEDIUM,
            always,
            portal_only,
        ),
        (
            "sla3-errores",
            "SLA 3: Reporte de errores",
            "Algo dejó de funcionar; las 24 horas, solo por el panel de cliente.",
            Impact.HIGH,
            always,
            portal_only,
        ),
        (
            "sla4-diseno-software",
            "SLA 4: Diseño web, software y relacionados",
            "Cambios en su sitio o aplicación; en horario comercial.",
            Impact.LOW,
            business,
            [],
        ),
    ):
        only_in_hours = code == "sla4-diseno-software"
        service_upsert(
            code=code,
            name=name,
            description=description,
            category=category_upsert(code=code, name=name, default_impact=impact),
            sla_policy=policy,
            allowed_channels=channels,
            answers_in_business_hours_only=only_in_hours,
        )
