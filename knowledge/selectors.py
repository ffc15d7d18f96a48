"""Reads of the knowledge base: who may read what, the one search, and the figures.

Who reads an article: a published article for everyone is read by anyone, signed in or not;
one for chosen plans only by the contacts of customers whose live contract is on one of
those plans; staff read every published article (`ALL_PLANS`); drafts are read in the
admin only. Entry points pass the reader's plan as `creditdesk.roles.knowledge_plan_of`
decides it.

Languages: a reader sees the articles in their language, and the ones in the other language
that have no translation in theirs that they may open (a Spanish-only tutorial is still found
by an English reader, marked with its language).

Requests avoided: see `AVOIDED_WINDOW` and `deflection_month`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Final

from django.db.models import Count, Exists, FloatField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import TruncMonth
from django.utils import timezone

from contracts.models import Plan
from knowledge import search
from knowledge.models import Article, ArticleFeedback, ArticleView, Category, SuggestionSession
from knowledge.text import query_terms


class _AllPlans:
    """The staff reader: every published article, whatever its plans."""

    def __repr__(self) -> str:
        return "ALL_PLANS"


ALL_PLANS: Final = _AllPlans()
Reader = Plan | _AllPlans | None

# A view of an article from the request form counts as a request avoided when no request is
# submitted from the same browser session within this time after the last article opened
# from the form. Until then it is pending, counted neither way.
AVOIDED_WINDOW = timedelta(minutes=30)

SUGGESTIONS = 5


def _readable(plan: Reader) -> Q:
    """The published articles of the queried model (an outer query's or a subquery's) that
    `plan`'s readers may open."""
    allowed = Q(status=Article.Status.PUBLISHED)
    if isinstance(plan, _AllPlans):
        return allowed
    audience = Q(audience=Article.Audience.EVERYONE)
    if plan is not None:
        on_plan = Article.plans.through.objects.filter(article_id=OuterRef("pk"), plan=plan)
        audience |= Q(Exists(on_plan), audience=Article.Audience.PLANS)
    return allowed & audience


def articles_visible(*, plan: Reader, language: str | None = None) -> QuerySet[Article]:
    """Published articles `plan`'s readers may open (see the module docstring); with
    `language`, those in it plus the other language's without a translation in it that they
    may open (one for other plans does not hide the article its readers may open)."""
    articles = Article.objects.filter(_readable(plan))
    if language is not None:
        translated = Article.objects.filter(
            _readable(plan), pk=OuterRef("translation_id"), language=language
        )
        articles = articles.filter(Q(language=language) | ~Exists(translated))
    return articles.select_related("category")


def article_get(*, slug: str, plan: Reader) -> Article | None:
    """The published article `slug` if `plan`'s readers may open it (else None, a 404)."""
    return articles_visible(plan=plan).filter(slug=slug).first()


def article_translation(article: Article, *, plan: Reader) -> Article | None:
    """The article's translation, when it is published and readable by `plan`."""
    if article.translation_id is None:
        return None
    return articles_visible(plan=plan).filter(pk=article.translation_id).first()


def translations_readable(articles: Iterable[Article], *, plan: Reader) -> set[int]:
    """The ids of `articles`' translations that `plan`'s readers may open: one query for a
    page of articles, whatever the size of the base."""
    ids = {article.translation_id for article in articles if article.translation_id is not None}
    if not ids:
        return set()
    return set(articles_visible(plan=plan).filter(pk__in=ids).values_list("pk", flat=True))


def articles_search(
    query: str, *, language: str, plan: Reader, category: Category | None = None, limit=None
) -> QuerySet[Article] | list[Article]:
    """The one search (portal, suggestions, API, the agents' link picker): the articles
    `plan`'s readers may open, best match first, each with `.score`. An empty query (or one
    of stop words only) lists them by category and position instead, `.score` None."""
    articles = articles_visible(plan=plan, language=language)
    if category is not None:
        articles = articles.filter(category=category)
    terms = query_terms(query or "", language=language)
    if not terms:
        # Lazy: a page of the list reads that page's articles, not the whole base; the id
        # breaks ties, so that pages never repeat or skip an article.
        listed = articles.annotate(score=Value(None, output_field=FloatField())).order_by(
            *Article._meta.ordering, "pk"
        )
        return listed[:limit] if limit else listed
    scores = search.rank(articles, terms)
    found = list(articles.filter(pk__in=scores))
    for article in found:
        article.score = scores[article.pk]
    # Ties (the same words as often) go to the reader's language, then the title.
    found.sort(key=lambda a: (-a.score, a.language != language, a.title))
    return found[:limit] if limit else found


def article_suggestions(query: str, *, language: str, plan: Reader) -> list[Article]:
    """What the request form offers while the customer types the subject: a few of the
    search's best matches, nothing for an empty subject."""
    if not query_terms(query or "", language=language):
        return []
    return list(articles_search(query, language=language, plan=plan, limit=SUGGESTIONS))


def categories_with_articles(*, plan: Reader, language: str) -> list[tuple[Category, list]]:
    """[(category, its articles the reader may open)], in the categories' order."""
    grouped: dict[int, tuple[Category, list]] = {}
    for article in articles_visible(plan=plan, language=language):
        grouped.setdefault(article.category_id, (article.category, []))[1].append(article)
    return sorted(grouped.values(), key=lambda item: (item[0].position, item[0].name_es))


