"""The agent's story in Chromium (issue 19, "Done when"): assign to self from the queue,
insert a canned reply, attach a PNG, send, resolve; the customer sees the image's preview in
the portal. Every page checked with axe-core and at 390 px, screenshots in both languages."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from contracts.models import Channel
from tests.web.conftest import top_up
from tests.web.test_browser import (  # noqa: F401  (browser: fixture)
    SHOTS,
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)
from tickets.models import CannedReply, Ticket
from tickets.services.canned import canned_reply_save
from tickets.services.intake import ticket_open


def screenshot_png(path) -> None:
    image = Image.new("RGB", (480, 300), "#f4f6f8")
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 460, 80), fill="#0b5cad")
    draw.text((32, 40), "Error 550: relay denied", fill="white")
    image.save(path, "PNG")


def loaded_width(page) -> int:
    """The preview's natural width once the browser has loaded it (0 while loading)."""
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=attachment-preview]');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    return page.evaluate("document.querySelector('[data-testid=attachment-preview]').naturalWidth")


def english(page, base) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()


def phone_shot(page, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, name)
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_agent_assigns_inserts_a_canned_reply_attaches_a_png_and_resolves(
    browser,  # noqa: F811
    live_server,
    shop,
    settings,
    tmp_path,
    time_machine,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    base = live_server.url
    top_up(shop.customer, "10")
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="Correo rechazado", impact="high"
    ).ticket
    canned_reply_save(
        CannedReply(
            title="Acuse con plazo",
            body="Hola {cliente}: trabajamos en {ticket}; el plazo vence el {vence}.",
            language="es",
        )
    )
    canned_reply_save(
        CannedReply(
            title="Acknowledgement", body="Hello {customer}: {ticket} is due {due}.", language="en"
        )
    )
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Otra consulta")
    picture = tmp_path / "captura-error.png"
    screenshot_png(picture)

    # the agent takes the ticket from the queue
    page = new_page(browser)
    log_in(page, base, "agente")
    row = page.get_by_test_id("queue-row").filter(has_text=ticket.number)
    assert_accessible(page)
    phone_shot(page, "agent-00-queue-es-390")
    row.get_by_role("button", name=f"Asignarme {ticket.number}").click()
    expect(page.locator(".alert.success")).to_contain_text(f"{ticket.number} está asignada a usted")
    row = page.get_by_test_id("queue-row").filter(has_text=ticket.number)
    expect(row).to_contain_text("agente")
    expect(row.get_by_role("button", name=re.compile("Asignarme"))).to_have_count(0)
    assert Ticket.objects.get(pk=ticket.pk).assignee == shop.agent
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "agent-01-queue-assigned-es")
    phone_shot(page, "agent-01-queue-assigned-es-390")

    # on the ticket: the canned reply, filled in, goes into the message; a PNG is attached
    row.get_by_role("link", name=ticket.number).click()
    page.get_by_label("Respuesta predefinida").select_option(label="Acuse con plazo")
    page.get_by_role("button", name="Insertar la respuesta en el mensaje").click()
    message = page.locator("#id_body")
    expect(message).to_have_value(re.compile(r"Hola Hotel Andino S\.A\.S\.: trabajamos en "))
    # \S, not \w: the pattern runs in the browser, whose \w is ASCII ("miércoles", "sábado")
    expect(message).to_have_value(
        re.compile(r"el plazo vence el \S+ \d+ de \S+, \d\d:\d\d \(hora de Bogotá\)")
    )
    page.get_by_label("Adjuntos").set_input_files(str(picture))
    assert_accessible(page)
    shot(page, "agent-02-reply-with-canned-es")
    page.get_by_role("button", name="Registrar mensaje").click()
    expect(page.locator(".alert.success")).to_contain_text("Mensaje registrado")
    preview = page.get_by_test_id("attachment-preview")
    expect(preview).to_be_visible()
    assert loaded_width(page) == 320

    # three quarters of an hour later, the work is done: log it and resolve
    time_machine.move_to(timezone.now() + timedelta(minutes=45))
    page.reload()
    page.get_by_label(re.compile(r"^Minutos")).fill("45")
    page.get_by_role("button", name="Registrar", exact=True).click()
    expect(page.locator(".alert.success")).to_contain_text("Trabajo registrado")
    page.get_by_label("Nuevo estado").select_option("resolved")
    page.get_by_role("button", name="Cambiar estado").click()
    expect(page.get_by_test_id("status")).to_have_text("Resuelto")
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "agent-03-resolved-es")
    phone_shot(page, "agent-03-resolved-es-390")
    english(page, base)
    expect(page.get_by_test_id("status")).to_have_text("Resolved")
    assert_accessible(page)
    shot(page, "agent-03-resolved-en")
    page.goto(f"{base}/workspace/")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)  # the other, unassigned
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "agent-04-queue-en")
    phone_shot(page, "agent-04-queue-en-390")
    page.context.close()

    # the customer sees the answer with the picture's preview, and downloads it
    page = new_page(browser)
    log_in(page, base, "ana")
    page.goto(f"{base}/portal/tickets/{ticket.number}/")
    expect(page.get_by_text("Hola Hotel Andino S.A.S.: trabajamos en")).to_be_visible()
    preview = page.get_by_test_id("attachment-preview")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("alt", "Vista previa de captura-error.png")
    assert loaded_width(page) > 0
    with page.expect_download() as download:
        page.get_by_role("link", name="captura-error.png", exact=True).click()
    with Image.open(download.value.path()) as downloaded:
        assert downloaded.size == (480, 300)
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "customer-01-preview-es")
    phone_shot(page, "customer-01-preview-es-390")
    english(page, base)
    expect(page.get_by_test_id("attachment-preview")).to_be_visible()
    assert_accessible(page)
    shot(page, "customer-01-preview-en")
    phone_shot(page, "customer-01-preview-en-390")
    print(f"\nagent story screenshots: {SHOTS}")
