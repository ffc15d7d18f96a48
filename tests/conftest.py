import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection

_billing_seed = importlib.import_module("billing.migrations.0002_seed_tax_rates_and_series")
_finance_grants = importlib.import_module("creditdesk.api.migrations.0003_finance_permissions")


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, triggers): run with DATABASE_URL=postgres://..."
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _migration_seed_data(request):
    """Rows data migrations create (tax rates, invoice series, the finance group's grants)
    again, after a transactional test elsewhere flushed the tables. The migrations' own
    functions, on the current models."""
    if request.node.get_closest_marker("django_db") is None:
        return
    request.getfixturevalue("_django_db_helper")
    _billing_seed.seed(django_apps, None)
    if not Group.objects.filter(name="finance", permissions__isnull=False).exists():
        _finance_grants.grant(django_apps, None)
