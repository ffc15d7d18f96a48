from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import zone_label

JULY = datetime(2026, 7, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "language", "label"),
    [
        ("America/Bogota", "es", "Bogotá (UTC-05:00)"),
        ("America/Bogota", "en", "Bogota (UTC-05:00)"),
        ("America/Argentina/Buenos_Aires", "es", "Buenos Aires (UTC-03:00)"),
        ("America/Caracas", "en", "Caracas (UTC-04:00)"),
        ("America/Santiago", "es", "Santiago de Chile (UTC-04:00)"),  # winter in July
        ("UTC", "es", "UTC"),
    ],
)
def test_zones_read_as_a_city_and_an_offset(zone, language, label):
    assert zone_label(zone, language, at=JULY) == label


def test_the_portal_footer_names_the_zone_as_people_read_it(client, django_user_model):
    from tests.factories import make_contact, make_customer, make_portal_user

    contact = make_contact(make_customer(time_zone="America/Caracas"))
    client.force_login(make_portal_user(contact, username="zona"))
    page = client.get("/portal/").content.decode()
    assert "Horas en Caracas (UTC-04:00)" in page
    assert "America/Caracas" not in page


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("zone", ["America/Bogota", "Asia/Kolkata"])
def test_a_rows_short_moment_reads_as_djangos_date_in_its_zone(language, zone):
    # the queue's due column, once a `{% timezone %}` block around Django's `date` filter
    django = Template(
        '{% load tz %}{% timezone zone %}{{ at|date:"SHORT_DATETIME_FORMAT" }}{% endtimezone %}'
    )
    ours = Template('{% load zones %}{{ at|short_moment:zone_info|default:"—" }}')
    for at in (
        JULY,
        datetime(2026, 1, 1, 5, tzinfo=UTC),
        datetime(2026, 12, 31, 23, 59, tzinfo=UTC),
    ):
        context = {"at": at, "zone": zone, "zone_info": ZoneInfo(zone)}
        with translation.override(language):
            assert ours.render(Context(context)) == django.render(Context(context))
    with translation.override(language):
        assert ours.render(Context({"at": None, "zone_info": ZoneInfo(zone)})) == "—"


@pytest.mark.parametrize(
    ("state", "spanish", "english"),
    [
        ("breached", '<span class="badge breach">SLA incumplido</span>', "SLA breached"),
        ("warning", '<span class="badge warning">SLA por vencer</span>', None),
        ("paused", '<span class="badge paused">SLA en pausa</span>', None),
        ("running", '<span class="badge ok">En plazo</span>', None),
        ("met", '<span class="badge ok">Cumplido</span>', None),
        ("none", '<span class="muted">Sin SLA</span>', None),
    ],
)
def test_a_tickets_sla_badge_in_a_list(state, spanish, english):
    badge = Template("{% load zones %}{% sla_badge state %}")
    with translation.override("es"):
        assert badge.render(Context({"state": state})) == spanish
    with translation.override("en"):
        rendered = badge.render(Context({"state": state}))
    assert "class=" in rendered
    if english:
        assert english in rendered
    else:
        assert rendered != spanish  # every badge has its English words
