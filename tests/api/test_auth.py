"""Authentication: tokens created and revoked in the admin, the portal's session, and the
rate limits on failed token authentications and on intake per customer (429, Retry-After)."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import assert_error


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_created_in_the_admin_works_until_revoked_there(world, client):
    # given an admin who creates a token for the customer's contact in the admin
    client.force_login(world.admin)
    created = client.post(
        "/admin/authtoken/tokenproxy/add/", {"user": world.a.user.pk}, follow=True
    )
    assert created.status_code == 200
    token = Token.objects.get(user=world.a.user)
    # then the integrator's calls with it are the contact's
    integrator = with_token(token.key)
    answer = integrator.get("/api/v1/customers/")
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()["results"]] == [world.a.customer.pk]
    # when the admin revokes it
    deleted = client.post(
        f"/admin/authtoken/tokenproxy/{world.a.user.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert deleted.status_code == 200
    assert not Token.objects.filter(user=world.a.user).exists()
    # then the same token is refused
    assert_error(integrator.get("/api/v1/customers/"), 401, "authentication_failed")


def test_an_inactive_users_token_is_refused(world):
    token = Token.objects.create(user=world.a.user)
    world.a.user.is_active = False
    world.a.user.save(update_fields=["is_active"])
    refused = assert_error(
        with_token(token.key).get("/api/v1/tickets/"), 401, "authentication_failed"
    )
    assert refused["message"] == "Usuario inactivo o borrado."
    english = with_token(token.key).get("/api/v1/tickets/", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 401)["message"] == "User inactive or deleted."


def test_an_unknown_token_is_refused_in_the_callers_language(world):
    # A token's key is 40 characters: a longer one, or one with a quote or a percent sign,
    # is simply unknown.
    for key in ("0" * 40, "x" * 300, "o'brien%s"):
        refused = assert_error(with_token(key).get("/api/v1/tickets/"), 401)
        assert refused["message"] == "Token inválido."
    english = with_token("0" * 40).get("/api/v1/tickets/", HTTP_ACCEPT_LANGUAGE="en")
    assert assert_error(english, 401, "authentication_failed")["message"] == "Invalid token."


def test_the_portal_session_authenticates_and_needs_csrf_for_writes(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.a.user)
    assert client.get("/api/v1/tickets/").status_code == 200
    refused = client.post("/api/v1/tickets/", {"subject": "Sin CSRF"}, format="json")
    assert_error(refused, 403, "permission_denied")


def test_repeated_bad_tokens_are_throttled_with_retry_after(db, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"auth_failure": "3/min", "intake": None}
    }
    client = with_token("guessed-0")
    for attempt in range(3):
        client.credentials(HTTP_AUTHORIZATION=f"Token guessed-{attempt}")
        assert client.get("/api/v1/tickets/").status_code == 401
    answer = client.get("/api/v1/tickets/")
    assert_error(answer, 429, "throttled")
    assert 0 < int(answer["Retry-After"]) <= 60


def test_a_good_token_from_a_throttled_address_is_not_refused(world, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"auth_failure": "1/min", "intake": None}
    }
    with_token("wrong").get("/api/v1/tickets/")
    assert with_token("wrong-again").get("/api/v1/tickets/").status_code == 429
    good = Token.objects.create(user=world.a.user)
    assert with_token(good.key).get("/api/v1/tickets/").status_code == 200


def test_intake_is_rate_limited_per_customer(world, api, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": {"auth_failure": None, "intake": "2/min"}
    }
    a, b = api(world.a.user), api(world.b.user)
    for n in range(2):
        assert a.post("/api/v1/tickets/", {"subject": f"A{n}"}, format="json").status_code == 201
    throttled = a.post("/api/v1/tickets/", {"subject": "A2"}, format="json")
    assert_error(throttled, 429, "throttled")
    assert int(throttled["Retry-After"]) > 0
    # the same customer through staff is counted together; another customer is not
    staff = api(world.a.manager).post(
        "/api/v1/tickets/", {"subject": "A3", "requester": world.a.contact.pk}, format="json"
    )
    assert staff.status_code == 429
    assert b.post("/api/v1/tickets/", {"subject": "B0"}, format="json").status_code == 201
