"""The pages of subscriptions and bank transfers people start themselves (issue 18): who may
open and post what (role x own/other customer: another customer's object is a 404 exactly
like a missing one), the proof download, and the flows through the pages."""

import re
from datetime import date

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from djmoney.money import Money

from billing.models import AutoTopUp, BankTransferReport, Payment, StripeSubscription
from billing.services.transfers import transfer_report
from tests.api.conftest import world  # noqa: F401  (fixture)
from tests.api.test_access_matrix import role_user
from tests.billing.conftest import frozen_now  # noqa: F401  (fixture)
from tests.billing.test_subscriptions import card
from tests.billing.transfer_files import ELF, pdf_bytes, png_bytes
from tests.factories import make_plan
from tests.tickets.conftest import sla_policy  # noqa: F401  (fixture)

ROLES = ["contact", "manager", "agent", "finance", "admin"]
MISSING = 987654
DAY = date(2026, 12, 2)  # the day before frozen_now's

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


def reported(side, pack, reference: str) -> BankTransferReport:
    return transfer_report(
        customer=side.customer,
        by=side.user,
        amount=Money("1071000", "COP"),
        transferred_on=DAY,
        reference=reference,
        filename="recibo.pdf",
        content=pdf_bytes(),
        credit_pack=pack,
    )


@pytest.fixture
def both(world):  # noqa: F811
    reports = {
        "a": reported(world.a, world.pack, "REF-A"),
        "b": reported(world.b, world.pack, "REF-B"),
    }
    subs = {
        name: StripeSubscription.objects.create(
            contract=side.contract,
            premium_plan=make_plan(monthly_fee=Money("500000", "COP")),
            fallback_plan=side.contract.plan,
        )
        for name, side in (("a", world.a), ("b", world.b))
    }
    return reports, subs


def client_for(world, role: str) -> Client:  # noqa: F811
    browser = Client()
    browser.force_login(role_user(world, role))
    return browser


# The proof download: the roles' money rule; another customer's proof reads as missing.
PROOF = {
    "contact": (200, 404),
    "manager": (200, 404),
    "agent": (404, 404),
    "finance": (200, 200),
    "admin": (200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_proof_downloads_by_role_and_customer(world, both, role):  # noqa: F811
    reports, _subs = both
    browser = client_for(world, role)
    own, other = PROOF[role]
    response = browser.get(f"/transfers/{reports['a'].pk}/proof/")
    assert response.status_code == own
    if own == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == pdf_bytes()
    assert browser.get(f"/transfers/{reports['b'].pk}/proof/").status_code == other
    assert browser.get(f"/transfers/{MISSING}/proof/").status_code == 404
    assert browser.post(f"/transfers/{reports['a'].pk}/proof/").status_code == 405


def test_a_proof_missing_on_disk_is_a_404_and_an_error_in_the_log(world, both, caplog):  # noqa: F811
    """The media not restored with the database: before, a 500."""
    reports, _subs = both
    reports["a"].proof.storage.delete(reports["a"].proof.name)

    response = client_for(world, "finance").get(f"/transfers/{reports['a'].pk}/proof/")

    assert response.status_code == 404
    assert f"stored file missing: {reports['a'].proof.name}" in caplog.text


def test_anonymous_visitors_are_sent_to_log_in(world, both):  # noqa: F811
    reports, _subs = both
    response = Client().get(f"/transfers/{reports['a'].pk}/proof/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_proofs_are_not_under_the_public_media(world, both, settings, private_root):  # noqa: F811
    reports, _subs = both
    stored = private_root / reports["a"].proof.name
    assert stored.exists()
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))


# POST-only actions: (own customer's object, other customer's)
FINANCE_ACTION = {
    "contact": (403, 403),
    "manager": (403, 403),
    "agent": (403, 403),
    "finance": (302, 302),
    "admin": (302, 302),
}
WORKSPACE_SUBSCRIPTION = {
    "contact": (403, 403),
    "manager": (302, 404),
    "agent": (403, 403),
    "finance": (403, 403),
    "admin": (302, 302),
}
PORTAL_ACTION = {
    "contact": (302, 404),
    "manager": (403, 403),
    "agent": (403, 403),
    "finance": (403, 403),
    "admin": (403, 403),
}
POST_ROUTES = {
    "workspace/finance/transfers/<int:pk>/reject/": FINANCE_ACTION,
    "workspace/finance/transfers/<int:pk>/confirm/": FINANCE_ACTION,
    "workspace/customers/<int:pk>/subscription/": WORKSPACE_SUBSCRIPTION,
    "workspace/customers/<int:pk>/subscription/<int:sub>/cancel/": WORKSPACE_SUBSCRIPTION,
    "portal/subscription/<int:pk>/cancel/": PORTAL_ACTION,
}


def _url(route: str, side, report, sub) -> str:
    values = {
        "pk": str(
            report.pk
            if "transfers" in route
            else sub.pk
            if route.startswith("portal")
            else side.customer.pk
        ),
        "sub": str(sub.pk),
    }
    return "/" + re.sub(r"<int:(\w+)>", lambda m: values[m.group(1)], route)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(POST_ROUTES))
