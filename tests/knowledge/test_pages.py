"""The help centre, an article with "¿Fue útil?", the request form's suggestions, the agents'
link picker and the staff report, through Django's test client."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from contracts.models import Channel
from contracts.services import contract_cancel
from credits.services import credit_account_get_or_create, credits_top_up
from knowledge.models import ArticleFeedback, ArticleView, SuggestionSession
from tests.api.conftest import client_for
from tests.clients import signed_in
from tests.factories import make_contract
from tickets.models import Ticket
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db


def test_anyone_reads_the_public_articles_not_the_plans_nor_the_drafts(kb):
    page = Client().get("/help/")

    assert page.status_code == 200
    text = page.content.decode()
    assert kb.mail.title in text
    assert kb.redirect.title in text
    assert kb.firewall_plan_only.title not in text
    assert kb.draft.title not in text
    assert Client().get(f"/help/{kb.firewall_plan_only.slug}/").status_code == 404
    assert Client().get(f"/help/{kb.draft.slug}/").status_code == 404


def test_a_contact_reads_their_plans_articles_another_customer_does_not(kb):
    own = signed_in(kb.user).get(f"/help/{kb.firewall_plan_only.slug}/")
    other = signed_in(kb.other_user).get(f"/help/{kb.firewall_plan_only.slug}/")

    assert own.status_code == 200
    assert other.status_code == 404
    assert kb.firewall_plan_only.title in signed_in(kb.user).get("/help/").content.decode()
    staff = signed_in(kb.agent).get(f"/help/{kb.firewall_plan_only.slug}/")
    assert staff.status_code == 200


def test_the_search_page_finds_the_tutorial(kb):
    page = Client().get("/help/", {"q": "crear cuenta correo"})

    results = re.findall(r'<li><a href="/help/([a-z0-9-]+)/"', page.content.decode())
    assert results[0] == kb.mail.slug


def test_an_english_reader_gets_english_links_and_the_translation(kb):
    browser = Client(headers={"accept-language": "en"})
    page = browser.get(f"/help/{kb.mail.slug}/")

    assert page.status_code == 200
    assert f'href="/help/{kb.mail_en.slug}/"' in page.content.decode()
    assert "Read in English" in page.content.decode()
    index = browser.get("/help/").content.decode()
    assert kb.mail_en.title in index
    assert kb.mail.title not in index
    assert 'lang="es"' in index  # the untranslated Spanish articles say their language


def test_opening_an_article_counts_a_view_staff_previews_do_not(kb):
    Client().get(f"/help/{kb.mail.slug}/")
    signed_in(kb.user).get(f"/help/{kb.mail.slug}/")
    signed_in(kb.agent).get(f"/help/{kb.mail.slug}/")

    assert ArticleView.objects.filter(article=kb.mail).count() == 2


def test_fue_util_yes_then_no_keeps_one_answer(kb):
    browser = signed_in(kb.user)

    answer = browser.post(f"/help/{kb.mail.slug}/feedback/", {"helpful": "yes"})
    assert answer.status_code == 302
    assert answer["Location"].endswith("#feedback")
    browser.post(f"/help/{kb.mail.slug}/feedback/", {"helpful": "no", "comment": "Faltan fotos"})

    (feedback,) = ArticleFeedback.objects.all()
    assert (feedback.helpful, feedback.comment, feedback.contact) == (
        False,
        "Faltan fotos",
        kb.contact,
    )
    page = browser.get(f"/help/{kb.mail.slug}/").content.decode()
    assert "Usted respondió que no" in page


def test_an_anonymous_reader_answers_once_per_browser(kb):
    browser = Client()
    browser.post(f"/help/{kb.mail.slug}/feedback/", {"helpful": "yes"})
    browser.post(f"/help/{kb.mail.slug}/feedback/", {"helpful": "yes"})
    Client().post(f"/help/{kb.mail.slug}/feedback/", {"helpful": "no"})

    assert ArticleFeedback.objects.count() == 2


def test_anonymous_answers_from_one_address_are_bounded(kb, settings):
    # a new browser session costs nothing: the address bounds how many answers it gives
    settings.KB_FEEDBACK_LIMIT_PER_ADDRESS = 2
    url = f"/help/{kb.mail.slug}/feedback/"
    for helpful in ("yes", "no"):
        Client().post(url, {"helpful": helpful})

    refused = Client().post(url, {"helpful": "no"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "Too many requests" in refused.content.decode()
    assert ArticleFeedback.objects.count() == 2
    signed_in(kb.user).post(url, {"helpful": "yes"})  # a signed-in reader is one reader
    assert ArticleFeedback.objects.count() == 3


def test_bad_feedback_is_a_message_never_a_500(kb):
    browser = signed_in(kb.user)
    for data in ({}, {"helpful": "maybe"}, {"helpful": "no", "comment": "x" * 25_000}):
        answer = browser.post(f"/help/{kb.mail.slug}/feedback/", data, follow=True)
        assert answer.status_code == 200
        assert "alert error" in answer.content.decode()
    assert not ArticleFeedback.objects.exists()


def test_suggestions_answer_json_with_links_that_count_as_from_the_form(kb):
    answer = signed_in(kb.user).get("/help/suggestions.json", {"q": "cuenta de correo"})

    assert answer.status_code == 200
    assert answer["Cache-Control"] == "private, no-store"
    first = answer.json()["articles"][0]
    assert first["title"] == kb.mail.title
    assert first["url"] == f"/help/{kb.mail.slug}/?from=form"
    assert Client().get("/help/suggestions.json", {"q": ""}).json() == {"articles": []}


def test_the_request_form_offers_suggestions_through_a_script_file(kb):
    page = signed_in(kb.user).get("/portal/tickets/new/").content.decode()

    assert 'id="kb-suggestions"' in page
    assert 'data-endpoint="/help/suggestions.json"' in page
    assert re.search(r'<script src="/static/creditdesk/knowledge.js" defer>', page)
    assert "<script>" not in page  # no inline script: the CSP would refuse it


def _top_up(customer):
    credits_top_up(account=credit_account_get_or_create(customer=customer), credits="5")


def test_an_article_opened_from_the_form_then_a_request_is_not_avoided(kb):
    browser = signed_in(kb.user)
    browser.get(f"/help/{kb.mail.slug}/", {"from": "form"})
    _top_up(kb.contact.customer)

    answer = browser.post(
        "/portal/tickets/new/", {"subject": "Sigo sin poder crear la cuenta", "urgency": "medium"}
    )

    assert answer.status_code == 302, answer.content.decode()[:2000]
    (session,) = SuggestionSession.objects.all()
    ticket = Ticket.objects.get()
    assert (session.submitted_at is not None, session.ticket_number) == (True, ticket.number)


def test_an_article_opened_from_the_form_and_no_request_is_avoided(kb):
    browser = signed_in(kb.user)
    with time_machine.travel(timezone.now() - timedelta(hours=1)):
        browser.get(f"/help/{kb.mail.slug}/", {"from": "form"})

    report = signed_in(kb.agent).get("/workspace/knowledge/").content.decode()

    assert re.search(r'data-testid="avoided">1<', report)
    assert re.search(r'data-testid="avoided-rate">100 %<', report)


def test_the_report_is_for_staff(kb):
    assert signed_in(kb.user).get("/workspace/knowledge/").status_code == 403
    assert Client().get("/workspace/knowledge/").status_code == 302
    for month in ("2026-02", "9999-99", "x" * 300, "2026-13"):
        assert signed_in(kb.agent).get("/workspace/knowledge/", {"month": month}).status_code == 200


def test_the_navigation_offers_help_to_contacts_and_staff(kb):
    for user in (kb.user, kb.agent):
        page = signed_in(user).get("/help/").content.decode()
        assert 'href="/help/" aria-current="page"' in page


def _ticket(kb):
    _top_up(kb.contact.customer)
    return ticket_open(channel=Channel.PORTAL, requester=kb.contact, subject="Correo").ticket


def test_the_reply_box_picks_among_the_customers_articles(kb):
    ticket = _ticket(kb)

    page = signed_in(kb.agent).get(f"/workspace/tickets/{ticket.number}/").content.decode()

    assert 'data-insert-target="id_body" data-insert-from="id_article"' in page
    assert f'data-insert-text="{kb.mail.title}: http://127.0.0.1:8000/help/{kb.mail.slug}/"' in page
    assert kb.firewall_plan_only.title in page  # the customer's plan reads it
    assert kb.draft.title not in page


def test_the_picker_offers_what_the_customer_reads_now_not_the_tickets_old_plan(kb):
    """A ticket stays on the contract it was opened under; once that contract is cancelled and
    the customer is on another plan, the old plan's articles are a 404 to them, so the reply
    box offers them no longer (with or without JavaScript)."""
    ticket = _ticket(kb)
    contract_cancel(ticket.contract, reason="Cambio de plan")
    make_contract(kb.contact.customer, kb.other_plan, starts_on=date(2026, 2, 1))
    browser = signed_in(kb.agent)

    page = browser.get(f"/workspace/tickets/{ticket.number}/").content.decode()
    inserted = browser.post(
        f"/workspace/tickets/{ticket.number}/reply/",
        {"body": "", "kind": "public", "article": kb.firewall_plan_only.pk, "insert_article": "1"},
    ).content.decode()

    assert signed_in(kb.user).get(f"/help/{kb.firewall_plan_only.slug}/").status_code == 404
    assert kb.firewall_plan_only.title not in page
    assert kb.mail.title in page
    assert f"/help/{kb.firewall_plan_only.slug}/" not in inserted


def test_without_javascript_the_picker_adds_the_link_and_sends_nothing(kb):
    ticket = _ticket(kb)
    browser = signed_in(kb.agent)
    messages_before = ticket.messages.count()

    page = browser.post(
        f"/workspace/tickets/{ticket.number}/reply/",
        {
            "body": "Vea este tutorial:",
            "kind": "public",
            "article": kb.mail.pk,
            "insert_article": "1",
        },
    )

    assert page.status_code == 200
    assert f"Vea este tutorial:\n\n{kb.mail.title}: http://127.0.0.1:8000/help/" in (
        page.content.decode()
    )
    assert ticket.messages.count() == messages_before
    for article in ("", "x", "9" * 40, str(kb.draft.pk)):
        answer = browser.post(
            f"/workspace/tickets/{ticket.number}/reply/",
            {"body": "", "article": article, "insert_article": "1"},
        )
        assert answer.status_code == 200


def test_hostile_query_parameters_never_fail(kb):
    browser = signed_in(kb.user)
    for value in ("\x00", "A\x00B", "x" * 25_000, '"*', "💥" * 50):
        assert browser.get("/help/", {"q": value, "category": value}).status_code == 200
        assert browser.get("/help/suggestions.json", {"q": value}).status_code == 200
        assert browser.get(f"/help/{kb.mail.slug}/", {"from": value}).status_code == 200


def test_staff_previews_answer_no_fue_util_as_they_count_no_views(kb):
    """The article page offers staff no "¿Fue útil?" (they preview, they are not readers): a
    posted answer is refused too, so the report's answers stay the readers'."""
    answer = signed_in(kb.agent).post(f"/help/{kb.mail.slug}/feedback/", {"helpful": "no"})

    assert answer.status_code == 403
    assert not ArticleFeedback.objects.exists()


def test_a_comment_with_a_nul_is_refused_on_the_page_as_through_the_api(kb):
    """The API refuses a control character in the comment (NUL included); the page cut the NUL
    out and stored a text the reader never wrote."""
    answer = signed_in(kb.user).post(
        f"/help/{kb.mail.slug}/feedback/",
        {"helpful": "no", "comment": "Falta\x00 foto"},
        follow=True,
    )

    assert answer.status_code == 200
    assert "Sin caracteres de control" in answer.content.decode()
    assert not ArticleFeedback.objects.exists()
    api = client_for(kb.user).post(
        f"/api/v1/articles/{kb.mail.pk}/feedback/",
        {"helpful": False, "comment": "Falta\x00 foto"},
        format="json",
    )
    assert "comment" in api.json()["fields"]
