"""What gunicorn's master loads before it forks (`creditdesk.warmup`, `gunicorn.conf.py`)."""

import logging
import runpy
import sys
from pathlib import Path

import holidays
from babel import localedata
from django.conf import settings
from django.template import engines
from django.urls import get_resolver, reverse
from django.urls.resolvers import get_ns_resolver
from django.utils import formats, translation
from django.utils.translation import trans_real

from creditdesk.warmup import warm_up
from sla.calendars import check_country, supported_holiday_countries

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


def test_third_party_apps_are_told_by_site_packages_not_by_the_interpreter_prefix(
    monkeypatch, settings
):
    """Installed apps must count as third-party wherever the interpreter's prefix is (a
    `pip install --user`, a system interpreter) and wherever the virtualenv lies: with the
    project at the root, every installed app lies inside it."""
    monkeypatch.setattr(sys, "prefix", "/elsewhere")
    settings.BASE_DIR = Path("/")
    cached_templates().clear()

    warm_up()

    assert not any(name.startswith("django_filters/") for name in cached_templates())
    assert "portal/dashboard.html" in cached_templates()


def test_a_template_that_does_not_compile_is_logged_and_the_others_still_load(
    settings, tmp_path, caplog
):
    (tmp_path / "broken.html").write_text("{% load no_such_library %}")
    (tmp_path / "fine.html").write_text("{{ fine }}")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    with caplog.at_level(logging.WARNING, logger="creditdesk.warmup"):
        loaded = warm_up()

    assert "fine.html" in cached_templates()
    assert "portal/dashboard.html" in cached_templates()
    assert "broken.html" not in cached_templates()
    (record,) = [r for r in caplog.records if r.name == "creditdesk.warmup"]
    assert "broken.html" in record.getMessage()
    assert loaded["templates"] > 100


def test_each_language_has_its_catalogue_formats_and_url_names_loaded():
    for code in ("es", "en"):
        trans_real._translations.pop(code, None)
    for locale in ("es", "en_001"):
        localedata._cache.pop(locale, None)
    formats._format_cache.clear()
    formats._format_modules_cache.clear()
    get_resolver()._reverse_dict.clear()

    loaded = warm_up()

    assert loaded["languages"] == len(settings.LANGUAGES) == 2
    assert {"es", "en"} <= set(trans_real._translations)
    assert {"es", "en_001"} <= set(localedata._cache)
    assert {("DATE_FORMAT", "es"), ("DATE_FORMAT", "en")} <= set(formats._format_cache)
    assert {"es", "en"} <= set(formats._format_modules_cache)
    assert {"es", "en"} <= set(get_resolver()._reverse_dict)
    assert loaded["url_configurations"] > 1


def test_url_names_under_a_prefixed_namespace_are_loaded_per_language():
    get_ns_resolver.cache_clear()

    loaded = warm_up()

    warmed = get_ns_resolver.cache_info().currsize
    assert loaded["url_namespaces"] >= 3 * 2  # api:, billing:, admin: at least, per language
    for code in ("es", "en"):
        with translation.override(code):
            reverse("api:ticket-list")
            reverse("admin:index")
    # reverse() found the namespaced tables the warm-up had built: none was added.
    assert get_ns_resolver.cache_info().currsize == warmed
    (_prefix, api) = get_resolver().namespace_dict["api"]
    api_table = get_ns_resolver("api/", api, tuple(api.pattern.converters.items()))
    assert {"es", "en"} <= set(api_table._reverse_dict)


def test_the_holiday_countries_are_listed_before_the_first_intake_needs_them():
    holidays.list_supported_countries.cache_clear()

    loaded = warm_up()
    assert holidays.list_supported_countries.cache_info().misses == 1

    check_country("CO")  # what intake asks when it builds a calendar

    assert holidays.list_supported_countries.cache_info().misses == 1
    assert loaded["holiday_countries"] == len(supported_holiday_countries()) > 100
    assert {"CO", "MX", "AR"} <= set(supported_holiday_countries())


def test_gunicorn_warms_up_in_the_master_and_starts_even_when_the_warm_up_fails(
    monkeypatch, caplog
):
    config = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    cached_templates().clear()

    config["when_ready"](server=None)

    assert "portal/dashboard.html" in cached_templates()

    def fails() -> None:
        raise OSError("disk gone")

    monkeypatch.setattr("creditdesk.warmup.warm_up", fails)
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        config["when_ready"](server=None)
    (failure,) = [record for record in caplog.records if record.name == "gunicorn.error"]
    assert failure.levelno == logging.ERROR
    assert "warm-up failed" in failure.getMessage()
    assert isinstance(failure.exc_info[1], OSError)
