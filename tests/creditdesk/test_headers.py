"""Production headers: a Content-Security-Policy on every page (Django's own CSP support), and
the API docs served from our static files, never from another host."""

import re

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


@pytest.mark.parametrize("url", ["/accounts/login/", "/api/docs/", "/no-such-page/"])
def test_pages_carry_a_content_security_policy(client, url):
    response = client.get(url)
    policy = _directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_inline_scripts_and_styles_carry_the_request_nonce(client):
    response = client.get("/accounts/login/")
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    tags = re.findall(r"<(?:script|style)\b[^>]*>", html)
    assert tags, "the page has an inline style block"
    for tag in tags:
        if "src=" not in tag:
            assert f'nonce="{nonce}"' in tag
    assert not re.search(r"\sstyle=\"", html)


def test_api_docs_reference_no_external_host(client):
    user = get_user_model().objects.create_superuser("docs", "docs@example.com", "pw")
    client.force_login(user)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html)
    script_url = re.search(r"<script src=\"([^\"]*script=[^\"]*)\"", html).group(1)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "//cdn" not in script.content.decode()
