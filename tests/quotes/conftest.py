"""A hotel's request that becomes a quote: the web tests' shop (customer in Colombia, COP,
IVA 19 %, a portal contact, an agent and its account manager) and an open ticket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from contracts.models import Channel
from quotes.models import QuoteSeries
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import PASSWORD, Shop, shop, top_up  # noqa: F401  (fixture)
from tickets.services.intake import ticket_open


@pytest.fixture(autouse=True)
def _quote_series(request):
    """The quote series row its data migration creates, again after a transactional test
    elsewhere flushed the tables (as tests/conftest.py does for billing's series)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    QuoteSeries.objects.get_or_create(code="PR", defaults={"prefix": "PR"})


@pytest.fixture
def ticket(shop):  # noqa: F811
    top_up(shop.customer, "20")
    return ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Migrar el correo a otro servidor"
    ).ticket


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


MONEY_LINES = [
    {"description": "Migración de buzones", "quantity": "3", "unit_price": "150000"},
    {"description": "Configuración DNS", "quantity": "1", "unit_price": "80000.50"},
]
CREDIT_LINES = [{"description": "Migración de buzones", "credits": "6"}]

__all__ = ["PASSWORD", "Shop"]
