"""Activation pages in Chromium (tests/web/test_browser.py's harness): the account manager
registers a Portal Noticioso purchase from the workspace; the payment is credited; the agent
ticks "dominio activo y delegado" on the checklist and the list orders activations by due
time; the catalogue and its edit form; the customer follows the activation in the portal in
Spanish and English at 390 px. Each page is checked with axe-core (no serious or critical
violation) and for sideways scrolling on a phone; screenshots go to WEB_SCREENSHOTS."""

import re

import pytest
from django.core.management import call_command
from djmoney.money import Money
from playwright.sync_api import expect

from activations.models import Activation
from activations.services import activation_purchase
from billing.services.payments import payment_record
from contracts.services import customer_today
from sla.models import ActivationLeadTime
from tests.factories import (
    make_account_manager,
    make_agent,
    make_contact,
    make_customer,
    make_portal_user,
)
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)
from tests.web.test_workspace_phone_browser import nothing_cut


def _pay(activation: Activation, ref: str) -> None:
    payment_record(
        customer=activation.customer,
        amount=activation.invoice.total,
        provider="bank_transfer",
        provider_ref=ref,
        received_on=customer_today(activation.customer),
        invoice=activation.invoice,
    )


@pytest.mark.django_db(transaction=True)
def test_activation_pages_for_staff_and_customer(browser, live_server):  # noqa: F811
    call_command("load_presets", "activation-times")
    base = live_server.url
    manager = make_account_manager(username="gerente", password=PASSWORD)
    make_agent(username="agente", password=PASSWORD)
    customer = make_customer(
        legal_name="Diario del Valle S.R.L.",
        country="AR",
        currency="ARS",
        time_zone="America/Argentina/Buenos_Aires",
        account_manager=manager,
    )
    make_portal_user(
        make_contact(customer, name="Marta Gómez", email="marta@diariodelvalle.example"),
        username="marta",
        password=PASSWORD,
    )
    hosting = activation_purchase(
        customer=customer,
        product=ActivationLeadTime.objects.get(product="Hosting"),
        unit_price=Money("15000", "ARS"),
    )
    _pay(hosting, "BNA-1")  # instant: due two minutes after the payment, late soon

    # The account manager registers the news portal's purchase.
    page = new_page(browser)
    log_in(page, base, "gerente")
    page.goto(f"{base}/workspace/activations/")
    page.get_by_test_id("activation-new").click()
    expect(page.locator("h1")).to_have_text("Registrar una compra")
    page.locator("#id_customer").select_option(label="Diario del Valle S.R.L.")
    page.locator("#id_product").select_option(label="Portal Noticioso")
    page.locator("#id_unit_price").fill("180000")
    assert_accessible(page)
    shot(page, "activation-purchase")
    page.get_by_role("button", name="Registrar y emitir la factura").click()
    expect(page.locator(".alert.success")).to_contain_text("Compra registrada")
    expect(page.get_by_test_id("activation-state")).to_have_text("Esperando requisitos")
    portal = Activation.objects.get(product_name="Portal Noticioso")
    _pay(portal, "BNA-2")
    page.context.close()

    # The agent ticks the domain; the clock starts and the list orders by due time.
    page = new_page(browser)
    log_in(page, base, "agente")
    page.goto(f"{base}/workspace/activations/{portal.pk}/")
    steps = page.get_by_test_id("activation-steps")
    expect(steps).to_contain_text("Pago acreditado")
    page.get_by_label(re.compile("Nota")).fill("ns1/ns2 delegados")
    page.get_by_test_id("step-meet-2").click()
    expect(page.locator(".alert.success")).to_contain_text("dominio activo y delegado")
    expect(page.get_by_test_id("activation-state")).to_have_text("En curso")
    expect(page.get_by_test_id("activation-due")).to_contain_text("17:00")
    assert_accessible(page)
    shot(page, "activation-work-detail")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "activation-work-detail-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/workspace/activations/")
    rows = page.get_by_test_id("activations").locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Hosting")  # due first
    expect(rows.nth(1)).to_contain_text("Portal Noticioso")
    assert_accessible(page)
    shot(page, "activation-work-list-es")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "activation-work-list-es-phone")
    assert not nothing_cut(page)  # the list is cards: no column cut off at the edge
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/workspace/activations/products/")
    expect(page.get_by_test_id("products")).to_contain_text("Portal Noticioso")
    assert_accessible(page)
    shot(page, "activation-products-es")
    assert_fits_phone(page)
    page.context.close()

    # The account manager edits a lead time; English pages.
    page = new_page(browser)
    log_in(page, base, "gerente")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/workspace/activations/products/")
    # New strings are translated by the integrator at the end: either language matches.
    page.get_by_role("link", name=re.compile("(Edit|Editar) Noticioso PLUS")).click()
    expect(page.get_by_test_id("product-form")).to_be_visible()
    assert_accessible(page)
    shot(page, "activation-product-edit-en")
    page.locator("#id_business_days_max").fill("5")
    page.get_by_role("button", name=re.compile("Save|Guardar")).click()
    expect(page.get_by_test_id("products")).to_be_visible()
    assert ActivationLeadTime.objects.get(product="Noticioso PLUS").business_days_max == 5
    page.goto(f"{base}/workspace/activations/")
    assert_accessible(page)
    shot(page, "activation-work-list-en")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "activation-work-list-en-phone")
    assert not nothing_cut(page)  # the list is cards: no column cut off at the edge
    page.set_viewport_size({"width": 1280, "height": 900})
    page.context.close()

    # The customer, on a phone, in both languages.
    for language in ("es", "en"):
        page = new_page(browser, width=390, height=844)
        log_in(page, base, "marta")
        if language == "en":
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        page.goto(f"{base}/portal/activations/")
        table = page.get_by_test_id("activations")
        expect(table).to_contain_text("Portal Noticioso")
        expect(table).to_contain_text("Hosting")
        expect(table.get_by_test_id("due").first).to_contain_text(":")
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"activation-portal-{language}-phone")
        page.set_viewport_size({"width": 1280, "height": 900})
        shot(page, f"activation-portal-{language}")
        page.context.close()
