"""The account manager's story in a real browser (Chromium through Playwright), issue 19's
"Done when": a new customer, a contact invited (the mail's link sets the password and the
contact lands in the portal), a contract on seed 002's "Soporte Nivel 2", credits granted,
the plan changed. Every page is checked with axe-core, at 390 px, in Spanish and English,
with screenshots."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from contracts.models import Contact, Contract, Customer
from contracts.presets import load as load_presets
from credits.models import LedgerEntry
from tests.factories import make_account_manager
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)


def _check(page, name: str) -> None:
    """axe-core clean, nothing cut at 390 px; screenshots at full width and at 390 px."""
    assert_accessible(page)
    shot(page, f"accounts-{name}")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert_accessible(page)
    shot(page, f"accounts-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


def _language(page, code: str) -> None:
    page.get_by_label(re.compile("Idioma|Language")).select_option(code)
    page.get_by_role("button", name=re.compile(r"^(Cambiar|Change)$")).click()


@pytest.mark.django_db(transaction=True)
def test_account_manager_sells_nivel_2(browser, live_server):  # noqa: F811
    load_presets(["support-tiers"])
    make_account_manager(username="gerente", password=PASSWORD, email="gerente@proveedor.example")
    base = live_server.url
    page = new_page(browser)
    page.set_default_timeout(60_000)  # two cores shared with other test runs
    log_in(page, base, "gerente")

    # the navigation offers the customers; nothing offered ends in 403
    page.get_by_role("link", name="Clientes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clientes")
    _check(page, "01-customers-empty")

    # a new customer
    page.get_by_test_id("customer-new").click()
    page.get_by_label("Razón social").fill("Hotel Andino S.A.S.")
    page.get_by_label("Identificación tributaria").fill("900123456-7")
    page.get_by_label("País").fill("CO")
    page.get_by_label("Moneda").select_option("COP")
    page.get_by_label("Zona horaria").fill("America/Bogota")
    page.get_by_label("Correo de facturación").fill("facturas@hotel.example")
    _check(page, "02-customer-new")
    page.get_by_role("button", name="Crear cliente").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hotel Andino S.A.S.")
    expect(page.locator(".alert.success")).to_contain_text("Cliente creado")
    customer = Customer.objects.get(legal_name="Hotel Andino S.A.S.")
    assert customer.account_manager.username == "gerente"

    # a contact, invited to the portal
    page.get_by_role("link", name="Nuevo contacto").click()
    page.get_by_label("Nombre").fill("Ana Ruiz")
    page.get_by_label("Correo").fill("ana@hotel.example")
    page.get_by_label("Solicitante autorizado").check()
    _check(page, "03-contact-new")
    page.get_by_role("button", name="Crear contacto").click()
    expect(page.get_by_test_id("contact-row")).to_contain_text("ana@hotel.example")
    page.get_by_role("button", name="Invitar al portal: Ana Ruiz").click()
    expect(page.locator(".alert.success")).to_contain_text("Invitación enviada")
    expect(page.get_by_test_id("contact-row")).to_contain_text("Con acceso")
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/reset/\S+/", mail.outbox[0].body).group(0)

    # a contract on Nivel 2 (seed 002), active from today
    start = page.locator("form", has=page.get_by_role("heading", name="Iniciar un contrato"))
    start.get_by_label("Plan").select_option(label="Soporte Nivel 2")
    start.get_by_role("button", name="Iniciar contrato").click()
    expect(page.get_by_test_id("contract-status")).to_have_text("Activo")
    contract = Contract.objects.get(customer=customer)
    assert contract.plan.code == "soporte-nivel-2"

    # credits granted with a reason
    grant = page.get_by_role("form", name="Dar o ajustar créditos")
    grant.get_by_label("Créditos").fill("10")
    grant.get_by_label("Motivo").fill("Bienvenida")
    grant.get_by_role("button", name="Registrar").click()
    expect(page.locator(".alert.success")).to_contain_text("10")
    entry = LedgerEntry.objects.get(account__customer=customer)
    assert (entry.kind, entry.reason) == ("grant", "Bienvenida")

    # the plan changed to Nivel 3 from today
    change = page.locator("form", has=page.get_by_role("heading", name="Cambiar de plan"))
    change.get_by_label("Plan nuevo").select_option(label="Soporte Nivel 3 (Premium)")
    change.get_by_label("Motivo").fill("Quiere atención 24/7")
    change.get_by_role("button", name="Cambiar plan").click()
    expect(page.locator(".alert.success")).to_contain_text("Plan cambiado")
    contract.refresh_from_db()
    assert contract.plan.code == "soporte-nivel-3"

    # a private note; the timeline has it all
    page.get_by_role("form", name="Nota privada").get_by_label("Nota privada").fill(
        "Renovar en enero con descuento."
    )
    page.get_by_role("button", name="Guardar nota").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Renovar en enero")
    expect(timeline).to_contain_text("Soporte Nivel 2 → Soporte Nivel 3 (Premium)")
    expect(timeline).to_contain_text("Cortesía")
    _check(page, "04-customer")

    # the list shows what a seller watches, in both languages
    page.get_by_role("link", name="Clientes", exact=True).first.click()
    row = page.get_by_test_id("customer-row").filter(has_text="Hotel Andino S.A.S.")
    expect(row).to_contain_text("Soporte Nivel 3 (Premium)")
    expect(row).to_contain_text("10,00")
    _check(page, "05-customers")
    _language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Customers")
    _check(page, "06-customers-en")
    page.get_by_role("link", name="Hotel Andino S.A.S.").click()
    # axe must not start while the list is still being replaced by the customer's page
    expect(page.get_by_test_id("timeline")).to_contain_text("Renovar en enero")
    _check(page, "07-customer-en")
    _language(page, "es")
    page.context.close()

    # the contact follows the mail's link, chooses a password and reaches the portal
    page = new_page(browser)
    page.set_default_timeout(60_000)
    page.goto(link)
    page.locator("#id_new_password1").fill("Clave-del-portal-9")
    page.locator("#id_new_password2").fill("Clave-del-portal-9")
    _check(page, "08-set-password")
    page.get_by_role("button", name="Guardar la contraseña").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Contraseña nueva")
    page.goto(f"{base}/accounts/login/")
    page.get_by_label(re.compile("Nombre de usuario|Username")).fill("ana@hotel.example")
    page.get_by_label(re.compile("Contraseña|Password")).fill("Clave-del-portal-9")
    page.get_by_role("button", name=re.compile("Entrar|Log in")).click()
    expect(page).to_have_url(re.compile(r"/portal/"))
    assert Contact.objects.get(email="ana@hotel.example").user.has_usable_password()
    _check(page, "09-contact-portal")
