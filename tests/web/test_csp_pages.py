"""Issue 14 item 16: the portal, the workspace, the admin and the API docs carry the
Content-Security-Policy, and every inline script or style block on them has the request's
nonce (no style attributes, which a nonce cannot cover)."""

import re

import pytest
from django.http import HttpRequest

from tests.factories import make_staff_user
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("contact", "/portal/"),
        ("contact", "/portal/credits/"),
        ("agent", "/workspace/"),
        ("admin", "/admin/"),
        ("admin", "/admin/billing/invoice/"),
        ("admin", "/api/docs/"),
    ],
)
def test_page_carries_the_csp_and_nonces_its_inline_blocks(client, shop, who, url):
    users = {
        "contact": shop.user,
        "agent": shop.agent,
        "admin": make_staff_user(username="raiz", password=PASSWORD),
    }
    login(client, users[who])
    response = client.get(url)
    assert response.status_code == 200
    header = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    nonce = re.search(r"'nonce-([^']+)'", header).group(1)
    html = response.content.decode()
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        if "src=" not in tag and 'type="application/json"' not in tag:
            assert f'nonce="{nonce}"' in tag, f"{url}: {tag}"
    if not url.startswith("/admin/"):
        assert not re.search(r"\sstyle=\"", html), url
