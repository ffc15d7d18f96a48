"""The one search, on the database in use: run it on SQLite (the default) and on PostgreSQL
(DATABASE_URL=postgres://...): every test here but the marked ones runs on both."""

import pytest
from django.core.management import call_command
from django.db import connection

from knowledge import search
from knowledge.models import Article
from knowledge.selectors import ALL_PLANS, article_suggestions, articles_search
from knowledge.services import article_save
from tests.knowledge.conftest import make_article

pytestmark = pytest.mark.django_db


def titles(found) -> list[str]:
    return [article.title for article in found]


def test_the_tutorial_ranks_first_for_a_question_in_the_customers_words(kb):
    found = articles_search("no puedo crear cuentas de correo", language="es", plan=None)

    assert found[0] == kb.mail
    assert found[0].score > found[-1].score or len(found) == 1


def test_accents_and_capitals_are_optional(kb):
    assert articles_search("CONTRASENA", language="es", plan=None)[0] == kb.password
    assert articles_search("contraseñas", language="es", plan=None)[0] == kb.password


def test_inflected_forms_find_each_other(kb):
    # "configuración" (a noun) finds "Configurar" (a verb) and "redirección" finds "redirigir"
    assert articles_search("configuración", language="es", plan=None)[0] == kb.mail_setup
    assert kb.redirect in articles_search("redirigir dominios", language="es", plan=None)


def test_a_word_being_typed_is_matched_as_a_prefix(kb):
    assert articles_search("redir", language="es", plan=None)[0] == kb.redirect


def test_title_words_weigh_more_than_body_words(kb):
    # "correo" is in the tutorial's title, and only in the body of the password article
    found = articles_search("correo", language="es", plan=None)

    assert found.index(kb.mail) < found.index(kb.password)


def test_no_match_and_stop_words_only(kb):
    assert articles_search("xyzzy", language="es", plan=None) == []
    listed = articles_search("¿cómo?", language="es", plan=None)
    assert kb.mail in listed
    assert all(article.score is None for article in listed)
    assert article_suggestions("¿cómo?", language="es", plan=None) == []


def test_english_readers_search_english_and_the_untranslated_spanish(kb):
    found = articles_search("create email account", language="en", plan=None)

    assert found[0] == kb.mail_en
    assert kb.mail not in found  # its English translation stands for it
    assert kb.redirect in articles_search("dominio", language="en", plan=None)


def test_the_other_languages_article_shows_when_its_translation_is_not_the_readers(kb):
    """An article stands aside for its translation only where the reader may open that
    translation: a public English article whose Spanish version is for one plan is found by
    a Spanish reader without that plan, who would otherwise find neither."""
    english = make_article(
        "My IP was blocked by the firewall",
        "The firewall blocks the IP after several failed password attempts.",
        language="en",
        translation=kb.firewall_plan_only,
    )
    assert articles_search("firewall", language="es", plan=None) == [english]
    assert articles_search("firewall", language="es", plan=kb.other_plan) == [english]
    assert articles_search("firewall", language="es", plan=kb.plan) == [kb.firewall_plan_only]
    assert english in articles_search("", language="es", plan=None)
    assert english not in articles_search("", language="es", plan=kb.plan)


def test_the_search_shows_only_what_the_reader_may_read(kb):
    query = "firewall bloqueada"
    assert articles_search(query, language="es", plan=None) == []
    assert articles_search(query, language="es", plan=kb.other_plan) == []
    assert articles_search(query, language="es", plan=kb.plan) == [kb.firewall_plan_only]
    assert articles_search(query, language="es", plan=ALL_PLANS) == [kb.firewall_plan_only]
    for reader in (None, kb.plan, ALL_PLANS):
        assert kb.draft not in articles_search("copias", language="es", plan=reader)


def test_suggestions_are_a_few_of_the_best(kb):
    for n in range(8):
        make_article(f"Correo masivo {n}", "Envío de correo masivo.")

    assert len(article_suggestions("correo", language="es", plan=None)) == 5


def test_the_index_follows_edits_and_deletes(kb):
    kb.redirect.title = "Apuntar el dominio a otro servidor"
    kb.redirect.body = "Cambie los registros DNS."
    article_save(kb.redirect)

    assert kb.redirect in articles_search("registros servidor", language="es", plan=None)
    assert kb.redirect not in articles_search("redirigir", language="es", plan=None)

    Article.objects.filter(pk=kb.redirect.pk).update(body="Texto sobre certificados SSL.")
    assert articles_search("certificados", language="es", plan=None) == [kb.redirect]

    kb.redirect.delete()
    assert articles_search("certificados", language="es", plan=None) == []


def test_hostile_queries_never_fail(kb):
    for query in ['"', "*", "NEAR(", "a AND OR NOT", "x" * 25_000, "\x00", "'; DROP", "💥" * 50]:
        articles_search(query, language="es", plan=None)
        articles_search(query, language="en", plan=ALL_PLANS)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 index")
def test_sqlite_triggers_are_installed_and_a_rebuild_reinstalls_them(kb):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        triggers = {name for (name,) in cursor.fetchall()}
    assert set(search.SQLITE_TRIGGERS) <= triggers

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER knowledge_article_fts_update")
    call_command("knowledge_reindex", verbosity=0)

    article_save(
        Article(
            title="Certificados SSL",
            body="Instalar",
            category=kb.mail.category,
            status=Article.Status.PUBLISHED,
        )
    )
    kb.redirect.title = "Hosting de correo"
    article_save(kb.redirect)
    assert kb.redirect in articles_search("hosting", language="es", plan=None)


@pytest.mark.postgres
@pytest.mark.parametrize("language", ["es", "en"])
def test_postgresql_answers_the_match_from_the_gin_indexes(kb, language):
    """The selector's expression is the indexes' (else PostgreSQL would read every row)."""
    query = (
        Article.objects.annotate(document=search.document(language))
        .filter(
            document=search.SearchQuery(
                "correo | email", config=search.CONFIG[language], search_type="raw"
            )
        )
        .order_by()
        .values("pk")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert f"knowledge_article_fts_{language}" in plan, plan
