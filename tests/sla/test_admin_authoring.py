"""Authoring calendars and policies in the admin: the publish form is prefilled from the
current version, publishing goes through the services (a new version, the old one intact),
refusals show on the field they name with nothing written, and open clocks move only when
the admin asks."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.utils import timezone

from core.forms import NEW_ROWS_PER_SAVE
from sla.calendars import Calendar
from sla.choices import Impact, Priority, Urgency
from sla.models import (
    ActivationLeadTime,
    BusinessCalendar,
    CalendarDate,
    CalendarVersion,
    EscalationStep,
    SlaClock,
    SlaPolicy,
    SlaPolicyVersion,
    SlaTarget,
)
from sla.services import LevelSpec, StepSpec, calendar_publish, clocks_start
from tests.factories import make_plan, make_user
from tests.html_forms import form_values
from tests.sla.factories import BOGOTA_HOURS, make_calendar, make_policy

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")
CALENDARS = "/admin/sla/businesscalendar/"
POLICIES = "/admin/sla/slapolicy/"
CALENDAR_FORM = "businesscalendar_publish_form"
POLICY_FORM = "slapolicy_publish_form"


def at(*args):
    return datetime(*args, tzinfo=BOGOTA)


@pytest.fixture
def admin(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def prefilled(client, url: str, form_id: str) -> dict[str, list[str]]:
    """The publish form as the admin shows it, to change and post back."""
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.content.decode(), form_id)


def new_calendar_data(client, **changes) -> dict[str, list[str]]:
    data = prefilled(client, f"{CALENDARS}add/", CALENDAR_FORM)
    data |= {"slug": ["caracas"], "name": ["Caracas oficina"], "time_zone": ["America/Caracas"]}
    data |= {"holiday_country": ["VE"], "note": ["Alta"]}
    for row, weekday in enumerate(range(5)):
        data |= {
            f"windows-{row}-weekday": [str(weekday)],
            f"windows-{row}-starts_at": ["08:00"],
            f"windows-{row}-ends_at": ["17:00"],
        }
    data |= {
        "dates-0-on": ["2026-12-24"],
        "dates-0-kind": ["closed"],
        "dates-0-name": ["Cierre de fin de año"],
        "dates-1-on": ["2026-07-04"],
        "dates-1-kind": ["open"],
        "dates-1-starts_at": ["09:00"],
        "dates-1-ends_at": ["12:00"],
        "dates-1-name": ["Sábado de inventario"],
    }
    return data | {name: [value] for name, value in changes.items()}


def error_row(html: str, field: str) -> bool:
    return f'class="form-row errors field-{field}"' in html


# --- calendars ---------------------------------------------------------------------------------


def test_adding_a_calendar_publishes_version_1_with_its_windows_and_dates(admin):
    response = admin.post(f"{CALENDARS}add/", new_calendar_data(admin))

    calendar = BusinessCalendar.objects.get(slug="caracas")
    assert response.status_code == 302
    assert response["Location"] == f"{CALENDARS}{calendar.pk}/reapply/"
    version = calendar.versions.get()
    assert (version.number, version.time_zone, version.holiday_country, version.note) == (
        1,
        "America/Caracas",
        "VE",
        "Alta",
    )
    assert [(w.weekday, w.starts_at, w.ends_at) for w in version.intervals.all()] == [
        (day, time(8), time(17)) for day in range(5)
    ]
    assert [(d.on, d.kind, d.starts_at, d.name) for d in version.dates.order_by("on")] == [
        (date(2026, 7, 4), CalendarDate.Kind.OPEN, time(9), "Sábado de inventario"),
        (date(2026, 12, 24), CalendarDate.Kind.CLOSED, None, "Cierre de fin de año"),
    ]


def test_the_publish_form_shows_the_current_version(admin):
    calendar = make_calendar(
        calendar=Calendar.build(
            "America/Bogota",
            BOGOTA_HOURS,
            country="CO",
            closures=[(date(2026, 12, 24), "Nochebuena")],
        )
    )

    data = prefilled(admin, f"{CALENDARS}{calendar.pk}/publish/", CALENDAR_FORM)

    assert "slug" not in data  # the identity plans point to never changes
    assert (data["name"], data["time_zone"], data["holiday_country"]) == (
        ["bogota"],
        ["America/Bogota"],
        ["CO"],
    )
    assert [data[f"windows-{row}-ends_at"] for row in range(5)] == [["16:30"]] * 5
    assert (data["dates-0-on"], data["dates-0-kind"], data["dates-0-name"]) == (
        ["2026-12-24"],
        ["closed"],
        ["Nochebuena"],
    )
    assert data["windows-INITIAL_FORMS"] == ["5"]


def test_publishing_makes_the_next_version_and_keeps_the_old_one(admin):
    calendar = make_calendar()
    data = prefilled(admin, f"{CALENDARS}{calendar.pk}/publish/", CALENDAR_FORM)
    data |= {"windows-4-ends_at": ["13:00"], "windows-4-DELETE": [], "note": ["Viernes corto"]}
    data |= {"dates-0-on": ["2026-12-31"], "dates-0-kind": ["closed"]}

    response = admin.post(f"{CALENDARS}{calendar.pk}/publish/", data, follow=True)

    assert "Versión 2 de «bogota» publicada." in response.content.decode()
    first, second = calendar.versions.order_by("number")
    assert first.intervals.get(weekday=4).ends_at == time(16, 30)
    assert second.intervals.get(weekday=4).ends_at == time(13)
    assert list(second.dates.values_list("on", flat=True)) == [date(2026, 12, 31)]
    assert second.note == "Viernes corto"


def test_a_row_marked_for_deletion_is_left_out_of_the_new_version(admin):
    calendar = make_calendar()
    data = prefilled(admin, f"{CALENDARS}{calendar.pk}/publish/", CALENDAR_FORM)
    data["windows-4-DELETE"] = ["on"]

    admin.post(f"{CALENDARS}{calendar.pk}/publish/", data)

    assert sorted(calendar.versions.get(number=2).intervals.values_list("weekday", flat=True)) == [
        0,
        1,
        2,
        3,
    ]


def test_posting_the_current_version_unchanged_writes_nothing(admin):
    calendar = make_calendar()
    data = prefilled(admin, f"{CALENDARS}{calendar.pk}/publish/", CALENDAR_FORM)

    response = admin.post(f"{CALENDARS}{calendar.pk}/publish/", data, follow=True)

    assert "Sin cambios de contenido: la versión 1 sigue vigente." in response.content.decode()
    assert calendar.versions.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"time_zone": "Mars/Olympus"},
            "time_zone",
            "La zona horaria «Mars/Olympus» no existe",
        ),
        (
            {"holiday_country": "", "holiday_subdivision": "DC"},
            "holiday_subdivision",
            "El país - no tiene la subdivisión «DC».",
        ),
        (
            {"holiday_country": "XX"},
            "holiday_country",
            "No hay calendario de festivos para el país",
        ),
    ],
)
def test_a_refused_calendar_shows_the_field_error_and_writes_nothing(
    admin, changes, field, message
):
    response = admin.post(f"{CALENDARS}add/", new_calendar_data(admin, **changes))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert error_row(html, field)
    assert "no se publicó nada" in html
    assert not BusinessCalendar.objects.exists()
    assert not CalendarVersion.objects.exists()


def test_overlapping_windows_are_shown_on_the_weekly_hours_and_nothing_is_written(admin):
    calendar = make_calendar()
    data = prefilled(admin, f"{CALENDARS}{calendar.pk}/publish/", CALENDAR_FORM)
    data |= {
        "windows-5-weekday": ["0"],
        "windows-5-starts_at": ["12:00"],
        "windows-5-ends_at": ["18:00"],
    }

    response = admin.post(f"{CALENDARS}{calendar.pk}/publish/", data)

    html = response.content.decode()
    assert "Los intervalos Monday 08:00-16:30 y Monday 12:00-18:00 se superponen." in html
    assert calendar.versions.count() == 1


def test_a_huge_count_of_rows_builds_the_rows_shown_and_a_save_of_new_ones(admin):
    """The count of forms is the browser's to send: a count far past the calendar's rows is
    refused after building those rows and `NEW_ROWS_PER_SAVE` new ones, not 2,000."""
    calendar = make_calendar()
    url = f"{CALENDARS}{calendar.pk}/publish/"
    data = prefilled(admin, url, CALENDAR_FORM)
    data |= {"windows-TOTAL_FORMS": ["1000000000"]}

    response = admin.post(url, data)

    assert response.status_code == 200
    intervals = response.context["intervals"]
    assert len(intervals.forms) == len(intervals.initial) + NEW_ROWS_PER_SAVE
    assert str(intervals.non_form_errors()[0]) in response.content.decode()
    assert calendar.versions.count() == 1


def test_a_window_ending_before_it_starts_is_a_night_shift_not_an_error(admin):
    data = new_calendar_data(admin)
    data |= {"windows-0-starts_at": ["22:00"], "windows-0-ends_at": ["06:00"]}

    admin.post(f"{CALENDARS}add/", data)

    window = BusinessCalendar.objects.get().versions.get().intervals.get(weekday=0)
    assert (window.starts_at, window.ends_at) == (time(22), time(6))


def test_a_day_both_closed_and_open_is_refused_on_the_dates(admin):
    data = new_calendar_data(admin)
    data |= {"dates-1-on": ["2026-12-24"]}

    response = admin.post(f"{CALENDARS}add/", data)

    assert "El 2026-12-24 figura a la vez como cerrado" in response.content.decode()
    assert not BusinessCalendar.objects.exists()


def test_a_closed_day_with_hours_and_an_open_day_without_are_row_errors(admin):
    data = new_calendar_data(admin)
    data |= {"dates-0-starts_at": ["09:00"], "dates-1-starts_at": [""]}

    response = admin.post(f"{CALENDARS}add/", data)

    html = response.content.decode()
    assert "Un día cerrado no lleva horario." in html
    assert "Un día abierto necesita su horario." in html
    assert not BusinessCalendar.objects.exists()


def test_a_new_calendar_cannot_take_an_existing_slug(admin):
    make_calendar(slug="caracas")

    response = admin.post(f"{CALENDARS}add/", new_calendar_data(admin))

    assert error_row(response.content.decode(), "slug")
    assert CalendarVersion.objects.count() == 1


def test_the_calendar_page_shows_the_current_version_read_only(admin):
    calendar = make_calendar(
        calendar=Calendar.build(
            "America/Bogota",
            BOGOTA_HOURS,
            country="CO",
            closures=[(date(2026, 12, 24), "Nochebuena")],
            openings=[(date(2026, 7, 4), "09:00", "12:00", "Inventario")],
        )
    )

    response = admin.get(f"{CALENDARS}{calendar.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Lunes 08:00-16:30" in html
    assert "24/12/2026 Nochebuena" in html
    assert "04/07/2026 09:00-12:00 Inventario" in html
    assert f"{CALENDARS}{calendar.pk}/publish/" in html
    assert 'name="_save"' not in html  # nothing on this page is edited in place


def test_a_version_is_never_changed_through_the_owner_page(admin):
    calendar = make_calendar()

    response = admin.post(f"{CALENDARS}{calendar.pk}/change/", {"name": "Otro"})

    assert response.status_code == 403
    calendar.refresh_from_db()
    assert calendar.name == "bogota"


def test_a_calendar_a_policy_uses_is_not_deleted(admin):
    calendar = make_policy().calendar

    page = admin.get(f"{CALENDARS}{calendar.pk}/delete/")
    admin.post(f"{CALENDARS}{calendar.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert "tecnolinux v1" in page.content.decode()  # the protecting policy version is named
    assert BusinessCalendar.objects.filter(pk=calendar.pk).exists()


# --- policies ----------------------------------------------------------------------------------


def new_policy_data(client, calendar: BusinessCalendar, **changes) -> dict[str, list[str]]:
    data = prefilled(client, f"{POLICIES}add/", POLICY_FORM)
    data |= {
        "slug": ["soporte-24"],
        "name": ["Soporte 24 horas"],
        "calendar": [str(calendar.pk)],
        "warning_percent": ["80"],
        "p1_first_response": ["0:15"],
        "p1_resolution": ["4"],
        "p1_measure": ["always"],
        "p2_first_response": ["1,5"],
        "p2_resolution": ["8"],
        "matrix_low_low": ["planned"],
    }
    return data | {name: [value] for name, value in changes.items()}


def test_adding_a_policy_publishes_its_targets_and_matrix(admin):
    calendar = make_calendar()

    response = admin.post(f"{POLICIES}add/", new_policy_data(admin, calendar))

    policy = SlaPolicy.objects.get(slug="soporte-24")
    assert response["Location"] == f"{POLICIES}{policy.pk}/reapply/"
    version = policy.versions.get()
    assert (version.number, version.calendar, version.warning_percent) == (1, calendar, 80)
    targets = {t.priority: t for t in version.targets.all()}
    assert (targets["p1"].first_response, targets["p1"].resolution, targets["p1"].measure) == (
        timedelta(minutes=15),
        timedelta(hours=4),
        SlaTarget.Measure.ALWAYS,
    )
    assert targets["p2"].first_response == timedelta(hours=1, minutes=30)
    assert (targets["p3"].first_response, targets["p3"].resolution) == (None, None)
    cells = {(c.impact, c.urgency): c.priority for c in version.matrix.all()}
    assert cells[(Impact.LOW, Urgency.LOW)] == Priority.PLANNED
    assert cells[(Impact.HIGH, Urgency.HIGH)] == Priority.P1


def test_the_policy_form_shows_the_current_targets_and_matrix(admin):
    version = make_policy(matrix={(Impact.LOW, Urgency.LOW): Priority.PLANNED})

    data = prefilled(admin, f"{POLICIES}{version.policy_id}/publish/", POLICY_FORM)

    assert data["calendar"] == [str(version.calendar_id)]
    assert data["warning_percent"] == ["75"]
    assert (data["p1_first_response"], data["p1_resolution"], data["p1_measure"]) == (
        ["0,25"],
        ["4"],
        ["always"],
    )
    assert (data["p4_first_response"], data["p4_resolution"]) == (["4"], ["8"])
    assert data["planned_first_response"] == [""]
    assert data["matrix_low_low"] == ["planned"]
    assert data["matrix_high_medium"] == ["p2"]


def test_a_policy_republished_unchanged_keeps_its_version(admin):
    version = make_policy()
    url = f"{POLICIES}{version.policy_id}/publish/"

    admin.post(url, prefilled(admin, url, POLICY_FORM))

    assert SlaPolicyVersion.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"warning_percent": "150"}, "warning_percent", "150"),
        ({"p2_resolution": "abc"}, None, "Escriba horas (4, 1,5) u horas:minutos (0:10)"),
        ({"p2_resolution": "-3"}, None, "de 0 a 9999 horas"),
    ],
)
def test_a_refused_policy_shows_the_error_and_writes_nothing(admin, changes, field, message):
    calendar = make_calendar()

    response = admin.post(f"{POLICIES}add/", new_policy_data(admin, calendar, **changes))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    if field:
        assert error_row(html, field)
    assert not SlaPolicy.objects.exists()


def make_policy_with_levels(assignee=None) -> SlaPolicyVersion:
    return make_policy(
        levels=[
            LevelSpec(1, "Primer contacto", timedelta(hours=2)),
            LevelSpec(2, "Acceso remoto", timedelta(hours=4)),
            LevelSpec(3, "Proveedor o comité", None, needs_referral=True),
        ],
        ladder=[
            StepSpec(EscalationStep.Measure.LEVEL, 100, EscalationStep.Action.RAISE_LEVEL),
            StepSpec(
                EscalationStep.Measure.RESOLUTION,
                75,
                EscalationStep.Action.NOTIFY,
                priorities=("p1", "p2"),
                notify_email="jefe@example.com",
            ),
            *(
                [StepSpec(EscalationStep.Measure.RESPONSE, 90, "reassign", assign_to=assignee.pk)]
                if assignee
                else []
            ),
        ],
    )


def test_levels_and_ladder_are_prefilled_and_kept_when_only_targets_change(admin):
    assignee = make_user(is_staff=True, first_name="Coordinación")
    version = make_policy_with_levels(assignee)
    url = f"{POLICIES}{version.policy_id}/publish/"
    data = prefilled(admin, url, POLICY_FORM)
    assert (data["levels-0-name"], data["levels-0-resolution"]) == (["Primer contacto"], ["2"])
    assert data["levels-2-needs_referral"] == ["on"]
    assert data["ladder-1-priorities"] == ["p1", "p2"]

    admin.post(url, data | {"p4_resolution": ["9"]})

    second = version.policy.versions.get(number=2)
    assert [(lv.number, lv.name, lv.resolution) for lv in second.levels.all()] == [
        (1, "Primer contacto", timedelta(hours=2)),
        (2, "Acceso remoto", timedelta(hours=4)),
        (3, "Proveedor o comité", None),
    ]
    rungs = {
        (r.measure, r.at_percent, r.action, tuple(r.priorities), r.assign_to_id)
        for r in second.ladder.all()
    }
    assert rungs == {
        ("level", 100, "raise_level", (), None),
        ("resolution", 75, "notify", ("p1", "p2"), None),
        ("response", 90, "reassign", (), assignee.pk),
    }


def test_levels_and_ladder_republished_unchanged_keep_the_version(admin):
    version = make_policy_with_levels()
    url = f"{POLICIES}{version.policy_id}/publish/"

    admin.post(url, prefilled(admin, url, POLICY_FORM))

    assert version.policy.versions.count() == 1


def test_the_policy_page_shows_levels_and_ladder(admin):
    assignee = make_user(is_staff=True, username="coordinacion")
    version = make_policy_with_levels(assignee)

    html = admin.get(f"{POLICIES}{version.policy_id}/change/").content.decode()

    assert "1. Primer contacto · 2 h 00 min" in html
    assert "3. Proveedor o comité · anota a quién se deriva" in html
    assert "Resolución 75 % · Avisar · P1 Crítica, P2 Alta · jefe@example.com" in html
    assert "Primera respuesta 90 % · Reasignar · coordinacion" in html


def test_a_reassignment_without_a_person_is_refused_on_the_ladder(admin):
    version = make_policy()
    url = f"{POLICIES}{version.policy_id}/publish/"
    data = prefilled(admin, url, POLICY_FORM)
    data |= {"ladder-0-measure": ["response"], "ladder-0-at_percent": ["50"]}
    data |= {"ladder-0-action": ["reassign"]}

    response = admin.post(url, data)

    assert "Reasignar necesita una persona del personal activa." in response.content.decode()
    assert version.policy.versions.count() == 1


def test_a_rung_beyond_500_percent_is_refused_on_the_ladder(admin):
    version = make_policy()
    url = f"{POLICIES}{version.policy_id}/publish/"
    data = prefilled(admin, url, POLICY_FORM)
    data |= {"ladder-0-measure": ["response"], "ladder-0-at_percent": ["900"]}
    data |= {"ladder-0-action": ["notify"]}

    response = admin.post(url, data)

    assert response.status_code == 200
    ladder = response.content.decode().split("Escalera de escalamiento</h2>")[1]
    assert "Asegúrese de que este valor es menor o igual a 500." in ladder
    assert version.policy.versions.count() == 1


def test_the_policy_page_shows_targets_and_matrix(admin):
    version = make_policy()

    html = admin.get(f"{POLICIES}{version.policy_id}/change/").content.decode()

    assert "0 h 15 min" in html  # P1 first response of seed 001
    assert "P1 Crítica" in html
    assert "sin objetivo" in html  # the planned priority
    assert "Publicar nueva versión" in html


def test_a_policy_a_plan_uses_is_not_deleted(admin):
    version = make_policy()
    make_plan(sla_policy=version.policy)

    page = admin.get(f"{POLICIES}{version.policy_id}/delete/")
    admin.post(f"{POLICIES}{version.policy_id}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert SlaPolicy.objects.filter(pk=version.policy_id).exists()


def test_an_unused_calendar_can_be_deleted(admin):
    calendar = make_calendar()

    admin.post(f"{CALENDARS}{calendar.pk}/delete/", {"post": "yes"})

    assert not BusinessCalendar.objects.exists()


# --- re-applying to open clocks ----------------------------------------------------------------


def start_clocks(version: SlaPolicyVersion) -> list[SlaClock]:
    pair = clocks_start(
        subject="ticket:1", policy=version, priority=Priority.P4, started_at=timezone.now()
    )
    return [pair.response, pair.resolution]


def test_publishing_a_policy_offers_to_move_its_open_clocks_and_moving_them_works(admin):
    with time_machine.travel(at(2026, 1, 19, 9), tick=False):
        version = make_policy()
        response_clock, _resolution_clock = start_clocks(version)
    url = f"{POLICIES}{version.policy_id}/publish/"
    with time_machine.travel(at(2026, 1, 19, 10), tick=False):
        data = prefilled(admin, url, POLICY_FORM) | {"p4_first_response": ["2"]}
        offer = admin.post(url, data, follow=True)

        html = offer.content.decode()
        assert "2 relojes abiertos siguen en versiones anteriores." in html
        assert "Aplicar a los relojes abiertos" in html
        done = admin.post(f"{POLICIES}{version.policy_id}/reapply/", follow=True)

    assert "2 relojes pasaron a la versión vigente; 0 ya estaban al día." in done.content.decode()
    response_clock.refresh_from_db()
    assert response_clock.policy_version.number == 2
    assert response_clock.target == timedelta(hours=2)
    assert response_clock.due_at == at(2026, 1, 19, 11)


def test_publishing_a_calendar_offers_to_move_the_clocks_measured_on_it(admin):
    with time_machine.travel(at(2026, 1, 19, 9), tick=False):
        version = make_policy()
        response_clock, _ = start_clocks(version)
    calendar = version.calendar
    url = f"{CALENDARS}{calendar.pk}/publish/"
    with time_machine.travel(at(2026, 1, 19, 9, 30), tick=False):
        data = prefilled(admin, url, CALENDAR_FORM) | {"windows-0-ends_at": ["10:00"]}
        offer = admin.post(url, data, follow=True)
        assert "2 relojes abiertos siguen en versiones anteriores." in offer.content.decode()
        admin.post(f"{CALENDARS}{calendar.pk}/reapply/")

    response_clock.refresh_from_db()
    assert response_clock.calendar_version.number == 2
    # Monday 09:00-10:00 counts one hour; the other three are Tuesday from 08:00.
    assert response_clock.due_at == at(2026, 1, 20, 11)


def test_the_offer_says_when_no_open_clock_is_behind(admin):
    calendar = make_calendar()

    html = admin.get(f"{CALENDARS}{calendar.pk}/reapply/").content.decode()

    assert "Ningún reloj abierto usa una versión anterior." in html
    assert "Aplicar a los relojes abiertos" not in html


def test_moving_clocks_of_one_calendar_leaves_other_calendars_clocks(admin):
    with time_machine.travel(at(2026, 1, 19, 9), tick=False):
        here = make_policy()
        there = make_policy(slug="otra", calendar=make_calendar(slug="otro"))
        start_clocks(here)
        clocks_start(
            subject="ticket:2", policy=there, priority=Priority.P4, started_at=timezone.now()
        )
        calendar_publish(
            slug="bogota",
            name="bogota",
            calendar=Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}),
        )
        calendar_publish(
            slug="otro",
            name="otro",
            calendar=Calendar.build("America/Bogota", {0: [("08:00", "12:00")]}),
        )

        admin.post(f"{CALENDARS}{here.calendar_id}/reapply/")

    numbers = dict(SlaClock.objects.values_list("subject", "calendar_version__number"))
    assert numbers == {"ticket:1": 2, "ticket:2": 1}


# --- permissions -------------------------------------------------------------------------------


@pytest.fixture
def staff(client):
    user = make_user(is_staff=True)
    client.force_login(user)
    client.user = user
    return client


def grant(user, *codenames: str) -> None:
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))


def test_staff_without_permission_gets_403_everywhere(staff):
    version = make_policy()
    calendar = version.calendar
    urls = [
        f"{CALENDARS}add/",
        f"{CALENDARS}{calendar.pk}/publish/",
        f"{CALENDARS}{calendar.pk}/reapply/",
        f"{POLICIES}add/",
        f"{POLICIES}{version.policy_id}/publish/",
        f"{POLICIES}{version.policy_id}/reapply/",
    ]

    assert [staff.get(url).status_code for url in urls] == [403] * len(urls)
    assert [staff.post(url, {}).status_code for url in urls] == [403] * len(urls)
    assert CalendarVersion.objects.count() == 1


def test_staff_who_may_only_view_see_the_offer_but_cannot_move_clocks(staff):
    grant(staff.user, "view_businesscalendar")
    calendar = make_calendar()

    page = staff.get(f"{CALENDARS}{calendar.pk}/reapply/")
    move = staff.post(f"{CALENDARS}{calendar.pk}/reapply/")
    publish = staff.get(f"{CALENDARS}{calendar.pk}/publish/")

    assert (page.status_code, move.status_code, publish.status_code) == (200, 403, 403)


def test_staff_allowed_to_publish_calendars_may_publish_but_not_add(staff):
    grant(staff.user, "view_businesscalendar", "add_calendarversion")
    calendar = make_calendar()
    url = f"{CALENDARS}{calendar.pk}/publish/"
    data = prefilled(staff, url, CALENDAR_FORM) | {"windows-0-ends_at": ["12:00"]}

    staff.post(url, data)

    assert calendar.versions.count() == 2
    assert staff.get(f"{CALENDARS}add/").status_code == 403


# --- activation lead times ---------------------------------------------------------------------


@pytest.mark.parametrize("query", ["", "?preset=seed-004", "?q=Hosting"])
def test_activation_lead_times_list_with_filter_and_search(admin, query):
    ActivationLeadTime.objects.create(
        product="Hosting", preset="seed-004", business_days_min=1, business_days_max=3
    )

    response = admin.get(f"/admin/sla/activationleadtime/{query}")

    assert response.status_code == 200
    assert "Hosting" in response.content.decode()
