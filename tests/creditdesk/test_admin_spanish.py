"""The admin is fully Spanish (issue 19): every registered model, every field, every action and
every list filter has a Spanish name written in the source, not the one Django makes up from
the Python name ("ledger entry", "created at", "Delete selected ..."). The English comes from
the catalogue when the user picks English; here only the source strings are checked."""

import re

import pytest
from django.contrib import admin
from django.db import models
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise
from djmoney.models.fields import CurrencyField

from tests.factories import make_staff_user


def _auto_model_name(model) -> str:
    # What Django writes when verbose_name is not given: "LedgerEntry" -> "ledger entry".
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", model.__name__).lower().strip()


def _auto_field_name(field) -> str:
    return field.name.replace("_", " ")


def _fields(model):
    for field in model._meta.get_fields():
        if field.auto_created and not field.concrete:
            continue  # reverse relations: named by the other model
        if isinstance(field, models.AutoField):
            continue
        if isinstance(field, CurrencyField):
            continue  # a MoneyField's currency half: the admin shows the MoneyField's name
        yield field


# Names that read the same in Spanish as in English, or are codes, not words.
SAME_IN_BOTH = {
    *("id", "email", "url", "slug", "hash", "token", "pdf", "sla", "plan", "total", "error")
}

# Apps whose models are not ours (Django's own are translated by Django; django-axes and the
# task results speak English in their source): their Spanish comes from the catalogue.
NOT_OURS = {"auth", "axes", "django_tasks_database"}


def _english(name: str, auto: str) -> bool:
    text = str(name).strip().lower()
    return text == auto.lower() and text not in SAME_IN_BOTH


def test_every_admin_model_field_and_action_has_a_spanish_name():
    wrong = []
    with translation.override("es"):
        for config in {model._meta.app_config for model in admin.site._registry}:
            if config.label in NOT_OURS:
                continue
            if _english(config.verbose_name, config.label.replace("_", " ")):
                wrong.append(f"app {config.label}: verbose_name")
            if not isinstance(config.verbose_name, Promise):  # wrapped in gettext
                wrong.append(f"app {config.label}: verbose_name not translatable")
        for model, model_admin in admin.site._registry.items():
            label = model._meta.label
            if model._meta.app_label in NOT_OURS:
                continue
            if _english(model._meta.verbose_name, _auto_model_name(model)):
                wrong.append(f"{label}: verbose_name")
            if _english(model._meta.verbose_name_plural, _auto_model_name(model) + "s"):
                wrong.append(f"{label}: verbose_name_plural")
            for field in _fields(model):
                if _english(field.verbose_name, _auto_field_name(field)):
                    wrong.append(f"{label}.{field.name}")
            for name, (_function, _name, description) in model_admin.get_actions(
                _Request()
            ).items():
                if _english(description, name.replace("_", " ")):
                    wrong.append(f"{label} action {name}")
                if re.match(r"^(Delete|Mark|Send|Export) ", str(description)):
                    wrong.append(f"{label} action {name}: {description}")
    assert not wrong, "\n".join(wrong)


class _User:
    is_active = is_staff = is_superuser = True

    def has_perm(self, *args, **kwargs) -> bool:
        return True


class _Request:
    user = _User()
    GET: dict = {}


# Django 6.1's own strings that its Spanish catalogue lacks come from locale/es.
DJANGO_ENGLISH = ("- Select an option -", "Filter by ")


@pytest.mark.django_db
def test_every_changelist_and_add_form_reads_in_spanish(client: Client):
    """Walk the admin as a superuser in Spanish: each changelist and add form of our models
    answers, in Spanish, with Spanish column, filter and field names."""
    user = make_staff_user(username="raiz", password="raiz-clave-1")
    client.force_login(user)
    client.cookies["django_language"] = "es"
    problems = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        if meta.app_label in NOT_OURS:
            continue
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        for url in (base, base + "add/"):
            answer = client.get(url)
            if answer.status_code == 403 and url.endswith("add/"):
                continue  # no adding by hand (ledger entries, events): nothing to read
            if answer.status_code != 200:
                problems.append(f"{url}: {answer.status_code}")
                continue
            page = answer.content.decode()
            assert '<html lang="es"' in page
            for english in (
                "Add " + str(meta.verbose_name),
                "Select " + str(meta.verbose_name),
                *DJANGO_ENGLISH,
            ):
                if english in page:
                    problems.append(f"{url}: {english!r}")
        for spec in model_admin.list_filter:
            field_name = spec[0] if isinstance(spec, tuple) else spec
            if isinstance(field_name, str) and "__" not in field_name:
                field = meta.get_field(field_name)
                if _english(field.verbose_name, _auto_field_name(field)):
                    problems.append(f"{base}: filter {field_name}")
    assert not problems, "\n".join(problems)
