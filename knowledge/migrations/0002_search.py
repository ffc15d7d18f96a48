"""Full-text search (see knowledge/search.py), on whichever database this runs on.

SQLite: the FTS5 table `knowledge_article_fts` and the triggers that keep it in step with
`knowledge_article`. PostgreSQL: one GIN expression index per text-search configuration,
over the same expression `knowledge.search.document` builds for the queries (written out
here, so that a later change there shows up as a planner test failure, not as a silently
different old migration). Other databases get neither and search nothing.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations
from django.db.models import F, Func, TextField, Value
from django.db.models.functions import Lower

FOLD_FROM = "ÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇáàâäãéèêëíìîïóòôöõúùûüñç"
FOLD_TO = "aaaaaeeeeiiiiooooouuuuncaaaaaeeeeiiiiooooouuuunc"
TABLE = "knowledge_article_fts"

SQLITE_INSTALL = [
    f"""CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
        title, body, content='knowledge_article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    f"""CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_insert AFTER INSERT
        ON knowledge_article BEGIN
        INSERT INTO {TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_delete AFTER DELETE
        ON knowledge_article BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_update AFTER UPDATE
        OF title, body ON knowledge_article BEGIN
        INSERT INTO {TABLE}({TABLE}, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO {TABLE}(rowid, title, body) VALUES (new.id, new.title, new.body);
        END""",
    f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS knowledge_article_fts_insert",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_delete",
    "DROP TRIGGER IF EXISTS knowledge_article_fts_update",
    f"DROP TABLE IF EXISTS {TABLE}",
]


def _fold(column):
    return Func(
        Lower(F(column)), Value(FOLD_FROM), Value(FOLD_TO),
        function="translate", output_field=TextField(),
    )


def _indexes():
    return [
        GinIndex(
            SearchVector(_fold("title"), weight="A", config=config)
            + SearchVector(_fold("body"), weight="B", config=config),
            name=f"knowledge_article_fts_{language}",
        )
        for language, config in (("es", "spanish"), ("en", "english"))
    ]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        article = apps.get_model("knowledge", "Article")
        for index in _indexes():
            schema_editor.add_index(article, index)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_UNINSTALL:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        article = apps.get_model("knowledge", "Article")
        for index in _indexes():
            schema_editor.remove_index(article, index)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
