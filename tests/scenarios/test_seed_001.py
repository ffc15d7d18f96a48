"""Seed 001, through the public API: TecnoLinux's membership support. Only members in a
plan are served ("clientes formales en alguno de nuestros planes de membresía"); a request
starts in writing; severity comes from impact and urgency; a critical case is attended at
once around the clock (read as 15 minutes, solved within 4 hours); the customer has 8
working hours to give critical information; the customer is told the solution."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from credits.models import CreditHold, LedgerEntry
from tests.api.conftest import client_for
from tests.factories import make_account_manager, make_agent
from tests.scenarios.conftest import sign_through_api
from tickets.models import Ticket
from tickets.services import lifecycle

pytestmark = pytest.mark.django_db
BOGOTA = ZoneInfo("America/Bogota")


def sign(manager, manager_user, *, membership: str, legal_name: str, tax_id: str, email: str):
    signed = sign_through_api(
        manager,
        manager_user,
        plan="tecnolinux-membresia",
        customer={
            "legal_name": legal_name,
            "tax_id": tax_id,
            "country": "CO",
            "currency": "COP",
            "time_zone": "America/Bogota",
            "billing_email": email,
            "membership": membership,
        },
        contact={"name": "Marta Díaz", "email": email},
    )
    return signed["client"], signed["contact"]


@time_machine.travel(datetime(2026, 11, 20, 15, tzinfo=BOGOTA), tick=False)
def test_a_member_is_served_by_severity_and_a_free_member_is_not(
    django_capture_on_commit_callbacks,
):
    call_command("load_presets", "severity-matrix", stdout=io.StringIO())
    manager_user = make_account_manager()
    manager = client_for(manager_user)
    member, member_contact = sign(
        manager,
        manager_user,
        membership="paid",
        legal_name="Hotel Andino S.A.S.",
        tax_id="900555111-2",
        email="marta@a.example",
    )
    free, _ = sign(
        manager,
        manager_user,
        membership="free",
        legal_name="Tienda Libre S.A.S.",
        tax_id="900666222-3",
        email="jose@b.example",
    )

    refused = free.post("/api/v1/tickets/", {"subject": "Ayuda"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "free_membership"

    # Friday 15:00: a critical outage is attended within 15 minutes, even after hours
    critical = member.post(
        "/api/v1/tickets/",
        {"subject": "Caída del ERP", "impact": "high", "urgency": "high"},
        format="json",
    )
    assert critical.status_code == 201, critical.json()
    body = critical.json()
    assert body["priority"] == "p1"
    response = next(c for c in body["clocks"] if c["kind"] == "response")
    assert datetime.fromisoformat(response["due_at"]) == datetime(
        2026, 11, 20, 15, 15, tzinfo=BOGOTA
    )
    assert not CreditHold.objects.exists()  # support comes with the membership

    # a request by phone is not a written request: staff cannot log it as one
    staff = client_for(make_agent())
    called = staff.post(
        "/api/v1/tickets/",
        {"subject": "Llamada", "requester": member_contact["id"], "channel": "phone"},
        format="json",
    )
    assert called.status_code == 422
    assert called.json()["code"] == "channel_not_allowed"

    # the agent asks for critical information: 8 working hours (Friday 16:30, then Monday)
    ticket = Ticket.objects.get(pk=body["id"])
    agent_user = make_agent()
    asked = client_for(agent_user).post(
        f"/api/v1/tickets/{ticket.pk}/messages/",
        {"body": "¿Qué mensaje de error muestra?", "asks_for_information": True},
        format="json",
    )
    assert asked.status_code == 201
    with time_machine.travel(datetime(2026, 11, 23, 14, 29, tzinfo=BOGOTA), tick=False):
        assert lifecycle.tickets_chase_unanswered()["reminded"] == 0
    with time_machine.travel(datetime(2026, 11, 23, 14, 30, tzinfo=BOGOTA), tick=False):
        assert lifecycle.tickets_chase_unanswered()["reminded"] == 1

    # the member answers, the agent solves it and the member is told
    with time_machine.travel(datetime(2026, 11, 23, 15, tzinfo=BOGOTA), tick=False):
        answered = member.post(
            f"/api/v1/tickets/{ticket.pk}/messages/", {"body": "Error 500"}, format="json"
        )
        assert answered.status_code == 201
        with django_capture_on_commit_callbacks(execute=True):
            solved = client_for(agent_user).post(
                f"/api/v1/tickets/{ticket.pk}/transitions/",
                {"to_status": "resolved", "reason": "Servicio de base de datos reiniciado."},
                format="json",
            )
    assert solved.status_code == 200, solved.json()
    [notice] = [m for m in mail.outbox if "Resolvimos" in m.body]
    assert notice.to == ["marta@a.example"]
    assert "Servicio de base de datos reiniciado." in notice.body
    assert "Cargo" not in notice.body
    assert not LedgerEntry.objects.exists()


def test_levels_have_their_own_time_and_the_third_names_the_vendor_or_committee(
    django_capture_on_commit_callbacks,
):
    """ "Resolución en primer nivel ... en las dos primeras horas", "segundo nivel ...
    durante las primeras cuatro horas", "tercer nivel ... requiere la participación de un
    proveedor directo ... o es escalado al comité de expertos"."""
    call_command("load_presets", "severity-matrix", stdout=io.StringIO())
    manager_user = make_account_manager(email="gerente@tecnolinux.example")
    tuesday = datetime(2026, 11, 17, 9, tzinfo=BOGOTA)
    with time_machine.travel(tuesday, tick=False):
        member, _ = sign(
            client_for(manager_user),
            manager_user,
            membership="paid",
            legal_name="Hotel Andino S.A.S.",
            tax_id="900555111-2",
            email="marta@a.example",
        )
        opened = member.post(
            "/api/v1/tickets/", {"subject": "Consulta de uso del ERP"}, format="json"
        ).json()
    agent = client_for(make_agent())
    url = f"/api/v1/tickets/{opened['id']}/"
    level = opened["level"]
    assert (level["number"], level["target_seconds"]) == (1, 2 * 3600)
    assert datetime.fromisoformat(level["due_at"]) == tuesday.replace(hour=11)

    def escalate_at(hour: int) -> None:
        with (
            time_machine.travel(tuesday.replace(hour=hour), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            call_command("escalate_tickets", stdout=io.StringIO())

    escalate_at(11)  # level 1's two hours are used: the ladder raises it
    with time_machine.travel(tuesday.replace(hour=11), tick=False):
        level = agent.get(url).json()["level"]
    assert (level["number"], level["target_seconds"]) == (2, 4 * 3600)
    assert datetime.fromisoformat(level["due_at"]) == tuesday.replace(hour=13)

    escalate_at(13)  # level 2's four hours are used: level 3 needs a person to name who
    assert agent.get(url).json()["resolution_level"] == 2
    told = [m for m in mail.outbox if "Escalamiento" in m.subject]
    assert len(told) == 2
    assert all(m.to == ["gerente@tecnolinux.example"] for m in told)

    referred = agent.post(
        url + "escalate/",
        {"to_level": 3, "reason": "Falla del motor de base de datos", "referred_to": "Oracle"},
        format="json",
    )
    assert referred.status_code == 200, referred.json()
    assert (referred.json()["resolution_level"], referred.json()["referred_to"]) == (3, "Oracle")
