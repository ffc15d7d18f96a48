"""Seed 002 (hosting provider, Colombia): support tiers Nivel 1, 2 and 3 by impact.

Readings:
- "Soporte Nivel 1 (Incluido en todos los servicios)", Nivel 2 "Incluido en algunos
  servicios", Nivel 3 a monthly fee: support is included in every tier
  (`support_model=included`); Nivel 3's fee is invoiced monthly, no credits are sold.
- "Horario hábil" is not stated: Monday to Friday 08:00-18:00 America/Bogota with
  Colombian holidays (prices are in COP).
- Targets are response times by impact; no resolution targets are given.
- A range ("3 a 5 horas hábiles") commits to its upper bound: 5 business hours.
- "Hasta 1 hora" and "Menos de 1 hora" do not say "hábiles": 1 hour counted 24x7 (for
  Nivel 3 the document adds "atención 24/7 vía ticket").
- Impact decides: high impact -> P1 when also urgent, else P2, both with the high-impact
  target; medium -> P3; low -> P4, whatever the urgency (the policy's own matrix).
- Nivel 1: "tickets o email únicamente", phone only "con un número de caso": portal and
  email, phone allowed only with an existing ticket number.
- Nivel 3: "$COP 120.900 +IVA x MES": a taxable monthly fee of COP 120,900.
- Channel hours: Nivel 2 "chat y teléfono en horario hábil"; Nivel 3 "email, chat o
  teléfono (Horario hábil) y atención 24/7 vía ticket": chat and phone (a conversation
  with someone) refuse outside the business calendar, saying when they open and which
  channels are open now. An e-mail is written, so it is taken at any hour and answered on
  the policy's clock rather than bounced.
- Case types: each of the policy's 15 examples ("Tipos de Casos") becomes a service type (in
  a category of its own) with its default impact (outage -> high, firewall IP block ->
  medium, password reset -> low, ...), which intake applies when the customer gives no
  impact; all take the tier's policy and channels. A payment report (for an activation, a
  renewal or a reactivation) is a request like the others: intake still refuses an
  insolvent customer (DESIGN, main flow 3), who reports the transfer with its proof on the
  portal (`/portal/transfers/`) instead; finance's confirmation lifts the suspension.
"""

from datetime import timedelta

from contracts.models import Channel, Plan
from contracts.presets import category_upsert, plan_upsert, service_upsert
from sla.calendars import Calendar
from sla.choices import Impact, Priority, Urgency
from sla.services import TargetSpec, calendar_publish, policy_publish

CALENDAR_SLUG = "hosting-co-habil"
HOUR = timedelta(hours=1)

MATRIX = {
    (impact, urgency): priority
    for urgency in Urgency.values
    for impact, priority in (
        (Impact.HIGH, Priority.P1 if urgency == Urgency.HIGH else Priority.P2),
        (Impact.MEDIUM, Priority.P3),
        (Impact.LOW, Priority.P4),
    )
}


def _targets(high: TargetSpec, medium: TargetSpec, low: TargetSpec) -> dict:
    return {Priority.P1: high, Priority.P2: high, Priority.P3: medium, Priority.P4: low}


TIERS = {
    "soporte-nivel-1": (
        "Soporte Nivel 1",
        _targets(
            TargetSpec(HOUR, None, always=True),
            TargetSpec(5 * HOUR, None),
            TargetSpec(6 * HOUR, None),
        ),
        {
            "allowed_channels": [Channel.PORTAL, Channel.API, Channel.EMAIL, Channel.PHONE],
            "phone_requires_ticket_number": True,
        },
    ),
    "soporte-nivel-2": (
        "Soporte Nivel 2",
        _targets(
            TargetSpec(HOUR, None, always=True),
            TargetSpec(3 * HOUR, None),
            TargetSpec(4 * HOUR, None),
        ),
        {
            "allowed_channels": [
                Channel.CHAT,
                Channel.PORTAL,
                Channel.API,
                Channel.EMAIL,
                Channel.PHONE,
            ],
            "business_hours_channels": [Channel.CHAT, Channel.PHONE],
        },
    ),
    "soporte-nivel-3": (
        "Soporte Nivel 3 (Premium)",
        _targets(*[TargetSpec(HOUR, None, always=True)] * 3),
        {
            "allowed_channels": [
                Channel.EMAIL,
                Channel.CHAT,
                Channel.PHONE,
                Channel.PORTAL,
                Channel.API,
            ],
            "business_hours_channels": [Channel.CHAT, Channel.PHONE],
            "monthly_fee": "120900",
            "monthly_fee_taxable": True,
        },
    ),
}

CASE_TYPES = (
    ("caida-servicio", "Caída del servicio o servidor", Impact.HIGH),
    ("servicio-intermitente", "Servicio no funcional o intermitencia prolongada", Impact.HIGH),
    ("ataque-tercero", "Ataque de un tercero", Impact.HIGH),
    ("pago-activacion", "Reporte de pago para activación de nuevo servicio", Impact.HIGH),
    ("bloqueo-ip-firewall", "Bloqueo de IP en el firewall", Impact.MEDIUM),
    ("reactivacion-suspension", "Reactivación de servicio por suspensión de pago", Impact.MEDIUM),
    ("perdida-datos", "Pérdida involuntaria de información o datos", Impact.MEDIUM),
    ("restauracion-backups", "Restauración de backups", Impact.MEDIUM),
    ("errores-programacion", "Errores de programación o bases de datos", Impact.MEDIUM),
    ("errores-licenciamiento", "Errores de licenciamiento", Impact.MEDIUM),
    ("configuracion-dns", "Configuraciones de DNS", Impact.MEDIUM),
    (
        "cambio-contrasena",
        "Restablecimiento o cambio de contraseñas o acceso a paneles de control",
        Impact.LOW,
    ),
    ("pago-renovacion", "Reporte de pago para renovación", Impact.LOW),
    ("informes-logs", "Solicitud de informes o logs", Impact.LOW),
    ("guia-de-uso", "Instrucciones o guía de uso", Impact.LOW),
)


def load() -> None:
    calendar = calendar_publish(
        slug=CALENDAR_SLUG,
        name="Horario hábil lunes a viernes 08:00-18:00 (Bogotá)",
        calendar=Calendar.build(
            "America/Bogota", {day: [("08:00", "18:00")] for day in range(5)}, country="CO"
        ),
    ).calendar
    for code, (name, targets, plan_fields) in TIERS.items():
        policy = policy_publish(
            slug=code, name=name, calendar=calendar, targets=targets, matrix=MATRIX
        ).policy
        plan_upsert(
            code=code,
            currency="COP",
            name=name,
            sla_policy=policy,
            support_model=Plan.SupportModel.INCLUDED,
            **plan_fields,
        )
    for code, name, impact in CASE_TYPES:
        category = category_upsert(code=code, name=name, default_impact=impact)
        service_upsert(code=code, name=name, category=category)
