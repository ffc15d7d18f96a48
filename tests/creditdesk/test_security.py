"""Brute force: the login lockout per user and address (django-axes), the client address
behind trusted proxies, the API's bad-token throttle, and password-reset limits."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from creditdesk.security import client_address
from tests.factories import make_portal_user, make_staff_user, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "the-right-password-1"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def post_login(client: Client, username: str, password: str, *, address="203.0.113.7", **extra):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        **extra,
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [("es", "Acceso bloqueado temporalmente"), ("en", "Access temporarily locked")],
)
def test_six_wrong_passwords_lock_the_user_out_from_that_address(client, language, text):
    # given
    make_user(username="ana", password=PASSWORD)
    client.cookies["django_language"] = language
    for _ in range(4):
        assert post_login(client, "ana", "wrong").status_code == 200

    # when the fifth and sixth tries, then the right password, come from the same address
    fifth = post_login(client, "ana", "wrong")
    sixth = post_login(client, "ana", "wrong")
    right = post_login(client, "ana", PASSWORD)

    # then they get the lockout page in the user's language (limit 5), and no session
    for answer in (fifth, sixth, right):
        assert answer.status_code == 429
        assert text in answer.content.decode()
        assert "<nav" in answer.content.decode() or "<header" in answer.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_user_and_address(client):
    make_user(username="ana", password=PASSWORD)
    make_user(username="beto", password=PASSWORD)
    for _ in range(6):
        post_login(client, "ana", "wrong")
    assert post_login(client, "ana", PASSWORD).status_code == 429

    # another user from the same address, and the same user from another address, sign in
    assert post_login(Client(), "beto", PASSWORD).status_code == 302
    assert post_login(Client(), "ana", PASSWORD, address="198.51.100.9").status_code == 302


def test_the_admin_login_is_locked_out_too(client):
    make_staff_user(username="root", password=PASSWORD)
    for _ in range(6):
        client.post(
            "/admin/login/", {"username": "root", "password": "wrong"}, REMOTE_ADDR="192.0.2.1"
        )
    answer = client.post(
        "/admin/login/", {"username": "root", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert answer.status_code == 429


@pytest.mark.parametrize("page", ["/accounts/login/", "/admin/login/"])
def test_a_username_longer_than_any_account_is_refused_on_the_field(client, page):
    """Django's sign-in form never checked the length on the server: django-axes then
    recorded the failed sign-in in a 255-character column, and PostgreSQL answered 500."""
    answer = client.post(page, {"username": "a" * 256, "password": "x"}, REMOTE_ADDR="192.0.2.9")

    assert answer.status_code == 200
    assert answer.context["form"].errors["username"] == [
        "Asegúrese de que este valor tenga menos de 150 caracteres (tiene 256)."
    ]
    assert post_login(Client(), "a" * 150, "x").status_code == 200  # the longest: asked


def test_the_failure_limit_is_configurable(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    make_user(username="ana", password=PASSWORD)
    post_login(client, "ana", "wrong")
    assert post_login(client, "ana", "wrong").status_code == 429


def request_from(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "address"),
    [
        (0, "10.0.0.1", "1.2.3.4", "10.0.0.1"),
        (0, "10.0.0.1", None, "10.0.0.1"),
        (1, "10.0.0.1", "1.2.3.4", "1.2.3.4"),
        (1, "10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),
        (2, "10.0.0.2", "6.6.6.6, 1.2.3.4, 10.0.0.1", "1.2.3.4"),
        (2, "10.0.0.2", "1.2.3.4", "10.0.0.2"),
        (1, "10.0.0.1", None, "10.0.0.1"),
        (1, "10.0.0.1", "not-an-address", "10.0.0.1"),
        (0, "", None, None),
    ],
)
def test_x_forwarded_for_is_believed_only_for_trusted_proxies(
    settings, proxies, remote, forwarded, address
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request_from(remote, forwarded)) == address


def test_a_forged_forwarded_header_never_breaks_the_login(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(username="ana", password=PASSWORD)
    answer = post_login(client, "ana", "wrong", HTTP_X_FORWARDED_FOR="<script>, ' OR 1=1")
    assert answer.status_code == 200


def test_the_lockout_uses_the_address_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    make_user(username="ana", password=PASSWORD)
    proxy = "10.0.0.1"
    for _ in range(6):
        post_login(Client(), "ana", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4")
    locked = post_login(Client(), "ana", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4")
    other = post_login(Client(), "ana", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="5.6.7.8")
    assert (locked.status_code, other.status_code) == (429, 302)


def api(key: str, address: str, forwarded: str | None = None) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    if forwarded:
        client.defaults["HTTP_X_FORWARDED_FOR"] = forwarded
    return client


def test_a_valid_token_works_right_after_many_bad_tokens_from_the_same_address(settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"auth_failure": "3/min", "intake": None}
    }
    good = Token.objects.create(user=make_portal_user())
    statuses = [
        api(f"bad-{n}", "203.0.113.7").get("/api/v1/tickets/").status_code for n in range(8)
    ]
    assert statuses == [401, 401, 401, 429, 429, 429, 429, 429]

    assert api(good.key, "203.0.113.7").get("/api/v1/tickets/").status_code == 200
    assert api("bad-again", "203.0.113.7").get("/api/v1/tickets/").status_code == 429


def test_bad_tokens_are_counted_per_client_behind_a_trusted_proxy(settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"auth_failure": "2/min", "intake": None}
    }
    for n in range(3):
        api(f"bad-{n}", "10.0.0.1", "1.2.3.4").get("/api/v1/tickets/")
    # without trusted proxies, every client behind the proxy shares its address
    assert api("bad", "10.0.0.1", "5.6.7.8").get("/api/v1/tickets/").status_code == 429
    cache.clear()
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        api(f"bad-{n}", "10.0.0.1", "1.2.3.4").get("/api/v1/tickets/")
    assert api("bad", "10.0.0.1", "1.2.3.4").get("/api/v1/tickets/").status_code == 429
    assert api("bad", "10.0.0.1", "5.6.7.8").get("/api/v1/tickets/").status_code == 401


def reset(client: Client, email: str, address: str = "203.0.113.7"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


@pytest.mark.parametrize("email", ["ana@example.com", "nadie@example.com"])
def test_password_reset_is_limited_per_e_mail_with_the_same_answer_for_any_address(
    client, email, django_capture_on_commit_callbacks
):
    make_user(username="ana", email="ana@example.com", password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):  # the mail is a task, on commit
        answers = [reset(client, email, address=f"192.0.2.{n}").status_code for n in range(4)]
    assert answers == [302, 302, 302, 429]
    assert len(mail.outbox) == (3 if email.startswith("ana") else 0)


@pytest.mark.parametrize(
    ("language", "text"),
    [("es", "Demasiadas solicitudes"), ("en", "Too many requests")],
)
def test_password_reset_is_limited_per_address(client, language, text):
    client.cookies["django_language"] = language
    answers = [reset(client, f"user{n}@example.com").status_code for n in range(11)]
    assert answers == [302] * 10 + [429]
    assert text in reset(client, "otro@example.com").content.decode()
    assert reset(Client(), "otro@example.com", address="198.51.100.1").status_code == 302
