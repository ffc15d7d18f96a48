"""Seed 004 (the seed-000 provider): product activation lead times, stored as data.

`sla.ActivationLeadTime` keeps the commitments: the `activations` app's catalogue, editable by
staff, which each purchase copies onto its activation (`activations.services`).
Readings:
- "Activación Instantánea ... demora máxima de 2 minutos una vez acreditado el pago":
  `minutes_max=2`, counted from the payment, on any day.
- "Activación Manual de Productos - en días hábiles ... desde que los requisitos
  necesarios están cumplidos": business days of the seed-000 calendar (Monday to Friday,
  GMT-3, Argentine holidays), counted from when the prerequisite is met.
- Ranges ("15 a 40 días") keep both bounds; the upper bound is the commitment.
- "24 a 48 horas" for resellers, in a list of business days: 1 to 2 business days.
- Items without a time ("Paginas Web Específicas", "Desarrollo de Apps" headings) and
  "Si su producto ... no está listado aquí, consulte" are not commitments: not stored.
- "Los tickets si son de consultas tienen una demora promedio de 1 a 3 horas hábiles" is
  an average, not a promise: no SLA target comes from it.
"""

from sla.calendars import Calendar
from sla.models import ActivationLeadTime
from sla.services import calendar_publish

PRESET = "activation-times"
PAYMENT = "pago acreditado"
DOMAIN = "dominio activo y delegado"
READY = "requisitos listos para comenzar"

INSTANT = (
    "Hosting",
    "Constructor Web",
    "Audio Radio Streaming",
    "Registro de dominios internacionales",
)
MANUAL = (
    # product, min days, max days, prerequisite
    ("Paquetes Revendedor o Reseller", 1, 2, PAYMENT),
    ("Simplenews", 2, 2, DOMAIN),
    ("Portal Noticioso", 3, 3, DOMAIN),
    ("Noticioso PLUS", 4, 4, DOMAIN),
    ("VideoStreaming", 1, 1, PAYMENT),
    ("APP de Audio Streaming Android", 15, 40, READY),
    ("APP de Audio Streaming iPhone", 40, 40, READY),
    ("App de VideoStreaming Android", 40, 50, READY),
    ("Desarrollo de Locuciones personalizadas", 5, 7, "textos escritos y confirmados en el ticket"),
    (
        "Productos a medida (diseño autoadministrable, tiendas, ecommerce)",
        10,
        15,
        "toda la información necesaria",
    ),
)


def load() -> None:
    calendar = calendar_publish(
        slug="altomarketing-comercial",
        name="Horario comercial lunes a viernes 10:00-17:00 (GMT-3)",
        calendar=Calendar.build(
            "America/Argentina/Buenos_Aires",
            {day: [("10:00", "17:00")] for day in range(5)},
            country="AR",
        ),
    ).calendar
    for product in INSTANT:
        _upsert(product, minutes_max=2, prerequisite=PAYMENT, calendar=None)
    for product, low, high, prerequisite in MANUAL:
        _upsert(
            product,
            business_days_min=low,
            business_days_max=high,
            prerequisite=prerequisite,
            calendar=calendar,
        )


def _upsert(product: str, **fields) -> None:
    row = ActivationLeadTime.objects.filter(preset=PRESET, product=product).first()
    row = row or ActivationLeadTime(preset=PRESET, product=product)
    for name, value in fields.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
