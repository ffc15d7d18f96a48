"""Channel lists in the admin (a plan's channels and business-hours channels, a service
type's channels) are a checkbox per channel; the model's `clean` still decides validity."""

import pytest

from contracts.models import Channel, Plan
from tests.factories import make_plan, make_service, make_user
from tests.html_forms import form_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def page_data(client, url: str, form_id: str) -> dict[str, list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    return form_values(response.content.decode(), form_id)


def test_a_plan_shows_its_channels_as_checked_boxes(admin):
    plan = make_plan(allowed_channels=[Channel.PORTAL, Channel.CHAT])

    html = admin.get(f"/admin/contracts/plan/{plan.pk}/change/").content.decode()
    data = form_values(html, "plan_form")

    assert 'type="checkbox" name="allowed_channels" value="whatsapp"' in html
    assert data["allowed_channels"] == ["portal", "chat"]
    assert "business_hours_channels" not in data


def test_ticking_channels_saves_them_as_the_plan_lists(admin):
    plan = make_plan()
    url = f"/admin/contracts/plan/{plan.pk}/change/"
    data = page_data(admin, url, "plan_form")
    data |= {"allowed_channels": ["portal", "chat", "phone"], "business_hours_channels": ["chat"]}

    response = admin.post(url, data)

    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.allowed_channels == ["portal", "chat", "phone"]
    assert plan.business_hours_channels == ["chat"]


def test_a_business_hours_channel_the_plan_does_not_take_is_refused_by_the_plan(admin):
    plan = make_plan(allowed_channels=[Channel.PORTAL])
    url = f"/admin/contracts/plan/{plan.pk}/change/"
    data = page_data(admin, url, "plan_form") | {"business_hours_channels": ["phone"]}

    response = admin.post(url, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Solo canales que el plan admite: phone" in html
    assert Plan.objects.get(pk=plan.pk).business_hours_channels == []


def test_a_plan_needs_at_least_one_channel(admin):
    plan = make_plan()
    url = f"/admin/contracts/plan/{plan.pk}/change/"
    data = page_data(admin, url, "plan_form")
    data.pop("allowed_channels")

    response = admin.post(url, data)

    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.allowed_channels == ["portal", "email", "api"]


def test_an_unknown_channel_is_refused(admin):
    plan = make_plan()
    url = f"/admin/contracts/plan/{plan.pk}/change/"
    data = page_data(admin, url, "plan_form") | {"allowed_channels": ["portal", "fax"]}

    response = admin.post(url, data)

    assert response.status_code == 200
    assert Plan.objects.get(pk=plan.pk).allowed_channels == ["portal", "email", "api"]


def test_a_service_type_may_restrict_channels_or_take_the_plans(admin):
    service = make_service()
    url = f"/admin/contracts/service/{service.pk}/change/"
    data = page_data(admin, url, "service_form")
    assert "allowed_channels" not in data

    admin.post(url, data | {"allowed_channels": ["portal"]})
    service.refresh_from_db()
    assert service.allowed_channels == ["portal"]

    admin.post(url, {k: v for k, v in data.items() if k != "allowed_channels"})
    service.refresh_from_db()
    assert service.allowed_channels == []
