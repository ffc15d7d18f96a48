"""What gunicorn's master loads before it forks (`creditdesk.warmup`, `gunicorn.conf.py`)."""

from pathlib import Path

from babel import localedata
from django.conf import settings
from django.template import engines
from django.urls import get_resolver
from django.utils.translation import trans_real

from creditdesk.warmup import warm_up
from sla.calendars import supported_holiday_countries

PROJECT_TEMPLATES = [
    Path(settings.BASE_DIR) / folder
    for folder in ("templates", "credits/templates", "sla/templates")
]


def cached_templates() -> dict:
    (loader,) = engines["django"].engine.template_loaders  # the cached loader
    return loader.get_template_cache


def test_every_template_of_the_project_is_compiled_and_kept():
    cached_templates().clear()

    loaded = warm_up()

    names = {
        path.relative_to(folder).as_posix()
        for folder in PROJECT_TEMPLATES
        for path in folder.rglob("*")
        if path.suffix in (".html", ".txt")
    }
    assert loaded["templates"] == len(names) > 100
    assert {"portal/dashboard.html", "tickets/email/acknowledgement.en.txt"} <= set(
        cached_templates()
    )
    assert set(cached_templates()) >= names
    # Third-party apps' templates are not compiled: some need libraries Creditdesk lacks.
    assert not any(name.startswith("django_filters/") for name in cached_templates())


def test_each_language_has_its_catalogue_formats_and_url_names_loaded():
    trans_real._translations.pop("en", None)
    localedata._cache.pop("en_001", None)
    get_resolver()._reverse_dict.clear()

    loaded = warm_up()

    assert loaded["languages"] == len(settings.LANGUAGES) == 2
    assert {"es", "en"} <= set(trans_real._translations)
    assert {"es", "en_001"} <= set(localedata._cache)
    assert {"es", "en"} <= set(get_resolver()._reverse_dict)
    assert loaded["url_configurations"] > 1


def test_the_holiday_countries_are_listed_once_per_process():
    supported_holiday_countries.cache_clear()

    loaded = warm_up()
    warm_up()

    assert loaded["holiday_countries"] == len(supported_holiday_countries()) > 100
    assert {"CO", "MX", "AR"} <= set(supported_holiday_countries())
    assert supported_holiday_countries.cache_info().misses == 1
