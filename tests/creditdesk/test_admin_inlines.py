"""An admin page's inline rows (a customer's contacts) come back in a form whose count of
forms the browser sends: a count far past the rows shown builds no more forms than those rows
and a screenful of new ones, and is refused, where Django's admin builds up to 2,000 forms
and renders each with its errors (5-17 s of a web process for one request)."""

import pytest
from django.test import Client
from django.urls import reverse

from core.forms import NEW_ROWS_PER_SAVE
from tests.factories import make_contact, make_customer, make_staff_user
from tests.html_forms import form_values


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(make_staff_user(username="raiz"))
    return client


def _contacts(response):
    [contacts] = [
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model._meta.model_name == "contact"
    ]
    return contacts


@pytest.mark.django_db
def test_a_huge_count_of_inline_forms_builds_the_rows_and_a_save_of_new_ones(admin_client):
    customer = make_customer()
    for _ in range(3):
        make_contact(customer)
    url = reverse("admin:contracts_customer_change", args=[customer.pk])
    data = form_values(admin_client.get(url).content.decode(), "customer_form")
    [total] = [name for name in data if name.endswith("TOTAL_FORMS") and "contact" in name]

    response = admin_client.post(url, {**data, total: "1000000000"})

    assert response.status_code == 200
    contacts = _contacts(response)
    assert len(contacts.forms) == 3 + NEW_ROWS_PER_SAVE
    assert str(contacts.non_form_errors()[0]) in response.content.decode()
    assert customer.contacts.count() == 3


@pytest.mark.django_db
def test_an_inline_with_more_rows_than_a_save_adds_still_saves(admin_client):
    """The bound counts the rows shown: a parent with more of them than `NEW_ROWS_PER_SAVE`
    saves its rows and new ones as before."""
    customer = make_customer()
    for _ in range(NEW_ROWS_PER_SAVE + 5):
        make_contact(customer)
    url = reverse("admin:contracts_customer_change", args=[customer.pk])
    data = form_values(admin_client.get(url).content.decode(), "customer_form")
    [prefix] = {
        name.removesuffix("-TOTAL_FORMS")
        for name in data
        if name.endswith("TOTAL_FORMS") and "contact" in name
    }
    shown = NEW_ROWS_PER_SAVE + 5
    new_rows = {f"{prefix}-TOTAL_FORMS": str(shown + 2)}
    for n in range(shown, shown + 2):
        new_rows |= {
            f"{prefix}-{n}-name": f"Contacto nuevo {n}",
            f"{prefix}-{n}-email": f"nuevo{n}@cliente.example",
            f"{prefix}-{n}-language": "es",
        }

    response = admin_client.post(url, {**data, **new_rows})

    assert response.status_code == 302, _contacts(response).non_form_errors()
    assert customer.contacts.count() == shown + 2
