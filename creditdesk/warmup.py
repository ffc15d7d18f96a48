"""What every new process would otherwise load on its first requests, loaded once.

gunicorn's master calls `warm_up()` before it forks (`gunicorn.conf.py`), so each worker,
and each worker recycled later, starts with it: the URL configurations and their views,
every template of the project compiled (the cached loader keeps them) and, per language,
the translation catalogue, the formats and the tables of URL names that `reverse()` reads
(one for the root, one per namespace under a prefix such as `api/`), and the holidays
package's list of countries (importing every country's rules: 0.4 s, paid
by a worker's first intake until then).
Without it a worker's first portal page took 145-185 ms against 50 ms for the next ones
(70 ms with it: the database connection and the SLA caches are still per process); at
the load benchmark's lowest rate, where a step's p99 is its slowest request, one such
request fails the step on its own.
The warm-up only saves time: a template that does not compile is logged and skipped, and
gunicorn starts its workers cold if the warm-up fails as a whole.
"""

import logging
import site
import sysconfig
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.template import engines
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import get_ns_resolver
from django.utils import formats, translation

from core.formatting import document_locale
from sla.calendars import supported_holiday_countries

TEMPLATE_SUFFIXES = (".html", ".txt")

logger = logging.getLogger(__name__)


def warm_up() -> dict[str, int]:
    """Load what a first request would; answers how many of each were loaded."""
    return {
        "url_configurations": _url_configurations(),
        "templates": _templates(),
        "languages": _languages(),
        "url_namespaces": _url_namespaces(),
        "holiday_countries": len(supported_holiday_countries()),
    }


def _url_configurations() -> int:
    resolvers = [get_resolver()]
    loaded = 0
    while resolvers:
        resolver = resolvers.pop()
        loaded += 1
        resolvers += [p for p in resolver.url_patterns if isinstance(p, URLResolver)]
    return loaded


def _installed_package_dirs() -> list[Path]:
    """Where installed packages live, whatever the interpreter's prefix: the virtualenv (on a
    fresh clone it lies inside the project folder), the system's and the user's."""
    paths = sysconfig.get_paths()
    candidates = [paths["purelib"], paths["platlib"], *site.getsitepackages()]
    return [Path(place).resolve() for place in [*candidates, site.getusersitepackages()]]


def _project_template_dirs() -> list[Path]:
    """The project's own template folders. Third-party apps' templates load on first use:
    some need tag libraries Creditdesk does not install (django-filter's crispy form)."""
    root, installed = Path(settings.BASE_DIR).resolve(), _installed_package_dirs()
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    for app in apps.get_app_configs():
        where = Path(app.path).resolve()
        if where.is_relative_to(root) and not any(map(where.is_relative_to, installed)):
            folders.append(where / "templates")
    return [folder for folder in folders if folder.is_dir()]


def _templates() -> int:
    engine = engines["django"]
    names = {
        path.relative_to(folder).as_posix()
        for folder in _project_template_dirs()
        for path in folder.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES
    }
    compiled = 0
    for name in sorted(names):
        # Best effort: a template that does not compile fails its own page, as it would
        # without the warm-up, and must not keep the server from starting.
        try:
            engine.get_template(name)
        except Exception:
            logger.warning("warm-up: template %s did not compile", name, exc_info=True)
        else:
            compiled += 1
    return compiled


def _languages() -> int:
    """Per language: its catalogue, Django's and babel's formats (babel's took 140 ms on a
    first page with a chart), and the table `reverse()` builds of every URL name."""
    for code, _name in settings.LANGUAGES:
        # Activating a language loads its catalogue (Django's and the project's) already.
        with translation.override(code):
            formats.get_format("DATE_FORMAT")  # imports the language's format module
            document_locale(code).months  # noqa: B018  # babel reads its CLDR data on first use
            get_resolver().reverse_dict  # noqa: B018  # built on first access, per language
    return len(settings.LANGUAGES)


def _url_namespaces() -> int:
    """`reverse("api:…")` reads a table of its own for a namespace under a URL prefix (`api/`,
    `billing/`, `admin/`), built on first use per language. Answers how many tables."""
    warmed = 0
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            warmed += _namespaces_under(get_resolver(), prefix="", converters={})
    return warmed


def _namespaces_under(resolver: URLResolver, prefix: str, converters: dict) -> int:
    """The tables of the namespaces under `resolver`, keyed as `django.urls.reverse` keys
    them (its `get_ns_resolver` cache): the prefixes joined and the converters merged from
    the outermost in; a namespace without a prefix is read through its own resolver."""
    warmed = 0
    for extra, namespace in resolver.namespace_dict.values():
        pattern = prefix + extra
        namespace_converters = {**converters, **namespace.pattern.converters}
        if pattern:
            table = get_ns_resolver(pattern, namespace, tuple(namespace_converters.items()))
        else:
            table = namespace
        table.reverse_dict  # noqa: B018  # built on first access, per language
        warmed += 1 + _namespaces_under(namespace, pattern, namespace_converters)
    return warmed
