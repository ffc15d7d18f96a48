"""The knowledge base in a real browser (tests/web/test_browser.py's Chromium, axe-core and
CSP watch): suggestions while typing a request's subject, an article with "¿Fue útil?", the
help centre at phone width in Spanish and English, the agent's link picker and the report.
Screenshots go to KB_SCREENSHOTS (default var/screenshots/knowledge)."""

import io
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from contracts.models import Channel, Plan
from knowledge.models import Article, ArticleFeedback, ArticleView, SuggestionSession
from knowledge.services import (
    article_feedback_give,
    article_view_record,
    suggestion_request_submitted,
)
from tests.factories import (
    make_agent,
    make_contact,
    make_contract,
    make_customer,
    make_portal_user,
)
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (browser: a fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
)
from tickets.services.intake import ticket_open

SHOTS = Path(
    os.environ.get("KB_SCREENSHOTS", django_settings.VAR_DIR / "screenshots" / "knowledge")
)
TUTORIAL = "Cómo crear una cuenta de correo"


def shot(page: Page, name: str, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def english(page: Page, base: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


@pytest.fixture
def hosting():
    """Seed 000's provider with its articles, a customer on its plan and an agent."""
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())
    customer = make_customer(
        legal_name="Estudio Pampa S.R.L.",
        country="AR",
        currency="ARS",
        time_zone="America/Argentina/Buenos_Aires",
    )
    contract = make_contract(customer, Plan.objects.get(code="altomarketing-hosting"))
    contact = make_contact(customer, name="Lucía Gómez", email="lucia@pampa.example")
    make_portal_user(contact, username="lucia", password=PASSWORD)
    make_agent(username="agente", password=PASSWORD)
    return contract, contact


@pytest.mark.django_db(transaction=True)
def test_a_customer_is_offered_the_tutorial_reads_it_and_answers(browser, live_server, hosting):  # noqa: F811
    base = live_server.url
    page = new_page(browser)
    log_in(page, base, "lucia")
    expect(page.get_by_role("link", name="Ayuda")).to_be_visible()

    # typing the subject brings the tutorial up under the field
    page.goto(f"{base}/portal/tickets/new/")
    page.get_by_label("Asunto").press_sequentially("no puedo crear una cuenta de correo")
    suggestions = page.locator("#kb-suggestions")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("link").first).to_have_text(TUTORIAL)
    expect(page.get_by_role("status")).to_contain_text("sugerido")
    assert_accessible(page)
    shot(page, "kb-01-suggestions-es", full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "kb-02-suggestions-phone-es", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 900})

    # she opens it: an article from the form, with its steps and "¿Fue útil?"
    suggestions.get_by_role("link", name=TUTORIAL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TUTORIAL)
    expect(page.get_by_test_id("article").locator("ol li")).to_have_count(7)
    expect(page.get_by_test_id("back-to-form")).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    page.get_by_role("button", name="Sí, fue útil").click()
    expect(page.get_by_test_id("feedback-answer")).to_contain_text("respondió que sí")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "kb-03-article-answered-phone-es")
    page.context.close()

    assert SuggestionSession.objects.filter(submitted_at__isnull=True).count() == 1
    assert ArticleView.objects.filter(source=ArticleView.Source.REQUEST_FORM).count() == 1
    assert ArticleFeedback.objects.get().helpful is True


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_the_help_centre_on_a_phone(browser, live_server, hosting, language):  # noqa: F811
    base = live_server.url
    page = new_page(browser, width=390, height=844)
    if language == "en":
        english(page, base)
    page.goto(f"{base}/help/")  # no sign-in: seed 000's articles are for everyone
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"kb-04-help-centre-phone-{language}")

    page.get_by_role("searchbox").fill("redirigir dominio" if language == "es" else "redirect")
    page.get_by_role("searchbox").press("Enter")
    first = page.locator(".kb-list a").first
    expect(first).to_contain_text("redirigir" if language == "es" else "redirect")
    assert_accessible(page)
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"kb-05-search-phone-{language}")
    first.click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"kb-06-article-phone-{language}")
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_an_agent_inserts_a_link_and_reads_the_report(browser, live_server, hosting):  # noqa: F811
    _contract, contact = hosting
    # this month so far: two readers from the request form (one then sent a request), answers
    tutorial = Article.objects.get(slug="como-crear-una-cuenta-de-correo")
    hour_ago = timezone.now() - timedelta(hours=1)
    for session in ("left", "sent"):
        article_view_record(
            article=tutorial,
            source=ArticleView.Source.REQUEST_FORM,
            at=hour_ago,
            contact=contact,
            session_hash=session,
        )
    suggestion_request_submitted(session_hash="sent", at=hour_ago, ticket_number="T-1")
    for voter, helpful in (("a", True), ("b", True), ("c", False)):
        article_feedback_give(article=tutorial, voter=voter, helpful=helpful, at=hour_ago)
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=contact, subject="¿Cómo creo un correo?"
    ).ticket
    base = live_server.url
    page = new_page(browser)
    log_in(page, base, "agente")
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    page.get_by_label("Mensaje").fill("Hola Lucía, siga estos pasos:")
    page.get_by_label("Enlace a un artículo de la base de conocimiento").select_option(
        label=TUTORIAL
    )
    page.get_by_role("button", name="Insertar el enlace en el mensaje").click()
    expect(page.get_by_label("Mensaje")).to_have_value(
        re.compile(rf"siga estos pasos:\n{TUTORIAL}: http://\S+/help/como-crear-una-cuenta")
    )
    assert_accessible(page)
    shot(page, "kb-07-reply-box-link", full_page=False)
    page.get_by_role("button", name="Registrar mensaje").click()
    expect(page.locator(".message.outbound").last).to_contain_text("/help/como-crear-una-cuenta")

    for language in ("es", "en"):
        if language == "en":
            english(page, base)
        page.goto(f"{base}/workspace/knowledge/")
        expect(page.get_by_test_id("month-row")).to_have_count(12)
        expect(page.get_by_test_id("avoided-rate")).to_have_text("50 %")
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"kb-08-report-phone-{language}")
        page.set_viewport_size({"width": 1280, "height": 900})
    page.context.close()
