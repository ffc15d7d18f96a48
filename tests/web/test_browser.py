"""Whole flows in a real browser: Playwright for Python driving Debian's Chromium
(/usr/bin/chromium, installed by .ci/run; Playwright downloads no browser here).

Each page visited is checked with axe-core (npm, installed into tests/web/node_modules by
.ci/run) for serious or critical violations, and at phone width for horizontal scrolling.
Screenshots go to WEB_SCREENSHOTS (default var/screenshots/web); the test prints the folder.
"""

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import stripe
from django.conf import settings as django_settings
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from billing.models import Invoice, Payment
from tests.billing.conftest import SECRET_KEY
from tests.web import browser_requirements
from tests.web.conftest import PASSWORD, top_up
from tickets.models import Ticket

CHROMIUM = str(browser_requirements.CHROMIUM)
AXE = browser_requirements.AXE
SHOTS = Path(os.environ.get("WEB_SCREENSHOTS", django_settings.VAR_DIR / "screenshots" / "web"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser(monkeypatch):
    decision = browser_requirements.browser_tests_decision(
        missing=browser_requirements.missing_tools(), ci=bool(os.environ.get("CI"))
    )
    if decision.action == "skip":
        pytest.skip(decision.reason)
    if decision.action == "fail":
        pytest.fail(decision.reason)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between browser steps are ordinary synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots: {SHOTS}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()
        violations, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
        assert not violations, f"Content-Security-Policy violations: {violations}"
        # With that loop running, Django keeps this thread's connections in a context
        # variable of their own, which closing the test database would not reach: close
        # them here, or dropping the test database finds them still connected.
        connections.close_all()


# Console messages in which the browser refused something under the page's CSP; the browser
# fixture fails the test on any.
CSP_VIOLATIONS: list[str] = []


def _record_csp_violation(message) -> None:
    if "Content Security Policy" in message.text:
        CSP_VIOLATIONS.append(message.text)


# Records the options the page gives Stripe.js (localstripe's stand-in assigns the global
# `Stripe`, so a setter sees it).
RECORD_STRIPE_OPTIONS = """
Object.defineProperty(window, "Stripe", {
  configurable: true,
  get() { return this.recordedStripe; },
  set(stripe) {
    this.recordedStripe = (key, options) => {
      window.stripeOptions = options;
      return stripe(key, options);
    };
  },
});
"""


def new_page(browser, width=1280, height=900) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="es-CO")
    page = context.new_page()
    page.on("console", _record_csp_violation)
    page.set_default_timeout(15_000)
    return page


def assert_accessible(page: Page, exclude: tuple[str, ...] = ()) -> None:
    # Evaluated by the test driver, not added as an inline <script>: the page's CSP would
    # (rightly) refuse that.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """async (exclude) => await axe.run(
            {include: [document], exclude: exclude.map((s) => [s])},
            {resultTypes: ["violations"]})""",
        list(exclude),
    )
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}: {serious}"


def assert_fits_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 390px"
    page.set_viewport_size({"width": 1280, "height": 900})


def shot(page: Page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label(re.compile("Nombre de usuario|Username")).fill(username)
    page.get_by_label(re.compile("Contraseña|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Entrar|Log in")).click()


def customer_pays(intent_id: str) -> None:
    """What Stripe's card form does in the customer's browser (localstripe's stand-in for
    Stripe.js cannot confirm a PaymentIntent, so the card is given through the API)."""
    client = stripe.StripeClient(
        SECRET_KEY, base_addresses={"api": django_settings.STRIPE_API_BASE}
    )
    card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
    method = client.v1.payment_methods.create(params={"type": "card", "card": card})
    client.v1.payment_intents.update(intent_id, params={"payment_method": method.id})
    client.v1.payment_intents.confirm(intent_id)


@pytest.mark.django_db(transaction=True)
def test_customer_is_refused_tops_up_opens_a_ticket_and_an_agent_resolves_it(
    browser,
    live_server,
    localstripe_webhooks,
    settings,
    shop,
    time_machine,
):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_creditdesk"
    base = live_server.url
    top_up(shop.customer, "1")
    page = new_page(browser)

    # the customer logs in and sees the balance, with the low-balance warning
    log_in(page, base, "ana")
    expect(page.get_by_test_id("balance")).to_have_text("1,00")
    expect(page.get_by_role("alert")).to_contain_text("se necesitan 2,00")
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "01-dashboard-low-balance")

    # the request form says why it would be refused before anything is typed
    page.get_by_role("link", name="Nueva solicitud").first.click()
    refusal = page.get_by_test_id("refusal")
    expect(refusal).to_contain_text("Se necesitan 2,00 créditos disponibles y hay 1,00.")
    assert_accessible(page)
    shot(page, "02-request-refused")

    # submitting anyway is refused with the same reason
    page.get_by_label("Asunto").fill("Correo caído")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.locator(".alert.error").first).to_contain_text("hay 1,00")
    assert not Ticket.objects.exists()

    # the fix it offers: a credit pack through Stripe (localstripe in tests)
    refusal.get_by_role("link", name="Recargar créditos").click()
    expect(page).to_have_url(re.compile(r"/portal/credits/#packs"))
    assert_accessible(page)
    page.add_init_script(RECORD_STRIPE_OPTIONS)
    page.get_by_role("button", name=f"Comprar {shop.pack.name}").click()
    expect(page).to_have_url(re.compile(r"/portal/payments/\d+/"))
    expect(page.locator("#card-element input").first).to_be_visible()  # Stripe.js mounted
    shot(page, "03-payment-form")
    # Stripe.js writes its own messages (a wrong card number) in the page's language, not
    # the browser's (es-CO here)
    assert page.evaluate("window.stripeOptions") == {"locale": "es-419"}
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.reload()
    expect(page.get_by_role("button", name="Pay")).to_be_visible()
    assert page.evaluate("window.stripeOptions") == {"locale": "en"}
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": base}])
    page.reload()
    payment = Payment.objects.get(customer=shop.customer)
    customer_pays(payment.provider_ref)
    expect(page.get_by_test_id("payment-status")).to_contain_text("Pago recibido", timeout=20_000)
    shot(page, "04-payment-received")
    assert Invoice.objects.get(pk=payment.invoice_id).status == Invoice.Status.PAID

    # now the request goes through and lands on its page with SLA times
    page.goto(f"{base}/portal/")
    expect(page.get_by_test_id("balance")).to_have_text("11,00")
    page.get_by_role("link", name="Nueva solicitud").first.click()
    expect(page.locator(".alert.info")).to_contain_text("Se necesitan 2,00")
    page.get_by_label("Asunto").fill("Correo caído")
    page.get_by_label("Descripción").fill("No sale correo desde esta mañana.")
    page.get_by_label("Impacto").select_option("high")
    page.get_by_role("button", name="Enviar solicitud").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Correo caído")
    expect(page.get_by_role("heading", name="Tiempos de SLA")).to_be_visible()
    ticket = Ticket.objects.get(customer=shop.customer)
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "05-ticket-opened")

    # invoices list the paid top-up; the language switch turns the portal English
    page.get_by_role("link", name="Facturas y reportes").click()
    expect(page.locator("tbody tr").first).to_contain_text("Pagada")
    assert_accessible(page)
    invoice = Invoice.objects.get(pk=payment.invoice_id)
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Descargar {invoice.display_number}").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    page.get_by_label("Idioma").select_option("en")
    page.get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invoices and SLA reports")
    expect(page.locator("tbody tr").first).to_contain_text("Paid")
    shot(page, "06-invoices-english")
    page.get_by_role("button", name="Log out").click()
    page.context.close()

    # an agent finds the ticket in the queue, logs 70 minutes and resolves it
    page = new_page(browser)
    log_in(page, base, "agente")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cola de solicitudes")
    row = page.get_by_test_id("queue-row").filter(has_text=ticket.number)
    expect(row).to_contain_text("En plazo")
    assert_accessible(page)
    assert_fits_phone(page)
    shot(page, "07-agent-queue")
    row.get_by_role("link", name=ticket.number).click()
    time_machine.move_to(timezone.now() + timedelta(minutes=70))  # the work done
    page.reload()
    page.get_by_label(re.compile(r"^Minutos")).fill("70")
    page.get_by_label("Nota").fill("Cola de correo desbloqueada")
    page.get_by_role("button", name="Registrar", exact=True).click()
    expect(page.locator(".alert.success")).to_contain_text("Trabajo registrado")
    page.get_by_label("Mensaje").fill("Listo: el correo vuelve a salir.")
    page.get_by_role("button", name="Registrar mensaje").click()
    page.get_by_label("Nuevo estado").select_option("resolved")
    page.get_by_role("button", name="Cambiar estado").click()
    expect(page.get_by_test_id("status")).to_have_text("Resuelto")
    expect(page.get_by_test_id("charge")).to_contain_text("2,00")
    assert_accessible(page)
    shot(page, "08-agent-resolved")
    ticket.refresh_from_db()
    assert ticket.billed_credits == Decimal("2.00")
    page.context.close()

    # the customer sees the charge with its explanation, in English, and may reopen
    page = new_page(browser)
    log_in(page, base, "ana")
    page.goto(f"{base}/portal/tickets/{ticket.number}/")
    expect(page.get_by_test_id("charge")).to_contain_text("2,00")
    expect(page.get_by_role("button", name="Reabrir")).to_be_visible()
    assert_fits_phone(page)
    shot(page, "09-customer-charged")
    # the run-out forecast now has a burn rate
    page.goto(f"{base}/portal/")
    expect(page.get_by_test_id("forecast")).to_contain_text("sus créditos alcanzan")


@pytest.mark.django_db(transaction=True)
def test_long_unbroken_text_wraps_instead_of_widening_the_page(browser, live_server, shop):
    from contracts.models import Channel
    from tickets.services.intake import ticket_open
    from tickets.services.lifecycle import ticket_customer_reply

    top_up(shop.customer, "5")
    word = "ERROR:" + "x" * 5_000
    ticket = ticket_open(
        channel=Channel.PORTAL, requester=shop.contact, subject="S" * 200, description=word
    ).ticket
    ticket_customer_reply(ticket, contact=shop.contact, body=word)
    for username, path in (
        ("ana", f"/portal/tickets/{ticket.number}/"),
        ("agente", f"/workspace/tickets/{ticket.number}/"),
    ):
        page = new_page(browser)
        log_in(page, live_server.url, username)
        page.goto(live_server.url + path)
        expect(page.get_by_text("ERROR:", exact=False).first).to_be_visible()
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"long-text-{username}", full_page=False)
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_is_said_once_in_an_alert(browser, live_server, shop):
    # The page printed the form's error in its alert and form.as_p printed it again below.
    for language, said in (("es", "clave correctos"), ("en", "correct username and password")):
        page = new_page(browser, width=390, height=844)
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label(re.compile("Nombre de usuario|Username")).fill("ana")
        page.get_by_label(re.compile("Contraseña|Password")).fill("not-the-password")
        page.get_by_label(re.compile("Contraseña|Password")).press("Enter")
        expect(page.get_by_role("alert")).to_contain_text(said)
        expect(page.locator("main").get_by_text(said)).to_have_count(1)
        assert_accessible(page)
        shot(page, f"login-refused-{language}-390")
        assert_fits_phone(page)
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_api_docs_render_from_static_files_under_the_csp(browser, live_server):
    """Swagger UI at /api/docs/ comes from our static files and runs under the CSP: the
    browser fixture fails the test on any CSP console message."""
    from tests.factories import make_staff_user

    make_staff_user(username="raiz", password=PASSWORD)
    page = new_page(browser)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, live_server.url, "raiz")
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Creditdesk API")
    expect(page.locator(".opblock").first).to_be_visible()
    assert all(url.startswith(live_server.url) for url in requested), requested
    page.context.close()


@pytest.mark.django_db(transaction=True)
def test_paginated_queue_and_dashboard_are_accessible_and_fit_a_phone(browser, live_server, shop):
    from contracts.models import Channel
    from tickets.services.intake import ticket_open

    top_up(shop.customer, "120")
    for index in range(60):
        ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject=f"Caso {index}")
    for username, path, language in (
        ("agente", "/workspace/?page=2", "es"),
        ("agente", "/workspace/?page=2", "en"),
        ("ana", "/portal/?page=2", "es"),
        ("ana", "/portal/?page=2", "en"),
    ):
        page = new_page(browser)
        log_in(page, live_server.url, username)
        if language == "en":
            page.context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        page.goto(live_server.url + path)
        expect(page.get_by_role("navigation", name=re.compile("Páginas|Pages"))).to_be_visible()
        expect(page.get_by_text(re.compile("Página 2 de|Page 2 of"))).to_be_visible()
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"paginated-{username}-{language}")
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_webhooks_page_is_accessible_and_fits_a_phone(browser, live_server, shop, settings):
    from contracts.models import Channel
    from tickets.services.intake import ticket_open
    from webhooks.services import webhook_endpoint_create

    settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS = True
    webhook_endpoint_create(
        owner=shop.manager,
        url="http://127.0.0.1:9/hooks",  # nothing listens: the delivery shows its failure
        events=["ticket.created", "invoice.paid"],
        customer=shop.customer,
        may_cover_all=False,
    )
    top_up(shop.customer, "5")
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Caso")
    for language in ("es", "en"):
        page = new_page(browser)
        log_in(page, live_server.url, "gerente")
        if language == "en":
            page.context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        page.goto(live_server.url + "/workspace/webhooks/")
        expect(page.get_by_test_id("webhook-endpoint")).to_have_count(1)
        expect(page.get_by_test_id("webhook-delivery")).to_have_count(1)
        assert_accessible(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"webhooks-{language}")
        assert_fits_phone(page)
        # Deleting asks first; cancelling leaves the endpoint and its deliveries.
        page.get_by_role("link", name=re.compile("^(Eliminar|Delete)$")).click()
        expect(page.get_by_test_id("webhook-url")).to_have_text("http://127.0.0.1:9/hooks")
        assert_accessible(page)
        assert_fits_phone(page)
        page.get_by_role("link", name=re.compile("^(Cancelar|Cancel)$")).click()
        expect(page.get_by_test_id("webhook-endpoint")).to_have_count(1)
        expect(page.get_by_test_id("webhook-delivery")).to_have_count(1)
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_an_included_support_customer_pages_speak_no_credits_and_are_accessible_on_a_phone(
    browser, live_server, shop
):
    from contracts.models import Channel, Plan
    from tickets.services.intake import ticket_open

    Plan.objects.filter(pk=shop.contract.plan_id).update(support_model=Plan.SupportModel.INCLUDED)
    ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="El sitio no carga")
    for language in ("es", "en"):
        page = new_page(browser, width=390, height=844)
        log_in(page, live_server.url, "ana")
        if language == "en":
            page.context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        for name, path in (
            ("dashboard", "/portal/"),
            ("credits", "/portal/credits/"),
            ("new-ticket", "/portal/tickets/new/"),
        ):
            page.goto(live_server.url + path)
            expect(page.get_by_text(re.compile("insuficientes|insufficient", re.I))).to_have_count(
                0
            )
            if name == "credits":
                expect(page.get_by_test_id("support-included-packs")).to_be_visible()
            # axe at phone width: that is where the tables scroll sideways.
            assert_accessible(page)
            assert_fits_phone(page)
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, f"included-{name}-{language}")
        page.context.close()


@pytest.mark.django_db(transaction=True)
def test_the_reopen_link_page_is_accessible_and_fits_a_phone(browser, live_server, shop):
    from contracts.models import Channel
    from tickets.reopen_links import reopen_token, resolution_event
    from tickets.services.intake import ticket_open
    from tickets.services.lifecycle import ticket_agent_reply, ticket_resolve

    top_up(shop.customer, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="DNS").ticket
    ticket_agent_reply(ticket, by=shop.agent, body="Revisando.")
    ticket_resolve(ticket, by=shop.agent, reason="Zona corregida")
    url = f"{live_server.url}/reopen/{reopen_token(ticket, resolution_event(ticket))}/"
    for language in ("es", "en"):
        page = new_page(browser, width=390, height=844)
        if language == "en":
            page.context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        page.goto(url)
        expect(page.get_by_role("button", name=re.compile("Reabrir|Reopen"))).to_be_visible()
        assert_accessible(page)
        assert_fits_phone(page)
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"reopen-link-{language}")
        page.context.close()
    page = new_page(browser, width=390, height=844)
    page.goto(url)
    page.get_by_role("button", name="Reabrir la solicitud").click()
    expect(page.get_by_text("La reabrimos")).to_be_visible()
    assert_accessible(page)
    shot(page, "reopen-link-done-es")
    page.context.close()
    assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.IN_PROGRESS


@pytest.mark.django_db(transaction=True)
def test_sla_authoring_and_a_tickets_level_are_accessible_and_fit_a_phone(
    browser, live_server, shop, sla_policy
):
    from django.utils import timezone

    from contracts.models import Channel
    from sla.services.clocks import clocks_reapply
    from sla.services.setup import StepSpec
    from tests.factories import make_user
    from tests.tickets.conftest import publish_with_levels
    from tickets.services.intake import ticket_open

    publish_with_levels(sla_policy, ladder=[StepSpec("level", 100, "raise_level")])
    top_up(shop.customer, "5")
    ticket = ticket_open(channel=Channel.PORTAL, requester=shop.contact, subject="Lento").ticket
    clocks_reapply(at=timezone.now(), policies=[sla_policy])
    make_user(username="admin", password=PASSWORD, is_staff=True, is_superuser=True)
    calendar = sla_policy.versions.get(number=1).calendar
    pages = (
        ("work-level", "agente", f"/workspace/tickets/{ticket.number}/", "level"),
        (
            "admin-calendar-publish",
            "admin",
            f"/admin/sla/businesscalendar/{calendar.pk}/publish/",
            None,
        ),
        ("admin-policy-publish", "admin", f"/admin/sla/slapolicy/{sla_policy.pk}/publish/", None),
        ("admin-policy", "admin", f"/admin/sla/slapolicy/{sla_policy.pk}/change/", None),
    )
    for language in ("es", "en"):
        for name, user, path, test_id in pages:
            page = new_page(browser)
            log_in(page, live_server.url, user)
            if language == "en":
                page.context.add_cookies(
                    [{"name": "django_language", "value": "en", "url": live_server.url}]
                )
            page.goto(live_server.url + path)
            if test_id:
                expect(page.get_by_test_id(test_id)).to_be_visible()
            assert_accessible(page)
            page.set_viewport_size({"width": 390, "height": 844})
            shot(page, f"{name}-{language}")
            assert_fits_phone(page)
            page.context.close()
