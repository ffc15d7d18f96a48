"""Every write of the knowledge base: authoring (admin and presets), reading, "¿Fue útil?".

Authoring keeps three rules before anything is written: texts within their bounds
(`knowledge.models` limits, the model's own validation), an article for chosen plans names
at least one plan once it is published, and a translation is another article in the other
language, linked both ways (linking A to B unlinks whatever A or B was linked to).

Reading records what the request-deflection figures need (`knowledge.selectors`): a view,
and for a view from the request form the suggestion session it belongs to; a request
submitted from the form marks that session submitted. The search index needs no service:
SQLite's triggers and PostgreSQL's expression indexes follow the rows themselves.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from contracts.models import Contact, Plan
from core.errors import full_clean_or_raise, text_printable
from knowledge.exceptions import (
    ArticleNotPublished,
    AudienceWithoutPlans,
    TranslationLanguageClash,
    TranslationOfItself,
)
from knowledge.models import Article, ArticleFeedback, ArticleView, Category, SuggestionSession
from knowledge.selectors import AVOIDED_WINDOW

_UNCHANGED: Any = object()


def category_save(category: Category) -> Category:
    full_clean_or_raise(category, texts=["name_es", "name_en"])
    category.save()
    return category


def article_check(
    article: Article, *, plans: Iterable[Plan] | None, translation: Article | None
) -> None:
    """The authoring rules that a form can show on its fields (see the module docstring);
    raises the refusal, writes nothing. `plans` None: the article's stored plans."""
    for name in ("title", "summary", "body"):  # shown in pages, mails and the portal
        text_printable(getattr(article, name) or "", field=name)
    if translation is not None:
        if article.pk is not None and translation.pk == article.pk:
            raise TranslationOfItself()
        if translation.language == article.language:
            raise TranslationLanguageClash(
                title=translation.title, language=translation.get_language_display()
            )
    if article.status == Article.Status.PUBLISHED and article.audience == Article.Audience.PLANS:
        chosen = list(plans) if plans is not None else []
        if plans is None and article.pk is not None:
            chosen = list(article.plans.all())
        if not chosen:
            raise AudienceWithoutPlans()


def _unique_slug(article: Article) -> str:
    base = slugify(article.slug or article.title)[:100].strip("-") or "articulo"
    taken = set(
        Article.objects.filter(slug__startswith=base)
        .exclude(pk=article.pk)
        .values_list("slug", flat=True)
    )
    slug, counter = base, 2
    while slug in taken:
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


def article_save(
    article: Article,
    *,
    plans: Iterable[Plan] | None = None,
    translation: Article | None = _UNCHANGED,
    by=None,
    at: datetime | None = None,
) -> Article:
    """Create or update `article` (its fields as set on the instance): bounds and rules first,
    then the row, its plans (None: unchanged) and the translation link both ways."""
    at = at or timezone.now()
    if translation is _UNCHANGED:
        translation = article.translation
    plans = list(plans) if plans is not None else None
    article.slug = _unique_slug(article)
    article.translation = translation
    full_clean_or_raise(article, exclude=["translation"])
    article_check(article, plans=plans, translation=translation)
    if article.is_published and article.published_at is None:
        article.published_at = at
    article.updated_by = by
    with transaction.atomic():
        pair = [pk for pk in (article.pk, translation.pk if translation else None) if pk]
        # Any other article linked to either of the two lets go first (one-to-one).
        Article.objects.filter(translation_id__in=pair).exclude(pk__in=pair).update(
            translation=None
        )
        article.save()
        if plans is not None:
            article.plans.set(plans)
        if translation is not None:
            Article.objects.filter(pk=translation.pk).update(translation=article)
            translation.translation = article
    return article


def article_publish(article: Article, *, by=None, at: datetime | None = None) -> Article:
    article.status = Article.Status.PUBLISHED
    return article_save(article, by=by, at=at)


def article_unpublish(article: Article, *, by=None) -> Article:
    article.status = Article.Status.DRAFT
    return article_save(article, by=by)


