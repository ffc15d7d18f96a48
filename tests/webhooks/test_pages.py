"""The workspace's webhooks page: register an endpoint (its secret shown once), see the
deliveries and the last answer, send one again, switch an endpoint off, give it a new
secret, delete it; who may do each, own and other."""

import re

import pytest

from contracts.models import Channel
from tests.clients import signed_in
from tests.factories import (
    make_account_manager,
    make_contact,
    make_contract,
    make_customer,
    make_finance_user,
    make_staff_user,
)
from tests.web.conftest import top_up
from tests.webhooks.conftest import endpoint_for
from tickets.services.intake import ticket_open
from webhooks import services
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_registers_sees_deliveries_and_sends_one_again(shop, receiver):
    manager = signed_in(shop.manager)

    answer = manager.post(
        "/workspace/webhooks/",
        {"url": receiver.url, "events": ["ticket.created"], "customer": shop.customer.pk},
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in answer.text  # shown once, in the confirmation
    assert endpoint.secret not in manager.get("/workspace/webhooks/").text
    top_up(shop.customer, "5")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")
    page = manager.get("/workspace/webhooks/").text
    assert page.count('data-testid="webhook-delivery"') == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.event_id in page

    manager.post(f"/workspace/webhooks/deliveries/{delivery.pk}/redeliver/")
    assert len(receiver.requests) == 2
    manager.post(f"/workspace/webhooks/{endpoint.pk}/toggle/")
    endpoint.refresh_from_db()
    assert not endpoint.is_active


def test_a_manager_rotates_a_secret_reads_an_answer_and_deletes_an_endpoint(shop, receiver):
    manager = signed_in(shop.manager)
    endpoint = endpoint_for(shop, receiver)
    old_secret = endpoint.secret

    rotated = manager.post(f"/workspace/webhooks/{endpoint.pk}/rotate-secret/", follow=True)

    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret
    assert endpoint.secret in rotated.text  # shown once, in the confirmation
    assert endpoint.secret not in manager.get("/workspace/webhooks/").text
    receiver.answers = [500]
    top_up(shop.customer, "5")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")
    # the last answer's first bytes, beside its status code and duration
    assert "receiver broken" in manager.get("/workspace/webhooks/").text

    deleted = manager.post(f"/workspace/webhooks/{endpoint.pk}/delete/", follow=True)

    assert deleted.status_code == 200
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()


CONFIRMATIONS = {
    # action: (language, what the page says will happen, the confirm button)
    "delete": {
        "es": ("dejan de enviarse", "Sí, eliminar el webhook"),
        "en": ("stop being sent", "Yes, delete the webhook"),
    },
    "rotate-secret": {
        "es": ("El secreto actual deja de firmar", "Sí, dar un nuevo secreto"),
        "en": ("The current secret stops signing", "Yes, give a new secret"),
    },
}


def _form_action(page: str, button: str) -> str:
    """The action of the form holding `button` on `page`."""
    form = next(f for f in re.findall(r"<form .*?</form>", page, re.S) if button in f)
    return re.search(r'action="([^"]+)"', form).group(1)


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("action", ["delete", "rotate-secret"])
def test_delete_and_a_new_secret_are_confirmed_first_and_cancel_changes_nothing(
    shop, receiver, action, language
):
    manager = signed_in(shop.manager)
    endpoint = endpoint_for(shop, receiver)
    secret = endpoint.secret
    listing = manager.get("/workspace/webhooks/", HTTP_ACCEPT_LANGUAGE=language).text
    confirm = f"/workspace/webhooks/{endpoint.pk}/{action}/confirm/"
    # the list offers a link to the question, no form that acts at once
    assert f'href="{confirm}"' in listing
    assert f'action="/workspace/webhooks/{endpoint.pk}/{action}/"' not in listing
    consequence, button = CONFIRMATIONS[action][language]

    page = manager.get(confirm, HTTP_ACCEPT_LANGUAGE=language).text

    assert receiver.url in page
    assert consequence in page
    assert 'href="/workspace/webhooks/"' in page  # cancel: back to the list, nothing sent
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    # the actions themselves still refuse a GET
    assert manager.get(f"/workspace/webhooks/{endpoint.pk}/{action}/").status_code == 405
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk, secret=secret).exists()

    done = manager.post(_form_action(page, button), follow=True, HTTP_ACCEPT_LANGUAGE=language)

    assert done.status_code == 200
    if action == "delete":
        assert not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()
        assert not WebhookDelivery.objects.exists()
    else:
        endpoint.refresh_from_db()
        assert endpoint.secret != secret
        assert endpoint.secret in done.text  # shown once


