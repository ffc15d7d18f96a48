"""The catalogue in the admin: edited through `product_save` and its bounds (a refusal on
its field, nothing written); activations read only."""

import pytest
from django.test import Client

from sla.models import ActivationLeadTime
from tests.factories import make_staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_staff_user())
    return client


def _form(product: ActivationLeadTime, **changes) -> dict:
    data = {
        "product": product.product,
        "preset": product.preset,
        "kind": "business_days",
        "minutes_max": "",
        "business_days_min": product.business_days_min or "",
        "business_days_max": product.business_days_max or "",
        "calendar": product.calendar_id or "",
        "prerequisite": product.prerequisite,
        "note": product.note,
    }
    return data | changes


def test_the_admin_edits_a_lead_time_within_bounds(admin_client, catalogue):
    product = catalogue["Simplenews"]
    url = f"/admin/sla/activationleadtime/{product.pk}/change/"
    assert admin_client.get(url).status_code == 200
    refused = admin_client.post(url, _form(product, business_days_max="900"))
    assert refused.status_code == 200
    assert "business_days_max" in refused.context["adminform"].form.errors
    assert ActivationLeadTime.objects.get(pk=product.pk).business_days_max == 2
    saved = admin_client.post(url, _form(product, business_days_min="2", business_days_max="3"))
    assert saved.status_code == 302
    assert ActivationLeadTime.objects.get(pk=product.pk).business_days_max == 3


def test_the_admin_turns_a_product_instant_and_drops_its_days(admin_client, catalogue):
    product = catalogue["VideoStreaming"]
    url = f"/admin/sla/activationleadtime/{product.pk}/change/"
    saved = admin_client.post(url, _form(product, kind="instant", minutes_max="5"))
    assert saved.status_code == 302
    row = ActivationLeadTime.objects.get(pk=product.pk)
    assert (row.minutes_max, row.business_days_max, row.calendar_id) == (5, None, None)


def test_activations_are_read_only_in_the_admin(admin_client, catalogue):
    assert admin_client.get("/admin/activations/activation/").status_code == 200
    assert admin_client.get("/admin/activations/activation/add/").status_code == 403
