"""The API's own field refusals come in the request's language (a probe found four written in
Spanish whatever Accept-Language said), on the field they are about; and the choices of a
user field are the users the action is for."""

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import Payment
from tests.api.conftest import assert_error
from tests.factories import make_account_manager, make_credit_pack
from tickets.models import ScheduledSession

pytestmark = pytest.mark.django_db


def _fields(answer) -> dict:
    return assert_error(answer, 400, "invalid_input")["fields"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "Indique el contacto solicitante."), ("en", "Give the requesting contact.")],
)
def test_staff_intake_without_a_requester(world, api, language, expected):
    answer = api(world.agent).post(
        "/api/v1/tickets/", {"subject": "x"}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )
    assert _fields(answer)["requester"] == [expected]


@pytest.mark.parametrize(
    ("language", "expected"), [("es", "Indique el cliente."), ("en", "Give the customer.")]
)
def test_staff_top_up_without_a_customer(world, api, language, expected):
    pack = make_credit_pack(world.a.contract.plan)
    answer = api(world.finance).post(
        "/api/v1/top-ups/",
        {"credit_pack": pack.pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert _fields(answer)["customer"] == [expected]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": "hola", "public": False}, "public"),
        ({"body": "hola", "asks_for_information": True}, "asks_for_information"),
    ],
)
def test_a_contact_may_not_write_an_internal_note_or_ask_for_information(world, api, body, field):
    url = f"/api/v1/tickets/{world.a.ticket.pk}/messages/"
    answer = api(world.a.user).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert _fields(answer) == {field: ["Only staff write internal notes or ask for information."]}
    spanish = api(world.a.user).post(url, body, format="json", HTTP_ACCEPT_LANGUAGE="es")
    assert _fields(spanish) == {
        field: ["Solo el personal escribe notas internas o pide información."]
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "Solo un administrador asigna el gerente de cuenta."),
        ("en", "Only an administrator assigns the account manager."),
    ],
)
def test_a_manager_may_not_hand_a_customer_over(world, api, language, expected):
    answer = api(world.a.manager).patch(
        f"/api/v1/customers/{world.a.customer.pk}/",
        {"account_manager": make_account_manager().pk},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert _fields(answer)["account_manager"] == [expected]


@pytest.mark.parametrize("who", ["finance", "manager"])
def test_a_session_is_held_by_someone_who_works_tickets(world, api, who):
    """A session given to finance or an account manager could never be marked held by them
    (403): the agent named is an agent or an admin, as for an assignment."""
    named = world.finance if who == "finance" else world.a.manager
    url = f"/api/v1/tickets/{world.a.ticket.pk}/sessions/"
    starts_at = (timezone.now() + timedelta(days=2)).isoformat()
    answer = api(world.agent).post(url, {"starts_at": starts_at, "agent": named.pk}, format="json")
    assert set(_fields(answer)) == {"agent"}
    assert not ScheduledSession.objects.filter(ticket=world.a.ticket, agent=named).exists()
    admin = api(world.agent).post(
        url, {"starts_at": starts_at, "agent": world.admin.pk}, format="json"
    )
    assert admin.status_code == 201, admin.content


@pytest.mark.parametrize(
    "reference", ["TRX\u00079", "R" * 256], ids=["control character", "too long"]
)
def test_a_payment_reference_is_kept_as_typed_or_refused(world, api, reference):
    """The reference is how the transfer is found again; the finance export dropped a control
    character it held, so the exported reference named another (and one over the column's
    255 characters failed PostgreSQL's insert)."""
    answer = api(world.finance).post(
        "/api/v1/payments/",
        {
            "customer": world.a.customer.pk,
            "provider": "bank_transfer",
            "provider_ref": reference,
            "amount": "1071000.00",
            "currency": "COP",
            "received_on": timezone.localdate().isoformat(),
            "credit_pack": world.pack.pk,
        },
        format="json",
    )
    assert set(_fields(answer)) == {"provider_ref"}
    assert not Payment.objects.filter(provider_ref=reference).exists()
