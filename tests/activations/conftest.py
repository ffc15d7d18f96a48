"""Seed 004's catalogue (the stored lead-time rows) and an Argentine customer of the provider."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from contracts import presets
from sla.models import ActivationLeadTime
from tests.factories import make_customer

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def ar(*args) -> datetime:
    return datetime(*args, tzinfo=BUENOS_AIRES)


@pytest.fixture
def catalogue() -> dict[str, ActivationLeadTime]:
    presets.load(["activation-times"])
    return {row.product: row for row in ActivationLeadTime.objects.all()}


@pytest.fixture
def customer():
    return make_customer(
        legal_name="Radio del Sur S.R.L.",
        tax_id="30-71234567-1",
        country="AR",
        currency="ARS",
        time_zone="America/Argentina/Buenos_Aires",
        billing_email="admin@radiodelsur.example",
    )
