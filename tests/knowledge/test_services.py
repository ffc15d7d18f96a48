"""Authoring rules, bounds, "¿Fue útil?" and the requests-avoided bookkeeping."""

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import InvalidInput
from knowledge.exceptions import (
    ArticleNotPublished,
    AudienceWithoutPlans,
    TranslationLanguageClash,
    TranslationOfItself,
)
from knowledge.models import (
    BODY_LIMIT,
    COMMENT_LIMIT,
    TITLE_LIMIT,
    Article,
    ArticleFeedback,
    ArticleView,
    SuggestionSession,
)
from knowledge.selectors import AVOIDED_WINDOW, deflection_months, knowledge_report
from knowledge.services import (
    article_feedback_give,
    article_publish,
    article_save,
    article_view_record,
    suggestion_request_submitted,
)
from tests.knowledge.conftest import make_article, make_category
from tests.threads import run_together

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 10, 12, tzinfo=UTC)


def test_a_translation_links_both_ways_and_relinking_unlinks_the_old_pair(kb):
    kb.mail.refresh_from_db()
    assert kb.mail.translation == kb.mail_en
    assert kb.mail_en.translation == kb.mail

    other_en = make_article("Creating mailboxes", language="en", translation=kb.mail)

    kb.mail.refresh_from_db()
    kb.mail_en.refresh_from_db()
    assert kb.mail.translation == other_en
    assert kb.mail_en.translation is None

    article_save(kb.mail, translation=None)
    other_en.refresh_from_db()
    assert other_en.translation is None


def test_a_translation_is_in_the_other_language_and_not_itself(kb):
    with pytest.raises(TranslationLanguageClash) as refused:
        article_save(kb.redirect, translation=kb.password)
    assert refused.value.field == "translation"
    assert "español" in refused.value.message("es").lower()
    assert refused.value.message("en").startswith("A translation must be")
    with pytest.raises(TranslationOfItself):
        article_save(kb.redirect, translation=kb.redirect)


def test_a_published_article_for_chosen_plans_names_one(kb):
    draft = make_article("Solo para planes", published=False, plans=[])
    draft.audience = Article.Audience.PLANS
    article_save(draft, plans=[])  # a draft may wait for its plans

    with pytest.raises(AudienceWithoutPlans) as refused:
        article_publish(draft)
    assert refused.value.field == "plans"
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT

    article_save(draft, plans=[kb.plan])
    assert article_publish(draft).published_at is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "T" * (TITLE_LIMIT + 1)), ("body", "b" * (BODY_LIMIT + 1)), ("summary", "s" * 301)],
)
def test_texts_beyond_their_bounds_are_refused_before_anything_is_written(kb, field, value):
    article = Article(title="Nuevo", body="Texto", category=make_category())
    setattr(article, field, value)

    with pytest.raises(InvalidInput) as refused:
        article_save(article)

    assert field in refused.value.fields_in("es")
    assert field in refused.value.fields_in("en")
    assert not Article.objects.filter(title="Nuevo").exists()


def test_slugs_come_from_titles_and_stay_unique(kb):
    first = make_article("Cómo crear una cuenta de correo")

    assert kb.mail.slug == "como-crear-una-cuenta-de-correo"
    assert first.slug == "como-crear-una-cuenta-de-correo-2"


def test_one_answer_per_reader_the_last_one_counts(kb):
    article_feedback_give(article=kb.mail, voter="contact:1", helpful=False, at=NOON)
    article_feedback_give(
        article=kb.mail, voter="contact:1", helpful=True, comment=" ¡Gracias! ", at=NOON
    )

    (answer,) = ArticleFeedback.objects.filter(article=kb.mail)
    assert answer.helpful
    assert answer.comment == "¡Gracias!"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_answers_of_one_reader_at_once_keep_one_answer_and_fail_none(kb):
    """A double click on "Sí", or two tabs: each request finds no answer yet and inserts
    one; the later insert replaces the earlier answer, as answering again does, instead of
    failing on the one-answer key."""
    results = run_together(
        lambda i: article_feedback_give(
            article=kb.mail, voter="contact:1", helpful=bool(i % 2), comment=str(i), at=NOON
        ),
        threads=6,
    )
    assert not [result for result in results if isinstance(result, Exception)], results
    (answer,) = ArticleFeedback.objects.filter(article=kb.mail, voter="contact:1")
    assert (answer.helpful, answer.comment) in {
        (result.helpful, result.comment) for result in results
    }


