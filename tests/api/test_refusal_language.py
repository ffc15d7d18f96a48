"""The API's own field refusals come in the request's language (a probe found four written in
Spanish whatever Accept-Language said), on the field they are about."""

import pytest

from tests.api.conftest import assert_error
from tests.factories import make_account_manager, make_credit_pack

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
