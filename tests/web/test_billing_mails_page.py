"""The customer's billing mails on the workspace customer page, in a real browser: listed
newest first with what, when and to whom, axe-core clean, fitting 390 px, in Spanish and
English (screenshots)."""

import re

import pytest
import time_machine
from playwright.sync_api import expect

from billing import notifications
from tests.factories import make_account_manager, make_contact, make_customer, make_invoice
from tests.web.conftest import PASSWORD
from tests.web.test_browser import (  # noqa: F401  (the browser fixture)
    assert_accessible,
    assert_fits_phone,
    browser,
    log_in,
    new_page,
    shot,
)

# The contacts' invite buttons belong to the account pages' own browser test.
NOT_OURS = ('button[aria-label^="Invitar"]', 'button[aria-label^="Invite"]')


def _check(page, name: str) -> None:
    assert_accessible(page, exclude=NOT_OURS)
    shot(page, f"billing-mails-{name}")
    assert_fits_phone(page)
    page.set_viewport_size({"width": 390, "height": 844})
    # cards like the page's other tables: the region does not scroll sideways either
    wide = page.evaluate(
        "() => { const r = document.querySelector('[aria-labelledby=billing-mails]');"
        " return r.scrollWidth - r.clientWidth; }"
    )
    assert wide <= 1, f"the billing mails scroll sideways by {wide}px at 390px"
    assert_accessible(page, exclude=NOT_OURS)
    shot(page, f"billing-mails-{name}-390")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.django_db(transaction=True)
def test_the_customer_page_lists_its_billing_mails(browser, live_server, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path
    manager = make_account_manager(username="gerente", password=PASSWORD)
    customer = make_customer(
        legal_name="Hotel Andino S.A.S.",
        billing_email="pagos@hotel.example",
        account_manager=manager,
    )
    make_contact(customer, name="Ana Ruiz", email="ana.ruiz.contabilidad@hotel.example")
    with time_machine.travel("2026-12-03T15:00:00Z", tick=False) as clock:
        invoice = make_invoice(customer, issue=True)  # mailed on commit
        clock.move_to("2026-12-15T13:00:00Z")
        notifications.send_payment_reminder(invoice.pk, -3)
    number = invoice.display_number

    page = new_page(browser)
    log_in(page, live_server.url, "gerente")
    page.goto(f"{live_server.url}/workspace/customers/{customer.pk}/")
    section = page.get_by_role("region", name="Correos de facturación")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(0)).to_contain_text(f"Recordatorio de pago de {number}: vence en 3 días")
    expect(rows.nth(3)).to_contain_text(f"Factura {number} emitida")
    expect(section).to_contain_text("15 de diciembre")
    expect(section).to_contain_text("08:00 (hora de Bogotá)")
    expect(section).to_contain_text("pagos@hotel.example")
    _check(page, "es")

    page.get_by_label(re.compile("Idioma|Language")).select_option("en")
    page.get_by_role("button", name=re.compile("Cambiar|Change")).click()
    page.goto(f"{live_server.url}/workspace/customers/{customer.pk}/")
    region = re.compile("Billing emails")
    expect(page.get_by_role("region", name=region)).to_be_visible()
    _check(page, "en")
