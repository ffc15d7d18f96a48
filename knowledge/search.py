"""Full-text search on the database in use, behind `knowledge.selectors.articles_search`.

PostgreSQL (production): each article's title (weight A) and body (weight B), folded to
lower case without accents, as a tsvector in its language's configuration (`spanish`,
`english`: stemming and stop words), ranked with `ts_rank`. Two GIN expression indexes (one
per configuration, migration 0002) answer the match; `document` here must stay the
expression those indexes were built on, or PostgreSQL reads every row
(`tests/knowledge/test_search.py` asks the planner).

SQLite (the embedded default): the FTS5 table `knowledge_article_fts` (unicode61 tokens,
accents removed), an external-content index of `knowledge_article` that triggers keep in
step with every insert, update and delete (a flush in tests, an admin edit, a raw UPDATE),
ranked with `bm25` (title ten times the body).

Both take the words of `knowledge.text.query_terms` and find articles with any of them, so
"no puedo crear una cuenta de correo" still finds "Cómo crear una cuenta de correo"; the
rank puts the articles that share the most (and the rarer) words first.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, QuerySet, TextField, Value
from django.db.models.functions import Lower

from knowledge.models import Article
from knowledge.text import prefix

CONFIG = {"es": "spanish", "en": "english"}
FOLD_FROM = "ÁÀÂÄÃÉÈÊËÍÌÎÏÓÒÔÖÕÚÙÛÜÑÇáàâäãéèêëíìîïóòôöõúùûüñç"
FOLD_TO = "aaaaaeeeeiiiiooooouuuuncaaaaaeeeeiiiiooooouuuunc"

SQLITE_TABLE = "knowledge_article_fts"
# The same statements as migration 0002 (which keeps its own copy, as history).
SQLITE_INSTALL = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS knowledge_article_fts USING fts5(
        title, body, content='knowledge_article', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_insert AFTER INSERT
        ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
        END""",
    """CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_delete AFTER DELETE
        ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        END""",
    """CREATE TRIGGER IF NOT EXISTS knowledge_article_fts_update AFTER UPDATE
        OF title, body ON knowledge_article BEGIN
        INSERT INTO knowledge_article_fts(knowledge_article_fts, rowid, title, body)
        VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO knowledge_article_fts(rowid, title, body)
        VALUES (new.id, new.title, new.body);
        END""",
    "INSERT INTO knowledge_article_fts(knowledge_article_fts) VALUES ('rebuild')",
]
SQLITE_TRIGGERS = (
    "knowledge_article_fts_insert",
    "knowledge_article_fts_delete",
    "knowledge_article_fts_update",
)


def sqlite_install(cursor) -> None:
    """The FTS5 table and its triggers (idempotent), then the index rebuilt from the rows."""
    for statement in SQLITE_INSTALL:
        cursor.execute(statement)


def _fold(column: str) -> Func:
    return Func(
        Lower(F(column)),
        Value(FOLD_FROM),
        Value(FOLD_TO),
        function="translate",
        output_field=TextField(),
    )


def document(language: str) -> SearchVector:
    """The tsvector of an article in `language`: the GIN indexes' expression (see above)."""
    config = CONFIG[language]
    return SearchVector(_fold("title"), weight="A", config=config) + SearchVector(
        _fold("body"), weight="B", config=config
    )


def _tsquery(terms: list[str], language: str) -> str:
    """`(word | start:*) | ...`: the folded word itself, stemmed by the configuration, or any
    word beginning with its start ("configuracion" also finds "configurar")."""
    parts = []
    for term in terms:
        start = prefix(term, language=language)
        parts.append(f"({term} | {start}:*)" if start != term else f"{term}:*")
    return " | ".join(parts)


def _fts5_query(terms: list[str], language: str) -> str:
    return " OR ".join(f'"{prefix(term, language=language)}"*' for term in terms)


def rank(articles: QuerySet[Article], terms: list[str]) -> dict[int, float]:
    """{article id: score} for the articles of `articles` that match any of `terms` (words of
    `knowledge.text.query_terms`); a higher score is a better match."""
    if not terms:
        return {}
    if connection.vendor == "postgresql":
        return _rank_postgresql(articles, terms)
    return _rank_sqlite(articles, terms)


def _rank_postgresql(articles: QuerySet[Article], terms: list[str]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for language in CONFIG:
        query = SearchQuery(_tsquery(terms, language), config=CONFIG[language], search_type="raw")
        found = (
            articles.filter(language=language)
            .annotate(document=document(language))
            .filter(document=query)
            .annotate(score=SearchRank(document(language), query))
            .values_list("pk", "score")
        )
        scores.update((pk, float(score)) for pk, score in found)
    return scores


def _rank_sqlite(articles: QuerySet[Article], terms: list[str]) -> dict[int, float]:
    scores: dict[int, float] = {}
    by_language: dict[str, list[int]] = {}
    for pk, language in articles.values_list("pk", "language"):
        by_language.setdefault(language, []).append(pk)
    with connection.cursor() as cursor:
        for language, ids in by_language.items():
            cursor.execute(
                "SELECT rowid, bm25(knowledge_article_fts, 10.0, 1.0) FROM knowledge_article_fts "
                "WHERE knowledge_article_fts MATCH %s",
                [_fts5_query(terms, language)],
            )
            wanted = set(ids)
            # bm25 is lower for a better match: negate it so that higher is better everywhere.
            scores.update((pk, -score) for pk, score in cursor.fetchall() if pk in wanted)
    return scores
