"""Issue 14 item 15: styled 403, 404 and 500 pages in both languages with the site navigation
(DEBUG off, as in production); the API keeps its JSON error shape; a signed-in user without
access gets the 403 page, never a login form; the navigation offers only links its user may
follow."""

import re

import pytest
from django.http import HttpRequest
from django.middleware.csp import ContentSecurityPolicyMiddleware, get_nonce
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from creditdesk.web.views.errors import server_error
from tests.factories import (
    make_finance_user,
    make_staff_user,
    make_user,
)
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TEXT = {
    403: {"es": "Acceso denegado", "en": "Access denied"},
    404: {"es": "Página no encontrada", "en": "Page not found"},
    500: {"es": "Error del servidor", "en": "Server error"},
}


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)
    return client


def nav_hrefs(html: str) -> list[str]:
    nav = re.search(r"<nav\b.*?</nav>", html, re.S)
    return re.findall(r'<a href="([^"]+)"', nav.group(0)) if nav else []


def assert_error_page(response, status: int, language: str, nav_link: str | None) -> None:
    assert response.status_code == status
    html = response.content.decode()
    assert f"<h1>{TEXT[status][language]}</h1>" in html
    assert f'<html lang="{language}">' in html
    assert 'name="password"' not in html
    if nav_link:
        assert nav_link in nav_hrefs(html)


@pytest.mark.parametrize("language", ["es", "en"])
def test_403_page_for_a_contact_in_the_workspace(client, shop, language):
    login(client, shop.user)
    response = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE=language)
    assert_error_page(response, 403, language, "/portal/")


@pytest.mark.parametrize("language", ["es", "en"])
def test_admin_gives_a_signed_in_contact_the_403_page_not_its_login_form(client, shop, language):
    login(client, shop.user)
    for url in ("/admin/", "/admin/login/", "/admin/billing/invoice/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        assert_error_page(response, 403, language, "/portal/")


def test_admin_still_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.parametrize("language", ["es", "en"])
def test_404_page_with_navigation(client, shop, language):
    login(client, shop.agent)
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)
    assert_error_page(response, 404, language, "/workspace/")


def test_404_page_for_an_anonymous_visitor_has_no_navigation(client):
    response = client.get("/no-such-page/")
    assert_error_page(response, 404, "es", None)
    assert nav_hrefs(response.content.decode()) == []


def test_api_404_and_403_keep_the_json_shape(client, shop):
    login(client, shop.user)
    missing = client.get("/api/no-such-endpoint/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


@pytest.mark.urls("tests.web.urls_failing")
@pytest.mark.parametrize("language", ["es", "en"])
def test_500_page_with_navigation(client, shop, language):
    client.raise_request_exception = False
    login(client, shop.manager)
    response = client.get("/failing/", HTTP_ACCEPT_LANGUAGE=language)
    assert_error_page(response, 500, language, "/workspace/")


@pytest.mark.urls("tests.web.urls_failing")
@pytest.mark.parametrize(("language", "message"), [("es", "Error interno"), ("en", "Internal")])
def test_api_500_is_json_in_the_error_shape(client, shop, language, message):
    client.raise_request_exception = False
    login(client, shop.user)
    response = client.get("/api/failing/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "server_error"
    assert body["message"].startswith(message)
    assert body["fields"] == {}


def test_500_page_renders_when_the_request_context_fails():
    request = RequestFactory().get("/workspace/")

    def broken_user():
        raise RuntimeError("the database is gone")

    request.user = SimpleLazyObject(broken_user)
    ContentSecurityPolicyMiddleware(server_error).process_request(request)
    with translation.override("es"):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Error del servidor</h1>" in html
    assert nav_hrefs(html) == []
    assert f'<style nonce="{get_nonce(request)}">' in html


def test_500_falls_back_to_plain_text_when_the_template_fails(settings, tmp_path):
    (tmp_path / "500.html").write_text('{% extends "no-such-base.html" %}')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    response = server_error(RequestFactory().get("/workspace/"))
    assert response.status_code == 500
    assert response.headers["Content-Type"].startswith("text/plain")
    assert "Error del servidor" in response.content.decode()
    assert "Server error" in response.content.decode()


def _role_users(shop):
    return {
        "contact": (shop.user, False),
        "agent": (shop.agent, False),
        "account_manager": (shop.manager, False),
        "finance": (make_finance_user(username="finanzas", password=PASSWORD), True),
        "admin": (make_staff_user(username="raiz", password=PASSWORD), True),
    }


@pytest.mark.parametrize("role", ["contact", "agent", "account_manager", "finance", "admin"])
def test_every_navigation_link_opens_for_its_user(client, shop, role):
    user, sees_admin = _role_users(shop)[role]
    login(client, user)
    home = client.get("/", follow=True)
    assert home.status_code == 200
    links = nav_hrefs(home.content.decode())
    assert links, f"{role} has no navigation"
    for href in links:
        assert client.get(href).status_code == 200, f"{role}: {href}"
    assert ("/admin/" in links) is sees_admin


def test_a_signed_in_user_without_any_role_gets_403_not_a_login_form(client):
    user = make_user(username="nadie", password=PASSWORD)
    login(client, user)
    response = client.get("/")
    assert_error_page(response, 403, "es", None)
    assert nav_hrefs(response.content.decode()) == []
    response = client.get("/portal/")
    assert_error_page(response, 403, "es", None)


@pytest.mark.parametrize(
    ("language", "heading", "advice"),
    [
        ("es", "La página venció", "Vuelva a cargar la página"),
        ("en", "The page expired", "Reload the page"),
    ],
)
def test_a_form_sent_without_its_csrf_token_says_what_to_do_in_the_readers_language(
    shop, language, heading, advice
):
    # a page left open across a new sign-in, or cookies refused: Django's bare English page
    browser = Client(enforce_csrf_checks=True)
    login(browser, shop.user)
    response = browser.post("/portal/tickets/new/", {"subject": "x"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert advice in html
    assert f'<html lang="{language}">' in html
    assert "/portal/" in nav_hrefs(html)  # the site's own page, with its navigation
