"""A real HTTP receiver on loopback (`tests.loopback.Receiver`) and endpoints pointing at it."""

import pytest

from tests.loopback import Receiver
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)
from tests.web.conftest import shop  # noqa: F401  (fixture)
from webhooks import services
from webhooks.models import WebhookEndpoint


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True
    server = Receiver()
    yield server
    server.close()


def endpoint_for(of_shop, receiver, events=("ticket.created",)) -> WebhookEndpoint:
    """The shop's customer's endpoint at `receiver`, subscribed to `events`."""
    return services.webhook_endpoint_create(
        owner=of_shop.manager,
        url=receiver.url,
        events=list(events),
        customer=of_shop.customer,
        may_cover_all=False,
    )