def test_feedback_bounds_and_drafts(kb):
    with pytest.raises(InvalidInput) as refused:
        article_feedback_give(
            article=kb.mail, voter="v", helpful=False, comment="x" * (COMMENT_LIMIT + 1), at=NOON
        )
    assert "comment" in refused.value.fields
    with pytest.raises(ArticleNotPublished):
        article_feedback_give(article=kb.draft, voter="v", helpful=True, at=NOON)
    assert not ArticleFeedback.objects.exists()


def _from_form(kb, article, at, session="s1"):
    return article_view_record(
        article=article,
        source=ArticleView.Source.REQUEST_FORM,
        at=at,
        contact=kb.contact,
        session_hash=session,
    )


def test_articles_opened_from_the_form_within_the_window_are_one_suggestion_session(kb):
    _from_form(kb, kb.mail, NOON)
    _from_form(kb, kb.mail_setup, NOON + timedelta(minutes=20))
    _from_form(kb, kb.redirect, NOON + timedelta(minutes=49))  # 29 after the last one
    _from_form(kb, kb.mail, NOON + timedelta(minutes=90))  # 41 after: a new visit

    sessions = list(SuggestionSession.objects.order_by("started_at"))
    assert len(sessions) == 2
    assert sessions[0].article_views.count() == 3
    assert sessions[0].customer_id == kb.contact.customer_id


def test_a_request_within_the_window_is_not_avoided_one_after_it_is(kb):
    _from_form(kb, kb.mail, NOON, session="submits")
    _from_form(kb, kb.mail, NOON, session="leaves")
    _from_form(kb, kb.mail, NOON, session="comes-back-later")

    assert suggestion_request_submitted(
        session_hash="submits", at=NOON + timedelta(minutes=10), ticket_number="T-1"
    )
    assert not suggestion_request_submitted(
        session_hash="comes-back-later",
        at=NOON + AVOIDED_WINDOW + timedelta(seconds=1),
        ticket_number="T-2",
    )

    (march,) = [m for m in deflection_months(now=NOON + timedelta(hours=1)) if m.month.month == 3]
    assert (march.sessions, march.submitted, march.avoided, march.pending) == (3, 1, 2, 0)
    assert march.avoided_rate == pytest.approx(2 / 3)


def test_a_visit_still_within_the_window_is_pending(kb):
    _from_form(kb, kb.mail, NOON)

    (march,) = [m for m in deflection_months(now=NOON + timedelta(minutes=5)) if m.month.month == 3]
    assert (march.avoided, march.pending, march.avoided_rate) == (0, 1, None)


def test_browsing_views_and_anonymous_form_views_start_no_session(kb):
    article_view_record(article=kb.mail, source=ArticleView.Source.BROWSING, at=NOON)
    view = article_view_record(
        article=kb.mail, source=ArticleView.Source.REQUEST_FORM, at=NOON, session_hash="x"
    )

    assert view.source == ArticleView.Source.BROWSING
    assert not SuggestionSession.objects.exists()


def test_the_report_counts_views_form_views_and_answers_per_article(kb):
    _from_form(kb, kb.mail, NOON)
    article_view_record(article=kb.mail, source=ArticleView.Source.BROWSING, at=NOON)
    article_view_record(article=kb.redirect, source=ArticleView.Source.BROWSING, at=NOON)
    article_view_record(
        article=kb.redirect, source=ArticleView.Source.BROWSING, at=NOON - timedelta(days=30)
    )
    article_feedback_give(article=kb.mail, voter="a", helpful=True, at=NOON)
    article_feedback_give(article=kb.mail, voter="b", helpful=False, at=NOON)
    article_feedback_give(article=kb.mail, voter="c", helpful=True, at=NOON)

    report = knowledge_report(month=NOON, now=NOON + timedelta(hours=2))

    rows = {row.article: row for row in report.articles}
    assert (rows[kb.mail].views, rows[kb.mail].from_form) == (2, 1)
    assert (rows[kb.mail].helpful, rows[kb.mail].not_helpful) == (2, 1)
    assert rows[kb.mail].helpful_rate == pytest.approx(2 / 3)
    assert rows[kb.redirect].views == 1
    assert report.deflection.avoided == 1
    assert report.deflection.avoided_rate == 1
    assert len(report.months) == 12
