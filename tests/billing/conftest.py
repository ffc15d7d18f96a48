import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import time_machine
from djmoney.money import Money

from billing.models import Invoice, Payment
from billing.services import payment_record
from creditdesk.csp import content_security_policy
from tests.factories import make_contract, make_invoice

WEBHOOK_SECRET = "whsec_creditdesk_tests"
SECRET_KEY = "sk_test_creditdesk"


def cop(amount: str) -> Money:
    return Money(amount, "COP")


@pytest.fixture
def issued_invoice(frozen_now) -> Invoice:
    """Issued on 2026-12-03 for COP 119.000 (100.000 and 19 % tax)."""
    contract = make_contract()
    return make_invoice(
        contract.customer, contract=contract, lines=[("Cuota", cop("100000"))], issue=True
    )


def bank_transfer(invoice: Invoice, amount: Money, ref: str) -> Payment:
    """Finance records a bank transfer of `amount` for `invoice`, received on the frozen day."""
    return payment_record(
        customer=invoice.customer,
        amount=amount,
        provider=Payment.Provider.BANK_TRANSFER,
        provider_ref=ref,
        received_on=date(2026, 12, 3),
        invoice=invoice,
    )


@pytest.fixture
def frozen_now():
    """Billing tests run at a fixed moment: 2026-12-03 15:00 UTC (10:00 in Bogotá)."""
    with time_machine.travel("2026-12-03T15:00:00Z", tick=False) as traveller:
        yield traveller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    """A real localstripe server (PyPI) on a free port for the whole session."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_settings(settings, localstripe_url):
    """Point the gateway at localstripe (STRIPE_API_BASE) with test keys."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.SECURE_CSP = content_security_policy(stripe_api_base=localstripe_url)
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    return settings


def localstripe_register_webhook(base_url: str, target: str) -> None:
    data = f"url={target}&secret={WEBHOOK_SECRET}".encode()
    # our own localstripe on 127.0.0.1, http only
    request = urllib.request.Request(f"{base_url}/_config/webhooks/creditdesk", data=data)  # noqa: S310
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310


@pytest.fixture
def localstripe_webhooks(stripe_settings, live_server, localstripe_url) -> Iterator[str]:
    """localstripe delivers its signed webhooks to our live server during the test, and to a
    closed port afterwards (so later tests never receive stray deliveries)."""
    localstripe_register_webhook(localstripe_url, f"{live_server.url}/billing/stripe/webhook/")
    yield live_server.url
    localstripe_register_webhook(localstripe_url, "http://127.0.0.1:9/closed")


def assert_refused(error: Any, code: str, field: str, spanish: str, english: str) -> None:
    """A refusal with its code, the field it names and its message in both languages."""
    assert (error.code, error.field) == (code, field)
    assert spanish in error.message("es")
    assert english in error.message("en")


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's signing scheme: v1 = HMAC-SHA256(secret, f"{t}.{payload}")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def make_event(event_type: str, obj: dict[str, Any], *, event_id: str, created: int) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": event_type,
            "created": created,
            "api_version": "2026-10-28.endive",
            "data": {"object": obj},
        }
    ).encode()


@pytest.fixture
def post_event(client, stripe_settings):
    """Deliver a signed event to the webhook view as Stripe would."""

    def post(payload: bytes, *, signature: str | None = None):
        headers = {"HTTP_STRIPE_SIGNATURE": sign(payload) if signature is None else signature}
        return client.post(
            "/billing/stripe/webhook/", payload, content_type="application/json", **headers
        )

    return post
