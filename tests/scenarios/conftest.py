"""Signing a customer the way an account manager does it, through the public API."""

import io

from django.core.management import call_command

from contracts.models import Contact, Plan, Service
from contracts.services import contact_portal_access_grant
from tests.api.conftest import client_for
from tests.factories import make_account_manager


def sign_through_api(
    manager,
    manager_user,
    *,
    plan: str,
    customer: dict,
    contact: dict,
    services=(),
    starts_on: str = "2026-11-01",
) -> dict:
    """POST the customer (with `manager_user` as its account manager), its contact (an
    authorized requester) and a contract on the preset `plan` from `starts_on`, activate it,
    and give the contact a login; returns the three bodies and the contact's API client."""
    created = manager.post(
        "/api/v1/customers/", {**customer, "account_manager": manager_user.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    customer_id = created.json()["id"]
    person = manager.post(
        "/api/v1/contacts/",
        {**contact, "customer": customer_id, "can_request": True},
        format="json",
    )
    assert person.status_code == 201, person.json()
    contract = manager.post(
        "/api/v1/contracts/",
        {
            "customer": customer_id,
            "plan": Plan.objects.get(code=plan).pk,
            "starts_on": starts_on,
            "services": list(services),
        },
        format="json",
    )
    assert contract.status_code == 201, contract.json()
    activated = manager.post(f"/api/v1/contracts/{contract.json()['id']}/activate/")
    assert activated.status_code == 200, activated.json()
    login = contact_portal_access_grant(
        Contact.objects.get(pk=person.json()["id"]),
        username=contact["email"].split("@")[0],
        password="x" * 16,
    )
    return {
        "customer": created.json(),
        "contact": person.json(),
        "contract": contract.json(),
        "client": client_for(login),
    }


def sign_estudio_pampa() -> tuple[dict, dict[str, int]]:
    """Seed 000's customer: an account manager signs Estudio Pampa (Buenos Aires, ARS) to
    hosting with SLA 1 to 4 from 1 March 2026; returns what `sign_through_api` returns and
    the SLA service types' ids by code."""
    call_command("load_presets", "sla-service-types", stdout=io.StringIO())
    manager_user = make_account_manager()
    types = {s.code: s.pk for s in Service.objects.filter(code__startswith="sla")}
    signed = sign_through_api(
        client_for(manager_user),
        manager_user,
        plan="altomarketing-hosting",
        customer={
            "legal_name": "Estudio Pampa S.R.L.",
            "tax_id": "30-71234567-8",
            "country": "AR",
            "currency": "ARS",
            "time_zone": "America/Argentina/Buenos_Aires",
            "billing_email": "admin@pampa.example",
        },
        contact={"name": "Lucía Gómez", "email": "lucia@pampa.example"},
        services=sorted(types.values()),
        starts_on="2026-03-01",
    )
    return signed, types