def feedback_of(article: Article, *, voter: str) -> ArticleFeedback | None:
    return ArticleFeedback.objects.filter(article=article, voter=voter).first()


# --- figures ------------------------------------------------------------------------------


@dataclass
class ArticleFigures:
    article: Article
    views: int = 0
    from_form: int = 0
    helpful: int = 0
    not_helpful: int = 0

    @property
    def helpful_rate(self) -> float | None:
        answers = self.helpful + self.not_helpful
        return self.helpful / answers if answers else None


@dataclass
class DeflectionFigures:
    """The request form's visits with an article opened, in a month (by first article)."""

    month: datetime
    sessions: int = 0
    avoided: int = 0
    submitted: int = 0
    pending: int = 0

    @property
    def avoided_rate(self) -> float | None:
        """Avoided / (avoided + submitted): pending visits are not decided yet."""
        decided = self.avoided + self.submitted
        return self.avoided / decided if decided else None


@dataclass
class KnowledgeReport:
    month: datetime
    articles: list[ArticleFigures] = field(default_factory=list)
    deflection: DeflectionFigures | None = None
    months: list[DeflectionFigures] = field(default_factory=list)


def month_range(month: datetime) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of the month `month` falls in, in the
    current time zone."""
    start = timezone.localtime(month).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (start + timedelta(days=32)).replace(day=1)
    return start, following.replace(tzinfo=start.tzinfo)


def deflection_months(*, now: datetime, months: int = 12) -> list[DeflectionFigures]:
    """Requests avoided per month for the `months` months up to `now`'s, newest first.

    A suggestion session is submitted when a request was sent within `AVOIDED_WINDOW` of its
    last article; avoided when none was and the window has passed; pending until then."""
    first, _ = month_range(now)
    for _step in range(months - 1):
        first = month_range(first - timedelta(days=1))[0]
    _, end = month_range(now)
    cutoff = now - AVOIDED_WINDOW
    rows = (
        SuggestionSession.objects.filter(started_at__gte=first, started_at__lt=end)
        .annotate(month=TruncMonth("started_at"))
        .values("month")
        .annotate(
            sessions=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            avoided=Count("pk", filter=Q(submitted_at__isnull=True, last_opened_at__lte=cutoff)),
        )
    )
    by_month = {timezone.localtime(row["month"]).date().replace(day=1): row for row in rows}
    figures = []
    start = month_range(now)[0]
    for _step in range(months):
        row = by_month.get(start.date(), {})
        sessions = row.get("sessions", 0)
        submitted, avoided = row.get("submitted", 0), row.get("avoided", 0)
        figures.append(
            DeflectionFigures(
                month=start,
                sessions=sessions,
                submitted=submitted,
                avoided=avoided,
                pending=sessions - submitted - avoided,
            )
        )
        start = month_range(start - timedelta(days=1))[0]
    return figures


def knowledge_report(*, month: datetime, now: datetime) -> KnowledgeReport:
    """Per article, in `month`: views, views from the request form, "¿Fue útil?" answers
    (by the month of the answer's last change); the month's requests avoided and the twelve
    months up to `now` (`deflection_months`)."""
    start, end = month_range(month)
    in_month = Q(at__gte=start, at__lt=end)
    views = dict(
        ArticleView.objects.filter(in_month)
        .values("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    from_form = dict(
        ArticleView.objects.filter(in_month, source=ArticleView.Source.REQUEST_FORM)
        .values("article")
        .annotate(n=Count("pk"))
        .values_list("article", "n")
    )
    answers: dict[tuple[int, bool], int] = {
        (article, helpful): n
        for article, helpful, n in ArticleFeedback.objects.filter(in_month)
        .values("article", "helpful")
        .annotate(n=Count("pk"))
        .values_list("article", "helpful", "n")
    }
    touched = set(views) | {article for article, _helpful in answers}
    articles = Article.objects.filter(pk__in=touched).select_related("category")
    figures = [
        ArticleFigures(
            article=article,
            views=views.get(article.pk, 0),
            from_form=from_form.get(article.pk, 0),
            helpful=answers.get((article.pk, True), 0),
            not_helpful=answers.get((article.pk, False), 0),
        )
        for article in articles
    ]
    figures.sort(key=lambda f: (-f.views, -(f.helpful + f.not_helpful), f.article.title))
    history = deflection_months(now=now)
    current = next((m for m in history if m.month == start), None)
    if current is None:
        current = _deflection_of(start, end, now=now)
    return KnowledgeReport(month=start, articles=figures, deflection=current, months=history)


def _deflection_of(start: datetime, end: datetime, *, now: datetime) -> DeflectionFigures:
    sessions = SuggestionSession.objects.filter(started_at__gte=start, started_at__lt=end)
    total = sessions.count()
    submitted = sessions.filter(submitted_at__isnull=False).count()
    avoided = sessions.filter(
        submitted_at__isnull=True, last_opened_at__lte=now - AVOIDED_WINDOW
    ).count()
    return DeflectionFigures(
        month=start,
        sessions=total,
        submitted=submitted,
        avoided=avoided,
        pending=total - submitted - avoided,
    )
