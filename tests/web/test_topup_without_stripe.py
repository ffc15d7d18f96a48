"""Buying a credit pack when Stripe is not configured (the quickstart demo) or not answering:
the portal offers a bank transfer, a refusal is short and in the user's language, and no
draft invoice or payment is left behind."""

import logging

import pytest
from django.http import HttpRequest
from django.urls import reverse

from billing.models import Invoice, Payment
from tests.api.conftest import assert_error, client_for
from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.django_db

INSTRUCTIONS = "Banco Andino, cuenta 987-654, a nombre de Creditdesk."


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.STRIPE_PUBLISHABLE_KEY = ""
    settings.SELLER_PAYMENT_INSTRUCTIONS = INSTRUCTIONS
    return settings


@pytest.fixture
def stripe_down(settings):
    """Keys set, but the API base is a closed local port."""
    settings.STRIPE_SECRET_KEY = "sk_test_down"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    return settings


def login(client, shop, language="es"):
    assert client.login(request=HttpRequest(), username=shop.user.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": language, "next": "/portal/"})


def nothing_written():
    return not Payment.objects.exists() and not Invoice.objects.exists()


@pytest.mark.parametrize(
    ("language", "price_line", "finance"),
    [
        (
            "es",
            "Pague COP 900.000 más impuestos por transferencia bancaria.",
            "Finanzas registrará el pago cuando llegue",
        ),
        (
            "en",
            "Pay COP 900,000 plus tax by bank transfer.",
            "Finance will record the payment when it arrives",
        ),
    ],
)
def test_without_keys_the_credits_page_offers_a_bank_transfer(
    client, shop, no_stripe, language, price_line, finance
):
    login(client, shop, language)
    page = client.get(reverse("web:credits")).text
    assert INSTRUCTIONS in page
    assert price_line in page
    assert finance in page
    assert reverse("web:topup", args=[shop.pack.pk]) not in page
    assert "Paquete 10 horas" in page


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "El pago con tarjeta no está disponible."),
        ("en", "Card payment is not available."),
    ],
)
def test_without_keys_buying_writes_nothing_and_says_why(
    client, shop, no_stripe, language, message
):
    login(client, shop, language)
    answer = client.post(reverse("web:topup", args=[shop.pack.pk]), follow=True)
    assert answer.status_code == 200
    assert message in answer.text
    assert nothing_written()


def test_without_keys_the_api_refuses_with_409_and_writes_nothing(shop, no_stripe):
    answer = client_for(shop.user).post(
        "/api/v1/top-ups/",
        {"credit_pack": shop.pack.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="buy-no-stripe",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(answer, 409, "payment_provider_unavailable")
    assert body["message"].startswith("Card payment is not available.")
    assert nothing_written()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("es", "El proveedor de pagos no respondió y no se cobró nada."),
        ("en", "The payment provider did not answer and nothing was charged."),
    ],
)
def test_when_stripe_does_not_answer_the_page_says_so_briefly_and_nothing_is_left(
    client, shop, stripe_down, caplog, language, message
):
    login(client, shop, language)
    with caplog.at_level(logging.WARNING, logger="billing.services.topups"):
        answer = client.post(reverse("web:topup", args=[shop.pack.pk]), follow=True)
    assert answer.status_code == 200
    assert message in answer.text
    assert "urllib3" not in answer.text
    assert "Stripe" not in answer.text
    assert nothing_written()
    records = [r for r in caplog.records if r.name == "billing.services.topups"]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert "failed at the payment provider" in records[0].getMessage()


@pytest.mark.django_db(transaction=True)
def test_when_stripe_does_not_answer_the_api_says_502_and_nothing_is_left(shop, stripe_down):
    answer = client_for(shop.user).post(
        "/api/v1/top-ups/",
        {"credit_pack": shop.pack.pk},
        format="json",
        HTTP_IDEMPOTENCY_KEY="buy-stripe-down",
    )
    assert_error(answer, 502, "payment_provider_error")
    assert nothing_written()