def test_actions_answer_by_role_and_customer(world, both, route, role):  # noqa: F811
    reports, subs = both
    browser = client_for(world, role)
    own, other = POST_ROUTES[route][role]
    body = {"reason": "No aparece en el extracto"}
    sides = (("a", world.a, own), ("b", world.b, other))
    for name, side, expected in sides:
        status = browser.post(_url(route, side, reports[name], subs[name]), body).status_code
        assert status == expected, (route, role, name, status)
    # nothing a refused role posted moved money
    if own == 403:
        assert BankTransferReport.objects.filter(status="pending").count() == 2


def test_pages_answer_by_role(world, both):  # noqa: F811
    expected = {
        "/portal/transfers/": {"contact": 200, "manager": 403, "finance": 403},
        "/portal/subscription/": {"contact": 200, "manager": 403, "agent": 403},
        "/workspace/finance/transfers/": {
            "contact": 403,
            "manager": 403,
            "agent": 403,
            "finance": 200,
            "admin": 200,
        },
    }
    for url, by_role in expected.items():
        for role, status in by_role.items():
            assert client_for(world, role).get(url).status_code == status, (url, role)


# Flows through the pages


def test_a_contact_reports_a_transfer_and_finance_confirms_it(
    world,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    contact = client_for(world, "contact")
    page = contact.get("/portal/transfers/")
    assert f"pack:{world.pack.pk}" in page.content.decode()
    proof = SimpleUploadedFile("recibo.pdf", pdf_bytes(), content_type="application/pdf")
    response = contact.post(
        "/portal/transfers/",
        {
            "pays": f"pack:{world.pack.pk}",
            "amount": "1071000",
            "transferred_on": DAY.isoformat(),
            "reference": "BANCO-123",
            "proof": proof,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = BankTransferReport.objects.get(reference="BANCO-123")
    assert report.customer == world.a.customer
    listed = contact.get("/portal/transfers/").content.decode()
    assert "BANCO-123" in listed
    assert f"/transfers/{report.pk}/proof/" in listed

    finance = client_for(world, "finance")
    queue = finance.get("/workspace/finance/transfers/").content.decode()
    assert "BANCO-123" in queue
    with django_capture_on_commit_callbacks(execute=True):
        done = finance.post(f"/workspace/finance/transfers/{report.pk}/confirm/", follow=True)
    assert "confirmada y aplicada" in done.content.decode()
    report.refresh_from_db()
    assert report.status == "confirmed"
    assert Payment.objects.filter(provider_ref="BANCO-123").count() == 1
    assert report.payment.applied_at is not None
    assert any(world.a.user.email in m.to for m in mail.outbox)
    # confirming again is refused on the page, and no second payment
    again = finance.post(f"/workspace/finance/transfers/{report.pk}/confirm/", follow=True)
    assert "ya fue confirmada" in again.content.decode()
    assert Payment.objects.filter(provider_ref="BANCO-123").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("recibo.pdf", png_bytes(), "el contenido es PNG"),
        ("recibo.pdf", ELF, "no es un PDF, un JPEG ni un PNG"),
    ],
)
def test_a_bad_proof_is_refused_on_its_field(world, name, content, says):  # noqa: F811
    contact = client_for(world, "contact")
    response = contact.post(
        "/portal/transfers/",
        {
            "pays": f"pack:{world.pack.pk}",
            "amount": "1071000",
            "transferred_on": DAY.isoformat(),
            "reference": "BANCO-9",
            "proof": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not BankTransferReport.objects.filter(reference="BANCO-9").exists()


def test_six_megabytes_are_refused_on_the_page(world):  # noqa: F811
    from tests.billing.transfer_files import big_pdf

    response = client_for(world, "contact").post(
        "/portal/transfers/",
        {
            "pays": f"pack:{world.pack.pk}",
            "amount": "1071000",
            "transferred_on": DAY.isoformat(),
            "reference": "BANCO-6MB",
            "proof": SimpleUploadedFile("recibo.pdf", big_pdf(6 * 1024 * 1024)),
        },
    )
    assert response.status_code == 400
    assert "más de 5 MB" in response.content.decode()


def test_a_rejection_needs_a_reason_on_the_page(world, both):  # noqa: F811
    reports, _subs = both
    finance = client_for(world, "finance")
    url = f"/workspace/finance/transfers/{reports['a'].pk}/reject/"
    finance.post(url, {"reason": ""})
    assert BankTransferReport.objects.get(pk=reports["a"].pk).status == "pending"
    finance.post(url, {"reason": "El extracto no la muestra"})
    row = BankTransferReport.objects.get(pk=reports["a"].pk)
    assert row.status == "rejected"
    assert row.rejection_reason == "El extracto no la muestra"
    page = client_for(world, "contact").get("/portal/transfers/").content.decode()
    assert "El extracto no la muestra" in page


@pytest.mark.django_db(transaction=True)
def test_subscribe_and_cancel_from_the_portal_and_the_workspace(
    world,  # noqa: F811
    settings,
    stripe_settings,
):
    premium = make_plan(name="Nivel 3", monthly_fee=Money("500000", "COP"))
    for side in (world.a, world.b):
        AutoTopUp.objects.create(customer=side.customer, payment_method_id=card(settings))
    contact = client_for(world, "contact")
    page = contact.get("/portal/subscription/").content.decode()
    assert "Nivel 3" in page
    done = contact.post(
        "/portal/subscription/subscribe/", {"premium_plan": premium.pk}, follow=True
    )
    sub = StripeSubscription.objects.get(contract=world.a.contract)
    assert sub.stripe_id
    assert sub.started_by == world.a.user
    assert "Nivel 3" in done.content.decode()
    done = contact.post(f"/portal/subscription/{sub.pk}/cancel/", follow=True)
    sub.refresh_from_db()
    assert sub.cancel_at_period_end
    assert "sigue vigente hasta" in done.content.decode()

    manager = Client()
    manager.force_login(world.b.manager)
    customer_page = f"/workspace/customers/{world.b.customer.pk}/"
    assert "Nivel 3" in manager.get(customer_page).content.decode()
    manager.post(f"{customer_page}subscription/", {"premium_plan": premium.pk})
    sub_b = StripeSubscription.objects.get(contract=world.b.contract)
    assert sub_b.started_by == world.b.manager
    manager.post(f"{customer_page}subscription/{sub_b.pk}/cancel/")
    sub_b.refresh_from_db()
    assert sub_b.cancel_at_period_end
    assert "Termina el" in manager.get(customer_page).content.decode()