def test_the_delete_question_counts_the_deliveries_it_erases(shop, receiver):
    manager = signed_in(shop.manager)
    endpoint = endpoint_for(shop, receiver)
    confirm = f"/workspace/webhooks/{endpoint.pk}/delete/confirm/"
    # none yet: nothing to count ("its 0 deliveries"); the button says it cannot be undone
    first = manager.get(confirm).text
    assert "0 entregas" not in first
    assert "No se puede deshacer." in first
    assert 'class="danger"' in first
    top_up(shop.customer, "5")
    for subject in ("Uno", "Dos"):
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=subject)

    page = manager.get(confirm).text

    assert "registro de sus 2 entregas" in page


def test_a_manager_changes_an_endpoints_address_and_events(shop, receiver, settings):
    manager = signed_in(shop.manager)
    endpoint = endpoint_for(shop, receiver)
    secret = endpoint.secret
    edit = f"/workspace/webhooks/{endpoint.pk}/edit/"
    page = manager.get(edit).text
    assert receiver.url in page
    assert shop.customer.legal_name in page

    saved = manager.post(
        edit, {"url": f"{receiver.url}/v2", "events": ["ticket.created", "invoice.paid"]}
    )

    assert saved.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == f"{receiver.url}/v2"
    assert endpoint.events == ["invoice.paid", "ticket.created"]
    assert endpoint.secret == secret
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    refused = manager.post(edit, {"url": receiver.url, "events": ["ticket.created"]})
    assert refused.status_code == 200
    assert "no es un destino válido" in refused.text
    endpoint.refresh_from_db()
    assert endpoint.url == f"{receiver.url}/v2"


def test_the_form_refuses_what_the_service_refuses(shop, receiver, settings):
    manager = signed_in(shop.manager)
    no_customer = manager.post(
        "/workspace/webhooks/", {"url": receiver.url, "events": ["ticket.created"]}
    )
    assert no_customer.status_code == 200
    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = False
    internal = manager.post(
        "/workspace/webhooks/",
        {"url": receiver.url, "events": ["ticket.created"], "customer": shop.customer.pk},
    )
    assert re.search(r"no es un destino válido", internal.text)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("who", "page", "own", "other"),
    [
        ("manager", 200, 302, 404),
        ("admin", 200, 302, 302),
        ("agent", 403, 403, 403),
        ("finance", 403, 403, 403),
        ("contact", 403, 403, 403),
    ],
)
def test_who_may_open_the_page_and_act_on_own_and_other_endpoints(
    shop, receiver, who, page, own, other
):
    other_manager = make_account_manager(username="otro-gerente")
    other_customer = make_customer(account_manager=other_manager)
    make_contract(other_customer, shop.contract.plan)
    endpoints = {}
    for customer, contact, owner in (
        (shop.customer, shop.contact, shop.manager),
        (other_customer, make_contact(other_customer), other_manager),
    ):
        endpoints[customer.pk] = services.webhook_endpoint_create(
            owner=owner,
            url=receiver.url,
            events=["ticket.created"],
            customer=customer,
            may_cover_all=False,
        )
        top_up(customer, "5")
        ticket_open(channel=Channel.PORTAL, requester=contact, subject="Caso")
    users = {
        "manager": shop.manager,
        "admin": make_staff_user(username="raiz"),
        "agent": shop.agent,
        "finance": make_finance_user(username="finanzas"),
        "contact": shop.user,
    }
    client = signed_in(users[who])

    assert client.get("/workspace/webhooks/").status_code == page
    for customer, expected in ((shop.customer, own), (other_customer, other)):
        endpoint = endpoints[customer.pk]
        delivery = endpoint.deliveries.get()
        redeliver = f"/workspace/webhooks/deliveries/{delivery.pk}/redeliver/"
        assert client.post(redeliver).status_code == expected
        assert client.post(f"/workspace/webhooks/{endpoint.pk}/toggle/").status_code == expected
        edit = f"/workspace/webhooks/{endpoint.pk}/edit/"
        assert client.get(edit).status_code == (200 if expected == 302 else expected)
        rotate = f"/workspace/webhooks/{endpoint.pk}/rotate-secret/"
        assert client.get(f"{rotate}confirm/").status_code == (200 if expected == 302 else expected)
        assert client.post(rotate).status_code == expected
        delete = f"/workspace/webhooks/{endpoint.pk}/delete/"
        assert client.get(f"{delete}confirm/").status_code == (200 if expected == 302 else expected)
        assert client.post(delete).status_code == expected
        assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists() == (expected != 302)
    for action in ("edit", "toggle", "rotate-secret", "delete"):
        assert client.post(f"/workspace/webhooks/987654/{action}/").status_code in {403, 404}
    for action in ("rotate-secret", "delete"):
        missing = f"/workspace/webhooks/987654/{action}/confirm/"
        assert client.get(missing).status_code in {403, 404}
