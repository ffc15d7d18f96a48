from datetime import UTC, datetime

import pytest

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
