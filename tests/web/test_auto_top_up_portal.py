"""The portal's auto top-up in a real browser: the customer saves a card (Stripe.js against
localstripe confirms a SetupIntent), sets a threshold and a pack, turns it on; a charge takes
the credits below the threshold and the card is charged off-session; the section lists the
attempt. Screenshots in Spanish, English and at 390 px; axe-core on each page."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing.models import AutoTopUp, AutoTopUpAttempt
from credits.models import LedgerEntry
from credits.services import credit_account_get_or_create, credits_charge
from tests.web.conftest import top_up
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)


@pytest.mark.django_db(transaction=True)
def test_customer_saves_a_card_turns_auto_top_up_on_and_is_topped_up(
    browser,  # noqa: F811
    live_server,
    localstripe_webhooks,
    settings,
    shop,
):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_creditdesk"
    base = live_server.url
    top_up(shop.customer, "8")
    page = new_page(browser)
    log_in(page, base, "ana")

    # the credits page offers auto top-up; nothing is saved yet
    page.goto(f"{base}/portal/credits/#auto-top-up")
    section = page.get_by_test_id("auto-top-up")
    expect(section).to_contain_text("No hay una tarjeta guardada.")
    assert_accessible(page)

    # turning it on without a card is refused on the form, naming what is missing
    section.get_by_label("Recarga automática activa").check()
    section.get_by_label("Recargar cuando los créditos disponibles bajen de").fill("5")
    section.get_by_label("Paquete que se compra").select_option(value=str(shop.pack.pk))
    section.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.get_by_test_id("auto-top-up").locator(".alert.error")).to_contain_text(
        "Guarde primero una tarjeta"
    )
    assert not AutoTopUp.objects.filter(enabled=True).exists()

    # the card form: Stripe.js (localstripe's stand-in) confirms the SetupIntent
    page.get_by_role("button", name="Guardar una tarjeta").click()
    expect(page).to_have_url(re.compile(r"/portal/credits/auto-top-up/card/"))
    assert_accessible(page, exclude=("#card-element",))
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("30")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("110111")
    shot(page, "auto-top-up-card-es")
    page.get_by_role("button", name="Guardar la tarjeta").click()
    expect(page.locator(".alert.success")).to_contain_text("terminada en 4242")
    expect(page.get_by_test_id("saved-card")).to_contain_text("Visa terminada en 4242")

    # threshold and pack, turned on
    section = page.get_by_test_id("auto-top-up")
    section.get_by_label("Recarga automática activa").check()
    section.get_by_label("Recargar cuando los créditos disponibles bajen de").fill("5")
    section.get_by_label("Paquete que se compra").select_option(value=str(shop.pack.pk))
    section.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.locator(".alert.success")).to_contain_text("Recarga automática activada.")
    row = AutoTopUp.objects.get(customer=shop.customer)
    assert (row.enabled, row.threshold_credits) == (True, Decimal("5.00"))
    assert not AutoTopUpAttempt.objects.exists()  # 8 credits: above the threshold

    # a request's charge takes the credits to 4: the card is charged off-session, once
    account = credit_account_get_or_create(customer=shop.customer)
    credits_charge(account=account, credits="4", reason="Soporte remoto")
    attempt = AutoTopUpAttempt.objects.get()
    assert attempt.status == AutoTopUpAttempt.Status.SUCCEEDED
    top_ups = LedgerEntry.objects.filter(account=account, kind="top_up")
    assert sorted(top_ups.values_list("credits", flat=True)) == [Decimal("8"), Decimal("10")]

    page.reload()  # the same address: a fresh page
    attempts = page.get_by_test_id("auto-top-up-attempts")
    expect(attempts).to_contain_text("Pagado")
    expect(attempts).to_contain_text(shop.pack.name)
    assert_accessible(page)
    section = page.get_by_test_id("auto-top-up")
    section.scroll_into_view_if_needed()
    shot(page, "auto-top-up-es")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "auto-top-up-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    # the attempt's own page
    attempts.get_by_role("link", name="Pagado").click()
    expect(page.get_by_test_id("attempt-status")).to_contain_text("Pagado")
    assert_accessible(page)
    assert_fits_phone(page)

    # in English
    page.goto(f"{base}/portal/credits/")
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar", exact=True).click()
    # (the new texts are translated by the integrator; the page itself is already English)
    expect(page.get_by_role("heading", level=1)).to_have_text("Credits")
    expect(page.get_by_test_id("auto-top-up-attempts")).to_be_visible()
    assert_accessible(page)
    shot(page, "auto-top-up-en")
