"""A scheduled plan change names its day in the reader's words, in the confirmation and on the
customer page's timeline: "08/01/2027" read as the 1st of August in English."""

from datetime import date, timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from contracts.models import Customer
from contracts.services import customer_today
from core.formatting import day_text
from tests.factories import make_account_manager, make_contract, make_customer, make_plan

pytestmark = pytest.mark.django_db


def schedule_plan_change(client: Client, language: str) -> tuple[Customer, date, object]:
    """An account manager schedules a change to another plan 32 days ahead, in `language`."""
    manager = make_account_manager()
    customer = make_customer(account_manager=manager)
    make_contract(customer, make_plan(name="Soporte Nivel 1", code="nivel-1"))
    later = make_plan(name="Soporte Nivel 3", code="nivel-3")
    effective_on = customer_today(customer) + timedelta(days=32)
    client.force_login(manager)
    response = client.post(
        f"/workspace/customers/{customer.pk}/contract/plan/",
        {"plan": later.pk, "effective_on": effective_on.isoformat(), "reason": "Crece"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302
    return customer, effective_on, response


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_confirmation_names_the_day_in_words(client, language):
    _customer, effective_on, response = schedule_plan_change(client, language)
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert day_text(effective_on, language) in message
    assert effective_on.strftime("%d/%m/%Y") not in message


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_customer_page_timeline_names_the_day_in_words(client, language):
    customer, effective_on, _response = schedule_plan_change(client, language)
    page = client.get(f"/workspace/customers/{customer.pk}/", HTTP_ACCEPT_LANGUAGE=language)
    text = page.content.decode()
    assert day_text(effective_on, language) in text
    assert effective_on.strftime("%d/%m/%Y") not in text
