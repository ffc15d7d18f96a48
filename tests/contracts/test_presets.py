"""Presets from the seed documents: idempotent, and their targets on concrete tickets."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from contracts.models import Plan, Service, ServiceCategory
from sla.choices import Impact, Priority, Urgency
from sla.models import ActivationLeadTime, CalendarVersion, SlaClock, SlaPolicyVersion
from sla.selectors import policy_current_version
from sla.services import clocks_start, priority_decide

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


@pytest.fixture
def presets():
    call_command("load_presets", stdout=io.StringIO())


def open_on(plan_code: str, priority: str, started_at: datetime, service: str = ""):
    plan = Plan.objects.get(code=plan_code)
    policy = Service.objects.get(code=service).sla_policy if service else plan.sla_policy
    return clocks_start(
        subject=f"ticket:{plan_code}:{service}:{started_at.isoformat()}",
        policy=policy,
        priority=priority,
        started_at=started_at,
    )


def test_loading_twice_changes_nothing(presets):
    counts = (
        Plan.objects.count(),
        CalendarVersion.objects.count(),
        SlaPolicyVersion.objects.count(),
        ServiceCategory.objects.count(),
        Service.objects.count(),
        ActivationLeadTime.objects.count(),
    )

    call_command("load_presets", stdout=io.StringIO())

    assert counts == (
        Plan.objects.count(),
        CalendarVersion.objects.count(),
        SlaPolicyVersion.objects.count(),
        ServiceCategory.objects.count(),
        Service.objects.count(),
        ActivationLeadTime.objects.count(),
    )
    assert counts[0] == 6


def test_loading_one_preset_by_name():
    out = io.StringIO()

    call_command("load_presets", "severity-matrix", stdout=out)

    assert out.getvalue().strip() == "preset severity-matrix: loaded"
    assert list(Plan.objects.values_list("code", flat=True)) == ["tecnolinux-membresia"]


def test_an_unknown_preset_is_refused():
    with pytest.raises(CommandError):
        call_command("load_presets", "no-such-seed", stdout=io.StringIO())


# Seed 001 -------------------------------------------------------------------------------------


def test_seed_001_low_ticket_on_friday_afternoon_is_answered_monday_morning(presets):
    pair = open_on("tecnolinux-membresia", Priority.P4, datetime(2026, 1, 16, 15, tzinfo=BOGOTA))

    # 1 h 30 on Friday until 16:30, 2 h 30 on Monday from 08:00
    assert pair.response.due_at == datetime(2026, 1, 19, 10, 30, tzinfo=BOGOTA)
    assert pair.resolution.due_at == datetime(2026, 1, 19, 14, 30, tzinfo=BOGOTA)


def test_seed_001_skips_a_colombian_holiday(presets):
    # Monday 12 January 2026 is Reyes Magos
    pair = open_on("tecnolinux-membresia", Priority.P4, datetime(2026, 1, 9, 15, tzinfo=BOGOTA))

    assert pair.response.due_at == datetime(2026, 1, 13, 10, 30, tzinfo=BOGOTA)


def test_seed_001_critical_is_measured_around_the_clock(presets):
    pair = open_on("tecnolinux-membresia", Priority.P1, datetime(2026, 1, 17, 22, tzinfo=BOGOTA))

    assert pair.response.due_at == datetime(2026, 1, 17, 22, 15, tzinfo=BOGOTA)
    assert pair.resolution.due_at == datetime(2026, 1, 18, 2, tzinfo=BOGOTA)


def test_seed_001_planned_has_no_clocks(presets):
    pair = open_on(
        "tecnolinux-membresia", Priority.PLANNED, datetime(2026, 1, 16, 15, tzinfo=BOGOTA)
    )

    assert (pair.response, pair.resolution) == (None, None)


def test_seed_001_severity_comes_from_impact_and_urgency(presets):
    version = policy_current_version(Plan.objects.get(code="tecnolinux-membresia").sla_policy)

    decision = priority_decide(policy_version=version, impact=Impact.HIGH, urgency=Urgency.HIGH)

    assert decision.priority == Priority.P1


# Seed 002 -------------------------------------------------------------------------------------


def test_seed_002_medium_impact_on_nivel_1_takes_the_upper_bound_in_business_hours(presets):
    plan = Plan.objects.get(code="soporte-nivel-1")
    version = policy_current_version(plan.sla_policy)
    priority = priority_decide(
        policy_version=version, impact=Impact.MEDIUM, urgency=Urgency.HIGH
    ).priority
    assert priority == Priority.P3

    pair = open_on("soporte-nivel-1", priority, datetime(2026, 1, 16, 15, tzinfo=BOGOTA))

    # "3 a 5 horas hábiles": 3 h on Friday until 18:00, 2 h on Monday
    assert pair.response.due_at == datetime(2026, 1, 19, 10, tzinfo=BOGOTA)
    assert pair.resolution is None
    assert plan.phone_requires_ticket_number


def test_seed_002_high_impact_is_one_hour_around_the_clock(presets):
    version = policy_current_version(Plan.objects.get(code="soporte-nivel-2").sla_policy)
    priority = priority_decide(
        policy_version=version, impact=Impact.HIGH, urgency=Urgency.LOW
    ).priority

    pair = open_on("soporte-nivel-2", priority, datetime(2026, 1, 17, 20, tzinfo=BOGOTA))

    assert priority == Priority.P2
    assert pair.response.due_at == datetime(2026, 1, 17, 21, tzinfo=BOGOTA)


def test_seed_002_premium_tier_price_and_case_types(presets):
    premium = Plan.objects.get(code="soporte-nivel-3")

    assert str(premium.monthly_fee.amount) == "120900.00"
    assert premium.monthly_fee_taxable
    assert ServiceCategory.objects.get(code="caida-servicio").default_impact == Impact.HIGH
    assert ServiceCategory.objects.get(code="bloqueo-ip-firewall").default_impact == Impact.MEDIUM
    assert ServiceCategory.objects.get(code="cambio-contrasena").default_impact == Impact.LOW


def test_seed_002_every_case_type_of_the_policy_with_its_impact(presets):
    """ "Tipos de Casos" names 15 examples under three impacts; each is a service type."""
    by_impact = {
        Impact.HIGH: {
            "Caída del servicio o servidor",
            "Servicio no funcional o intermitencia prolongada",
            "Ataque de un tercero",
            "Reporte de pago para activación de nuevo servicio",
        },
        Impact.MEDIUM: {
            "Bloqueo de IP en el firewall",
            "Reactivación de servicio por suspensión de pago",
            "Pérdida involuntaria de información o datos",
            "Restauración de backups",
            "Errores de programación o bases de datos",
            "Errores de licenciamiento",
            "Configuraciones de DNS",
        },
        Impact.LOW: {
            "Restablecimiento o cambio de contraseñas o acceso a paneles de control",
            "Reporte de pago para renovación",
            "Solicitud de informes o logs",
            "Instrucciones o guía de uso",
        },
    }
    for impact, names in by_impact.items():
        services = Service.objects.filter(name__in=names, category__default_impact=impact)
        assert set(services.values_list("name", flat=True)) == names


# Seed 000 -------------------------------------------------------------------------------------


def test_seed_000_advice_is_answered_within_two_business_hours(presets):
    pair = open_on(
        "altomarketing-hosting",
        Priority.P3,
        datetime(2026, 3, 6, 16, tzinfo=BUENOS_AIRES),
        service="sla1-asesoramiento",
    )

    # 1 h on Friday until 17:00, 1 h on Monday from 10:00
    assert pair.response.due_at == datetime(2026, 3, 9, 11, tzinfo=BUENOS_AIRES)


def test_seed_000_error_reports_are_answered_within_two_hours_any_time(presets):
    pair = open_on(
        "altomarketing-hosting",
        Priority.P2,
        datetime(2026, 3, 7, 23, tzinfo=BUENOS_AIRES),
        service="sla3-errores",
    )

    assert pair.response.due_at == datetime(2026, 3, 8, 1, tzinfo=BUENOS_AIRES)
    assert Service.objects.get(code="sla3-errores").allowed_channels == ["portal", "api"]


# Seed 003 -------------------------------------------------------------------------------------


def test_seed_003_credit_rules_and_targets(presets):
    plan = Plan.objects.get(code="smartcloud-dedicado")
    caracas = ZoneInfo("America/Caracas")

    pair = open_on("smartcloud-dedicado", Priority.P1, datetime(2026, 1, 16, 15, tzinfo=caracas))

    assert (plan.min_available_credits, plan.min_billable_credits) == (2, 1)
    assert (plan.billing_increment_minutes, plan.rounding) == (60, Plan.Rounding.UP)
    assert pair.response.due_at == datetime(2026, 1, 16, 19, tzinfo=caracas)
    assert pair.resolution.target == timedelta(hours=24)
    assert SlaClock.objects.count() == 2


# Seed 004 -------------------------------------------------------------------------------------


def test_seed_004_lead_times_are_stored_as_data(presets):
    hosting = ActivationLeadTime.objects.get(product="Hosting")
    android = ActivationLeadTime.objects.get(product="APP de Audio Streaming Android")

    assert hosting.minutes_max == 2
    assert hosting.business_days_max is None
    assert (android.business_days_min, android.business_days_max) == (15, 40)
    assert android.calendar.slug == "altomarketing-comercial"
    assert ActivationLeadTime.objects.count() == 14
