"""Seed 002, through the public API: a Colombian hosting provider's tiers. Nivel 1 is
included in every service ("Incluido en todos los servicios"): a customer who never bought
a credit asks by ticket and by e-mail; a case type sets the impact (an outage is high).
Nivel 3 is a monthly fee, "$COP 120.900 +IVA x MES", on the month's invoice."""

import io
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail as outbox
from django.core.management import call_command

from billing.services import Period, billing_run
from contracts.models import Service
from credits.models import CreditHold, LedgerEntry
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent, make_finance_user
from tests.scenarios.conftest import sign_through_api
from tickets.models import Contact, Ticket
from tickets.services.mail_intake import mail_ingest

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")


def sign(manager, manager_user, *, plan: str, legal_name: str, tax_id: str, email: str) -> dict:
    """The account manager signs a Colombian customer to `plan` from 1 November."""
    return sign_through_api(
        manager,
        manager_user,
        plan=plan,
        customer={
            "legal_name": legal_name,
            "tax_id": tax_id,
            "country": "CO",
            "currency": "COP",
            "time_zone": "America/Bogota",
            "billing_email": email,
        },
        contact={"name": "Ana Ruiz", "email": email},
    )


@pytest.fixture
def provider():
    call_command("load_presets", "support-tiers", stdout=io.StringIO())
    manager_user = make_account_manager()
    return client_for(manager_user), manager_user


@time_machine.travel(datetime(2026, 11, 10, 9, tzinfo=BOGOTA), tick=False)
def test_a_nivel_1_customer_without_credits_asks_by_ticket_and_by_mail(
    provider, django_capture_on_commit_callbacks
):
    manager, manager_user = provider
    tienda = sign(
        manager,
        manager_user,
        plan="soporte-nivel-1",
        legal_name="Tienda Andina S.A.S.",
        tax_id="900111222-3",
        email="ana@tienda.example",
    )
    contact = Contact.objects.get(pk=tienda["contact"]["id"])
    customer = tienda["client"]

    outage = customer.post(
        "/api/v1/tickets/",
        {
            "subject": "La tienda en línea no carga",
            "service": Service.objects.get(code="caida-servicio").pk,
        },
        format="json",
    )
    assert outage.status_code == 201, outage.json()
    assert (outage.json()["impact"], outage.json()["priority"]) == ("high", "p2")
    response = next(c for c in outage.json()["clocks"] if c["kind"] == "response")
    # "Hasta 1 hora" for high impact, counted around the clock
    assert datetime.fromisoformat(response["due_at"]) == datetime(2026, 11, 10, 10, tzinfo=BOGOTA)

    message = EmailMessage()
    message["From"] = "Ana Ruiz <ana@tienda.example>"
    message["To"] = "soporte@proveedor.example"
    message["Subject"] = "Restablecer la contraseña del correo"
    message["Message-ID"] = "<reset-1@tienda.example>"
    message.set_content("Olvidé la contraseña de ventas@tienda.example.")
    with django_capture_on_commit_callbacks(execute=True):
        by_mail = mail_ingest(message.as_bytes())

    assert by_mail.action == "opened", by_mail
    assert Ticket.objects.get(number=by_mail.detail).channel == "email"
    assert not CreditHold.objects.exists()
    assert not LedgerEntry.objects.exists()
    acknowledgement = [m for m in outbox.outbox if by_mail.detail in m.subject]
    assert acknowledgement
    assert "crédito" not in acknowledgement[0].body.lower()

    # phone only with an existing case number ("con un número de caso")
    staff = client_for(make_agent())
    called = staff.post(
        "/api/v1/tickets/",
        {"subject": "Llamada", "requester": contact.pk, "channel": "phone"},
        format="json",
    )
    assert called.status_code == 422
    assert called.json()["fields"] == {"existing_ticket_number": [called.json()["message"]]}


def test_nivel_3_fee_is_invoiced_as_cop_120900_plus_iva(
    provider, django_capture_on_commit_callbacks
):
    manager, manager_user = provider
    with time_machine.travel(datetime(2026, 11, 2, 9, tzinfo=BOGOTA), tick=False):
        premium = sign(
            manager,
            manager_user,
            plan="soporte-nivel-3",
            legal_name="Clínica del Norte S.A.S.",
            tax_id="900777333-4",
            email="ti@clinica.example",
        )

    # the monthly run (the scheduler's job) bills November on 1 December
    with time_machine.travel(datetime(2026, 12, 1, 7, tzinfo=BOGOTA), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            billing_run(period=Period.parse("2026-11"))
        finance = client_for(make_finance_user())
        invoices = finance.get("/api/v1/invoices/", {"customer": premium["customer"]["id"]}).json()[
            "results"
        ]

    assert len(invoices) == 1
    invoice = invoices[0]
    assert invoice["subtotal"] == {"amount": "120900.00", "currency": "COP"}
    assert invoice["tax"] == {"amount": "22971.00", "currency": "COP"}  # IVA 19 %
    assert invoice["total"] == {"amount": "143871.00", "currency": "COP"}
    assert (invoice["period_start"], invoice["period_end"]) == ("2026-11-01", "2026-11-30")
