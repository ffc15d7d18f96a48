"""Self-service in a real browser (Chromium through Playwright): a customer's contact
reports a bank transfer with its proof, finance confirms it from its queue; the contact
subscribes to a premium tier and cancels it at the period end; the account manager sees it
on the customer page. Every page is checked with axe-core, at 390 px and in both languages,
with screenshots."""

import re

import pytest
from django.core import mail
from djmoney.money import Money
from playwright.sync_api import expect

from billing.models import AutoTopUp, BankTransferReport, Payment, StripeSubscription
from tests.billing.test_subscriptions import card
from tests.billing.transfer_files import pdf_bytes
from tests.factories import make_finance_user, make_plan
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
    """axe-core clean, nothing cut at 390 px, in Spanish and English; screenshots of each."""
    for language in ("es", "en"):
        page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
        page.reload()
        assert_accessible(page)
        shot(page, f"selfservice-{name}-{language}")
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        assert_accessible(page)
        shot(page, f"selfservice-{name}-{language}-390")
        page.set_viewport_size({"width": 1280, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": page.url}])
    page.reload()


@pytest.mark.django_db(transaction=True)
def test_a_contact_reports_a_transfer_and_finance_confirms_it(
    browser,  # noqa: F811
    live_server,
    shop,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    make_finance_user(username="finanzas", password=PASSWORD)
    proof = tmp_path / "comprobante.pdf"
    proof.write_bytes(pdf_bytes())
    base = live_server.url
    page = new_page(browser)

    log_in(page, base, "ana")
    page.goto(f"{base}/portal/transfers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Transferencias bancarias")
    _check(page, "portal-transfer-form")
    page.get_by_label("Qué paga").select_option(f"pack:{shop.pack.pk}")
    page.get_by_label("Importe transferido").fill("1071000")
    page.get_by_label("Fecha de la transferencia").fill("2026-12-02")
    page.get_by_label("Referencia bancaria").fill("BANCOLOMBIA-5521")
    page.get_by_label("Comprobante").set_input_files(str(proof))
    page.get_by_role("button", name="Informar la transferencia").click()
    expect(page.get_by_text("Transferencia informada.")).to_be_visible()
    reports = page.get_by_test_id("transfer-reports")
    expect(reports).to_contain_text("BANCOLOMBIA-5521")
    expect(reports).to_contain_text("Pendiente de revisión")
    _check(page, "portal-transfer-reported")

    # a PNG named .pdf is refused on the proof field
    png = tmp_path / "foto.pdf"
    from tests.billing.transfer_files import png_bytes

    png.write_bytes(png_bytes())
    page.get_by_label("Qué paga").select_option(f"pack:{shop.pack.pk}")
    page.get_by_label("Importe transferido").fill("1071000")
    page.get_by_label("Fecha de la transferencia").fill("2026-12-02")
    page.get_by_label("Referencia bancaria").fill("BANCOLOMBIA-5522")
    page.get_by_label("Comprobante").set_input_files(str(png))
    page.get_by_role("button", name="Informar la transferencia").click()
    expect(page.get_by_text(re.compile("el contenido es PNG"))).to_be_visible()
    _check(page, "portal-transfer-refused")

    finance = new_page(browser)
    log_in(finance, base, "finanzas")
    finance.goto(f"{base}/workspace/finance/transfers/")
    report = BankTransferReport.objects.get(reference="BANCOLOMBIA-5521")
    row = finance.get_by_test_id(f"transfer-{report.pk}")
    expect(row).to_contain_text("Hotel Andino S.A.S.")
    _check(finance, "finance-transfers")
    row = finance.get_by_test_id(f"transfer-{report.pk}")
    row.get_by_role("button", name="Confirmar").click()
    expect(finance.get_by_text("confirmada y aplicada")).to_be_visible()
    expect(finance.get_by_test_id("decided-transfers")).to_contain_text("BANCOLOMBIA-5521")
    _check(finance, "finance-transfers-decided")
    assert Payment.objects.filter(provider_ref="BANCOLOMBIA-5521").count() == 1
    assert BankTransferReport.objects.get(pk=report.pk).status == "confirmed"
    assert mail.outbox is not None


@pytest.mark.django_db(transaction=True)
def test_a_contact_subscribes_and_cancels_and_the_manager_sees_it(
    browser,  # noqa: F811
    live_server,
    shop,
    settings,
    stripe_settings,
):
    premium = make_plan(name="Nivel 3 24/7", monthly_fee=Money("500000", "COP"))
    AutoTopUp.objects.create(
        customer=shop.customer, payment_method_id=card(settings), card_last4="4242"
    )
    base = live_server.url
    page = new_page(browser)
    log_in(page, base, "ana")
    page.goto(f"{base}/portal/subscription/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Suscripción premium")
    _check(page, "portal-subscription-offer")
    page.get_by_role("combobox", name="Nivel premium").select_option(str(premium.pk))
    page.get_by_role("button", name="Suscribirse").click()
    expect(page.get_by_test_id("subscription-status")).to_contain_text("Nivel 3 24/7")
    _check(page, "portal-subscription-active")
    page.get_by_role("button", name="Cancelar la suscripción al final del periodo").click()
    expect(page.get_by_test_id("subscription-ends")).to_contain_text("sigue vigente hasta")
    _check(page, "portal-subscription-cancelled")
    assert StripeSubscription.objects.get(contract=shop.contract).cancel_at_period_end

    manager = new_page(browser)
    log_in(manager, base, "gerente")
    manager.goto(f"{base}/workspace/customers/{shop.customer.pk}/#subscription")
    expect(manager.get_by_test_id("workspace-subscription")).to_contain_text("Termina el")
    _check(manager, "workspace-customer-subscription")
