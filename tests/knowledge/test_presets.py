"""The seeds' articles load with their presets: seed 000's for everyone, seed 002's for the
tiers that include the knowledge base; loading twice changes nothing."""

import io

import pytest
from django.core.management import call_command

from contracts.models import Plan
from knowledge.models import Article, Category
from knowledge.selectors import articles_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def presets():
    call_command("load_presets", "sla-service-types", "support-tiers", stdout=io.StringIO())


def test_seed_000s_tutorials_are_public_and_translated(presets):
    tutorial = Article.objects.get(slug="como-crear-una-cuenta-de-correo")

    assert tutorial.is_published
    assert tutorial.audience == Article.Audience.EVERYONE
    assert tutorial.translation.slug == "how-to-create-an-email-account"
    assert tutorial.translation.translation == tutorial
    found = articles_search("¿Cómo creo una cuenta de email?", language="es", plan=None)
    assert found[0] == tutorial


def test_seed_002s_articles_are_for_the_three_tiers(presets):
    article = Article.objects.get(slug="mi-ip-quedo-bloqueada-en-el-firewall")
    tiers = set(Plan.objects.filter(code__startswith="soporte-nivel-"))

    assert article.audience == Article.Audience.PLANS
    assert set(article.plans.all()) == tiers
    assert len(tiers) == 3
    nivel_1 = Plan.objects.get(code="soporte-nivel-1")
    assert articles_search("ip bloqueada", language="es", plan=nivel_1)[0] == article
    assert article not in articles_search("ip bloqueada", language="es", plan=None)


def test_loading_twice_changes_nothing(presets):
    before = list(Article.objects.values_list("pk", "updated_at", "translation_id"))
    categories = Category.objects.count()

    call_command("load_presets", stdout=io.StringIO())

    assert list(Article.objects.values_list("pk", "updated_at", "translation_id")) == before
    assert Category.objects.count() == categories
    assert len(before) >= 12
