"""The note staff write when they tick a prerequisite is theirs: the workspace and the API
show it to staff; the portal and the API never to the customer's contacts (one rule,
`creditdesk.roles.activation_notes_visible_to`)."""

import pytest
from django.test import Client
from djmoney.money import Money

from activations.services import activation_purchase, activation_step_meet
from tests.api.conftest import client_for
from tests.factories import make_agent, make_contact, make_portal_user

pytestmark = pytest.mark.django_db

NOTE = "NS apuntando; el cliente tardó en delegar"


@pytest.fixture
def ticked(catalogue, customer):
    agent = make_agent()
    activation = activation_purchase(
        customer=customer, product=catalogue["Portal Noticioso"], unit_price=Money("1000", "ARS")
    )
    activation_step_meet(step=activation.steps.get(position=2), by=agent, note=NOTE)
    return {
        "activation": activation,
        "agent": agent,
        "contact": make_portal_user(make_contact(customer)),
    }


def _api_steps(user, activation) -> list[dict]:
    client = client_for(user)
    one = client.get(f"/api/v1/activations/{activation.pk}/").json()["steps"]
    listed = client.get("/api/v1/activations/").json()["results"]
    assert [row["steps"] for row in listed if row["id"] == activation.pk] == [one]
    return one


def test_the_api_does_not_return_staffs_note_to_a_contact(ticked):
    steps = _api_steps(ticked["contact"], ticked["activation"])
    assert [step["note"] for step in steps] == [None, None]
    assert steps[1]["met_at"] is not None  # the step itself is theirs to read


def test_the_api_returns_the_note_to_staff(ticked):
    steps = _api_steps(ticked["agent"], ticked["activation"])
    assert steps[1]["note"] == NOTE


def test_the_portal_does_not_show_the_note_and_the_workspace_does(ticked):
    contact, agent = Client(), Client()
    contact.force_login(ticked["contact"])
    agent.force_login(ticked["agent"])
    portal = contact.get("/portal/activations/")
    workspace = agent.get(f"/workspace/activations/{ticked['activation'].pk}/")
    assert portal.status_code == workspace.status_code == 200
    assert "dominio activo y delegado" in portal.content.decode()
    assert NOTE not in portal.content.decode()
    assert NOTE in workspace.content.decode()
