import asyncio
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop  # noqa: F401  (fixture)


@pytest.fixture
def dead_smtp(settings):
    """SMTP to a local port nothing listens on: every connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    return port


class Recorder:
    """Records each message with the client's address (host, port): one port per connection.
    With `drop_after_message`, closes the connection just after accepting a message, as a
    server does with a connection it finds idle."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[tuple[str, int], str]] = []
        self.drop_after_message = False

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session.peer, envelope.content.decode()))
        if self.drop_after_message:
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return "250 OK"

    def connections(self) -> int:
        return len({peer for peer, _ in self.received})


@pytest.fixture
def smtp_server(settings):
    """Starts a real SMTP server on loopback (aiosmtpd), which `settings.MAILERS` then
    names; call it again for another server."""

    def start() -> Recorder:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        recorder = Recorder(port)
        controller = Controller(recorder, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
            }
        }
        return recorder

    started: list[Controller] = []
    yield start
    for controller in started:
        controller.stop()
