"""Seed 000's knowledge base, as a customer meets it: "Como configurar sus emails ... Creamos
una base de conocimientos ... en donde podrá encontrar respuesta al 90 % de las consultas".

A customer in Buenos Aires starts a request "no puedo crear una cuenta de correo", the form
suggests the tutorial, she reads it, answers "¿Fue útil?" yes and leaves without submitting:
half an hour later the report counts one request avoided. A second customer reads the same
tutorial from the form and sends the request anyway: that one is not avoided, and the month's
rate is one in two."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from contracts.models import Contact, Service
from knowledge.models import ArticleFeedback
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent
from tests.scenarios.conftest import sign_through_api
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=BUENOS_AIRES)


def portal_for(signed: dict) -> Client:
    browser = Client()
    browser.force_login(Contact.objects.get(pk=signed["contact"]["id"]).user)
    return browser


@pytest.fixture
def customers():
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())
    manager_user = make_account_manager()
    types = sorted(Service.objects.filter(code__startswith="sla").values_list("pk", flat=True))
    signed = []
    for legal_name, tax_id, name, email in (
        ("Estudio Pampa S.R.L.", "30-71234567-8", "Lucía Gómez", "lucia@pampa.example"),
        ("Panadería Norte S.A.", "30-79876543-2", "Diego Sosa", "diego@norte.example"),
    ):
        signed.append(
            sign_through_api(
                client_for(manager_user),
                manager_user,
                plan="altomarketing-hosting",
                customer={
                    "legal_name": legal_name,
                    "tax_id": tax_id,
                    "country": "AR",
                    "currency": "ARS",
                    "time_zone": "America/Argentina/Buenos_Aires",
                    "billing_email": email,
                },
                contact={"name": name, "email": email},
                services=types,
                starts_on="2026-03-01",
            )
        )
    return signed


def test_a_customer_finds_the_tutorial_and_does_not_open_a_request(customers):
    lucia, diego = (portal_for(signed) for signed in customers)

    with time_machine.travel(at(2026, 3, 10, 11), tick=False):
        # the request form offers the knowledge base while she types the subject
        form = lucia.get("/portal/tickets/new/")
        assert 'id="kb-suggestions"' in form.content.decode()
        suggested = lucia.get(
            "/help/suggestions.json", {"q": "no puedo crear una cuenta de correo"}
        ).json()["articles"]
        assert suggested[0]["title"] == "Cómo crear una cuenta de correo"

        # she opens the tutorial from the form: it is the step-by-step answer
        tutorial = lucia.get(suggested[0]["url"])
        assert tutorial.status_code == 200
        page = tutorial.content.decode()
        assert "<ol><li>Ingrese a PaneldeCliente.com" in page
        assert "¿Fue útil?" in page
        assert "Volver al formulario de solicitud" in page

        # "¿Fue útil?" yes, and she leaves
        lucia.post(
            "/help/como-crear-una-cuenta-de-correo/feedback/", {"helpful": "yes", "from": "form"}
        )

    with time_machine.travel(at(2026, 3, 10, 11, 5), tick=False):
        # Diego reads the same tutorial from the form and still sends his request
        diego.get(suggested[0]["url"])
        sent = diego.post(
            "/portal/tickets/new/",
            {"subject": "No puedo crear la cuenta ventas@", "urgency": "medium"},
        )
        assert sent.status_code == 302

    assert not Ticket.objects.filter(requester__email="lucia@pampa.example").exists()
    assert Ticket.objects.filter(requester__email="diego@norte.example").count() == 1
    assert ArticleFeedback.objects.get().helpful is True

    # half an hour after her last article, staff see one request avoided out of two
    agent = Client()
    agent.force_login(make_agent())
    with time_machine.travel(at(2026, 3, 10, 11, 40), tick=False):
        report = agent.get("/workspace/knowledge/", {"month": "2026-03"}).content.decode()

    assert re.search(r'data-testid="avoided">1<', report)
    assert re.search(r'data-testid="submitted">1<', report)
    assert re.search(r'data-testid="avoided-rate">50 %<', report)
    row = re.search(r'<tr data-testid="article-row">(.*?)</tr>', report, re.S).group(1)
    cells = re.findall(r'<td class="num"[^>]*>([^<]*)</td>', row)  # cells name their column
    assert "Cómo crear una cuenta de correo" in row
    assert cells[:4] == ["2", "2", "1", "0"]  # views, from the form, useful yes, no
