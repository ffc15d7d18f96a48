"""A real HTTP receiver on loopback, answering with the status codes (and after the delays)
a test queues."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop  # noqa: F401  (fixture)
from webhooks import services
from webhooks.models import WebhookEndpoint


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []  # status codes to answer, in order; 200 once used up
        self.delays: list[float] = []  # seconds to wait before answering, in order
        self.received = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver.lock:
                    receiver.requests.append((headers, body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                    delay = receiver.delays.pop(0) if receiver.delays else 0
                receiver.received.set()
                time.sleep(delay)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"receiver broken")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True
    server = Receiver()
    yield server
    server.server.shutdown()
    server.server.server_close()


def endpoint_for(of_shop, receiver, events=("ticket.created",)) -> WebhookEndpoint:
    """The shop's customer's endpoint at `receiver`, subscribed to `events`."""
    return services.webhook_endpoint_create(
        owner=of_shop.manager,
        url=receiver.url,
        events=list(events),
        customer=of_shop.customer,
        may_cover_all=False,
    )
