"""Presets: each seed document in ../shared/seeds/ as working configuration.

One module per seed creates, idempotently, its calendars and SLA policies (through
`sla.services`, which publish a new version only when the content changed), its plans with
their credit rules and channels, and its service categories. Each module's docstring says
how it reads the document's vague phrases. `manage.py load_presets [name...]` loads them.

Every plan whose customers write through the portal also takes `api`: the seeds predate an
API, and a contact's API call is the portal by other means (the same authenticated,
authorized contact, a written request on the record), under the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import Any

from django.db import transaction
from djmoney.money import Money

from contracts.models import Plan, Service, ServiceCategory
from contracts.services import plan_create, plan_update
from core.errors import full_clean_or_raise

PRESETS = {
    "sla-service-types": "contracts.presets.sla_service_types",
    "severity-matrix": "contracts.presets.severity_matrix",
    "support-tiers": "contracts.presets.support_tiers",
    "dedicated-credits": "contracts.presets.dedicated_credits",
    "activation-times": "contracts.presets.activation_times",
}
# Modules of apps above this one that load with a preset (the seed's knowledge-base articles
# with its plans): preset name -> [module with a `load()`], registered by those apps' ready().
EXTENSIONS: dict[str, list[str]] = {}


def extend(name: str, module: str) -> None:
    """Load `module` (its `load()`) after the preset `name`, in the same transaction."""
    if module not in EXTENSIONS.setdefault(name, []):
        EXTENSIONS[name].append(module)


def load(names: Iterable[str] = ()) -> list[str]:
    """Load the named presets (all when none are named); returns the names loaded."""
    wanted = list(names) or list(PRESETS)
    unknown = sorted(set(wanted) - set(PRESETS))
    if unknown:
        raise KeyError(", ".join(unknown))
    for name in wanted:
        with transaction.atomic():
            import_module(PRESETS[name]).load()
            for module in EXTENSIONS.get(name, ()):
                import_module(module).load()
    return wanted


def plan_upsert(*, code: str, currency: str, **fields: Any) -> Plan:
    """Create the plan or bring an existing one to these values (money left out is zero)."""
    for name in Plan.MONEY_FIELDS:
        value = fields.get(name)
        if value is not None and not isinstance(value, Money):
            fields[name] = Money(value, currency)
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        return plan_create(code=code, currency=currency, **fields)
    changed = {name: value for name, value in fields.items() if getattr(plan, name) != value}
    return plan_update(plan, **changed) if changed else plan


def service_upsert(*, code: str, **fields: Any) -> Service:
    """Create the service type or bring an existing one to these values."""
    service = Service.objects.filter(code=code).first() or Service(code=code)
    if service.pk and all(getattr(service, name) == value for name, value in fields.items()):
        return service
    for name, value in fields.items():
        setattr(service, name, value)
    full_clean_or_raise(service)
    service.save()
    return service


def category_upsert(*, code: str, name: str, default_impact: str) -> ServiceCategory:
    category = ServiceCategory.objects.filter(code=code).first()
    if category is not None and (category.name, category.default_impact) == (name, default_impact):
        return category
    category = category or ServiceCategory(code=code)
    category.name, category.default_impact = name, default_impact
    full_clean_or_raise(category)
    category.save()
    return category