def article_upsert(
    *,
    slug: str,
    category: Category,
    language: str,
    title: str,
    body: str,
    summary: str = "",
    audience: str = Article.Audience.EVERYONE,
    plans: Iterable[Plan] = (),
    position: int = 0,
    translation: Article | None = _UNCHANGED,
    published: bool = True,
) -> Article:
    """Presets: the article `slug` brought to these values (idempotent); `translation` left
    out keeps the article's link."""
    article = Article.objects.filter(slug=slug).first() or Article(slug=slug)
    values = {
        "category": category,
        "language": language,
        "title": title,
        "body": body,
        "summary": summary,
        "audience": audience,
        "position": position,
        "status": Article.Status.PUBLISHED if published else Article.Status.DRAFT,
    }
    plans = list(plans)
    unchanged = (
        article.pk is not None
        and all(getattr(article, name) == value for name, value in values.items())
        and set(article.plans.all()) == set(plans)
        and (
            translation is _UNCHANGED or article.translation_id == getattr(translation, "pk", None)
        )
    )
    if unchanged:
        return article
    for name, value in values.items():
        setattr(article, name, value)
    return article_save(article, plans=plans, translation=translation)


# --- readers ------------------------------------------------------------------------------


def article_view_record(
    *,
    article: Article,
    source: str,
    at: datetime,
    contact: Contact | None = None,
    session_hash: str = "",
) -> ArticleView:
    """A reader opened `article`. From the request form (a contact's signed-in session), the
    view joins that session's open suggestion session: the one whose last article was opened
    within `AVOIDED_WINDOW`, else a new one."""
    suggestion = None
    if source == ArticleView.Source.REQUEST_FORM and session_hash and contact is not None:
        with transaction.atomic():
            suggestion = (
                SuggestionSession.objects.filter(
                    session_hash=session_hash,
                    submitted_at__isnull=True,
                    last_opened_at__gte=at - AVOIDED_WINDOW,
                )
                .order_by("-last_opened_at")
                .first()
            )
            if suggestion is None:
                suggestion = SuggestionSession.objects.create(
                    session_hash=session_hash,
                    customer_id=contact.customer_id,
                    contact=contact,
                    started_at=at,
                    last_opened_at=at,
                )
            else:
                suggestion.last_opened_at = max(suggestion.last_opened_at, at)
                suggestion.save(update_fields=["last_opened_at"])
    elif source == ArticleView.Source.REQUEST_FORM:
        source = ArticleView.Source.BROWSING
    return ArticleView.objects.create(
        article=article, at=at, source=source, contact=contact, suggestion_session=suggestion
    )


def suggestion_request_submitted(*, session_hash: str, at: datetime, ticket_number: str) -> int:
    """A request was submitted from the portal form: the session's suggestion sessions still
    within `AVOIDED_WINDOW` of their last article were not avoided. Returns how many."""
    if not session_hash:
        return 0
    return SuggestionSession.objects.filter(
        session_hash=session_hash,
        submitted_at__isnull=True,
        last_opened_at__gte=at - AVOIDED_WINDOW,
        last_opened_at__lte=at,
    ).update(submitted_at=at, ticket_number=ticket_number[:40])


def article_feedback_give(
    *,
    article: Article,
    voter: str,
    helpful: bool,
    at: datetime,
    comment: str = "",
    contact: Contact | None = None,
) -> ArticleFeedback:
    """The reader's answer to "¿Fue útil?" on a published article; answering again replaces
    the earlier answer (one per reader and article)."""
    if not article.is_published:
        raise ArticleNotPublished(title=article.title)
    answer = ArticleFeedback.objects.filter(article=article, voter=voter).first()
    answer = answer or ArticleFeedback(article=article, voter=voter[:80])
    answer.helpful, answer.comment, answer.at = bool(helpful), comment.strip(), at
    answer.contact = contact or answer.contact
    full_clean_or_raise(answer, texts=["comment"], exclude=["article", "contact"])
    with transaction.atomic():
        if answer.pk is not None:
            answer.save()
            return answer
        try:
            with transaction.atomic():
                answer.save(force_insert=True)
        except IntegrityError:
            # The same reader answered since the read (a double click, two tabs): this answer
            # replaces that one, as answering again does.
            changes = {"helpful": answer.helpful, "comment": answer.comment, "at": at}
            if contact is not None:
                changes["contact"] = contact
            mine = ArticleFeedback.objects.filter(article=article, voter=answer.voter)
            if not mine.update(**changes):
                raise
            answer = mine.get()
    return answer
