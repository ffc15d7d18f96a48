"""The status pages in Chromium (tests/web/test_browser.py's harness): the public page and an
incident's page without signing in, in Spanish and English, at 1280 and 390 px; the portal's
banners; the workspace's incident page and a ticket's link to an incident. Each page is
checked with axe-core (no serious or critical violation) and for sideways scrolling on a
phone. Screenshots go to WEB_SCREENSHOTS."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from contracts.models import Channel
from statuspage import services
from statuspage.models import Impact, IncidentUpdateMessage, State
from tests.web.conftest import top_up
from tests.web.test_browser import (  # noqa: F401  (fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)
from tickets.services.intake import ticket_open


def _history(catalogue):
    """An open major outage on mail, a resolved partial outage on hosting a week ago, a
    degraded day on the panel a month ago, and maintenance of the VPS tomorrow."""
    now = timezone.now()
    incident = services.incident_open(
        title="Correo caído",
        title_en="Email down",
        body="Investigamos fallas de envío desde las 9:00.",
        body_en="We are looking into failed sends since 9:00.",
        impact=Impact.MAJOR,
        components=[catalogue.mail_component],
        started_at=now - timedelta(hours=1),
        at=now - timedelta(minutes=50),
    )
    services.incident_update_post(
        incident,
        state=State.IDENTIFIED,
        body="Un disco del servidor de correo falló; lo reemplazamos.",
        body_en="A mail server disk failed; we are replacing it.",
    )
    for days, component, impact in (
        (7, catalogue.hosting_component, Impact.PARTIAL),
        (30, catalogue.panel, Impact.DEGRADED),
    ):
        past = services.incident_open(
            title=f"Falla de hace {days} días",
            body="Investigamos.",
            impact=impact,
            components=[component],
            started_at=now - timedelta(days=days),
            at=now - timedelta(days=days) + timedelta(minutes=5),
        )
        services.incident_update_post(
            past,
            state=State.RESOLVED,
            body="Resuelto.",
            at=now - timedelta(days=days) + timedelta(hours=3),
        )
    services.maintenance_schedule(
        title="Cambio de discos de los VPS",
        title_en="VPS disk replacement",
        components=[catalogue.vps_component],
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
    )
    return incident


def _english(page, base):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


@pytest.mark.django_db(transaction=True)
def test_the_public_status_page_in_both_languages_on_a_desktop_and_a_phone(
    browser,  # noqa: F811
    live_server,
    catalogue,
):
    incident = _history(catalogue)
    base = live_server.url
    page = new_page(browser)

    page.goto(f"{base}/status/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Estado del servicio")
    expect(page.get_by_test_id("overall")).to_contain_text("Hay servicios interrumpidos.")
    expect(page.get_by_test_id("incident")).to_contain_text("Un disco del servidor de correo")
    expect(page.get_by_test_id("component")).to_have_count(4)
    expect(page.get_by_test_id("maintenance")).to_contain_text("Cambio de discos de los VPS")
    expect(page.locator("svg.st-bar").first.locator("rect")).to_have_count(90)
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "status-es-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "status-es-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # the language switch turns it English
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("incident")).to_contain_text("A mail server disk failed")
    expect(page.get_by_role("link", name="Email down")).to_be_visible()
    assert_accessible(page)
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "status-en-phone")

    # an incident's page, and the zone chooser
    page.get_by_role("link", name="Email down").click()
    expect(page).to_have_url(re.compile(rf"/status/incidents/{incident.pk}/"))
    page.get_by_role("combobox").last.select_option("America/Bogota")
    page.get_by_role("button", name=re.compile("Mostrar|Show")).click()
    expect(page).to_have_url(re.compile(r"tz=America%2FBogota"))
    expect(page.locator("footer")).to_contain_text("UTC-05:00")
    assert_accessible(page)
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "status-incident-en-phone")
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_portal_warns_and_the_agent_links_and_sends_an_update(
    browser,  # noqa: F811
    live_server,
    catalogue,
    shop,
):
    incident = _history(catalogue)
    top_up(shop.customer, "5")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="No sale el correo"
    ).ticket
    base = live_server.url

    for language in ("es", "en"):
        page = new_page(browser, width=390, height=844)
        log_in(page, base, "ana")
        if language == "en":
            _english(page, base)
        page.goto(f"{base}/portal/")
        expect(page.get_by_test_id("status-notice")).to_contain_text(
            "Correo caído" if language == "es" else "Email down"
        )
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"status-portal-dashboard-{language}")
        page.goto(f"{base}/portal/tickets/new/")
        expect(page.get_by_test_id("status-notice-incident")).to_be_visible()
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"status-portal-request-form-{language}")
        page.context.close()

    # the agent links the ticket from its page, then sends an update to it
    page = new_page(browser)
    log_in(page, base, "agente")
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    box = page.get_by_test_id("ticket-incidents")
    box.get_by_label("Vincular a un incidente abierto").select_option(str(incident.pk))
    box.get_by_role("button", name="Vincular").click()
    expect(page.locator(".alert.success")).to_contain_text("Solicitud vinculada al incidente.")
    expect(page.get_by_test_id("ticket-incidents")).to_contain_text("Correo caído")
    assert_accessible(page)
    shot(page, "status-ticket-linked")

    page.get_by_role("link", name="Estado del servicio").first.click()
    expect(page.get_by_test_id("incident-row")).to_have_count(3)
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "status-workspace-list")
    page.get_by_role("link", name="Correo caído").click()
    page.get_by_label("Nuevo estado").select_option("monitoring")
    page.get_by_label("Mensaje para los clientes").fill("Disco reemplazado; observamos.")
    page.get_by_label("Enviar también a las solicitudes vinculadas abiertas").check()
    page.get_by_role("button", name="Publicar").click()
    expect(page.locator(".alert.success")).to_contain_text("Actualización publicada.")
    expect(page.get_by_test_id("state")).to_have_text("En observación")
    expect(page.get_by_test_id("sent").first).to_contain_text("Enviada a 1 solicitud.")
    expect(page.get_by_test_id("linked-ticket")).to_contain_text(ticket.number)
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "status-workspace-incident")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "status-workspace-incident-phone")
    assert IncidentUpdateMessage.objects.filter(ticket=ticket).count() == 1

    # the customer reads it on the ticket
    page.goto(f"{base}/workspace/tickets/{ticket.number}/")
    expect(page.get_by_text("Disco reemplazado; observamos.")).to_be_visible()
    page.context.close()
