import socket

import pytest

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
