"""One prepaid customer's credits from purchase to expiry: a pack bought by card (localstripe),
requests that spend it until the low-credits alert, a saved card whose automatic top-up lands
once (the webhook replayed), the 30-day expiry reminder, the expiry job that leaves held
credits alone, a clean ledger, and the invoice mails of both purchases with their PDFs."""

import io
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from djmoney.money import Money

from billing.documents.store import pdf_text
from billing.models import AutoTopUpAttempt, Invoice, Payment
from billing.services import topup_start
from billing.services.autotopup import (
    auto_top_up_configure,
    card_setup_finish,
    card_setup_start,
)
from credits.models import CreditAccount, CreditBlock, LedgerEntry, PackCreditTerms
from credits.selectors import ledger_verify
from tests.billing import conftest as billing_fixtures
from tests.billing.conftest import make_event
from tests.billing.test_auto_top_up import browser_saves_card, intents_of, stripe_client
from tests.billing.test_topups import customer_pays
from tests.factories import (
    log_finished_work,
    make_account_manager,
    make_agent,
    make_contact,
    make_contract,
    make_credit_pack,
    make_customer,
)
from tickets.services import lifecycle
from tickets.services.intake import ticket_open

pytestmark = pytest.mark.django_db

# Stripe against localstripe, and its signed webhook, as the billing tests have them.
localstripe_url = billing_fixtures.localstripe_url
stripe_settings = billing_fixtures.stripe_settings
post_event = billing_fixtures.post_event

BILLING = "pagos@hotel.example"
CONTACT = "it@hotel.example"
MANAGER = "gerente@proveedor.example"


def run(name: str, capture) -> str:
    out = io.StringIO()
    with capture(execute=True):
        call_command(name, stdout=out)
    return out.getvalue().strip()


def entries(account: CreditAccount) -> list[tuple[str, Decimal]]:
    return list(
        LedgerEntry.objects.filter(account=account)
        .order_by("sequence")
        .values_list("kind", "credits")
    )


def delivered(seen: int) -> list[tuple[str, str]]:
    return sorted((m.to[0], m.subject) for m in mail.outbox[seen:])


def test_a_prepaid_customer_buys_spends_tops_up_automatically_and_sees_credits_expire(
    settings, tmp_path, stripe_settings, post_event, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    capture = django_capture_on_commit_callbacks
    manager = make_account_manager(username="gerente", email=MANAGER)
    customer = make_customer(
        legal_name="Hotel Andino S.A.S.", billing_email=BILLING, account_manager=manager
    )
    contact = make_contact(customer, name="Ian Torres", email=CONTACT, language="en")
    contract = make_contract(customer)  # prepaid credits: 2 to open, 1 minimum charge
    pack = make_credit_pack(contract.plan, credits=Decimal("10"), price=Money("900000", "COP"))
    PackCreditTerms.objects.create(pack=pack, validity_months=2)
    agent = make_agent(username="agente")

    def resolve_request(subject: str, minutes: int, clock) -> None:
        with capture(execute=True):
            opened = ticket_open(channel="portal", subject=subject, requester=contact)
        assert opened.refusal is None, opened.refusal
        ticket = opened.ticket
        lifecycle.ticket_assign(ticket, assignee=agent)
        lifecycle.ticket_start_work(ticket, by=agent)
        log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=minutes)
        clock.shift(timedelta(hours=1))
        with capture(execute=True):
            lifecycle.ticket_resolve(ticket, by=agent)

    with time_machine.travel("2026-12-03T15:00:00Z", tick=False) as clock:
        # 1. the customer buys a 10-credit pack by card; Stripe's webhook lands it once
        started = topup_start(customer=customer, credit_pack=pack)
        intent = customer_pays(settings, started.payment.provider_ref)
        assert intent["status"] == "succeeded"
        bought = make_event(
            "payment_intent.succeeded", intent, event_id="evt_pack", created=int(time.time())
        )
        with capture(execute=True):
            assert post_event(bought).status_code == 200
        with capture(execute=True):
            assert post_event(bought).status_code == 200
        account = CreditAccount.objects.get(customer=customer)
        assert entries(account) == [("top_up", Decimal("10.00"))]
        first_invoice = Invoice.objects.get(pk=started.payment.invoice_id)
        assert first_invoice.status == Invoice.Status.PAID
        assert first_invoice.total == Money("1071000", "COP")
        block = CreditBlock.objects.get(account=account)
        assert block.expires_at == datetime(2027, 2, 3, 15, tzinfo=UTC)  # 2 months

        # 2. two requests spend 7 credits: 3 left, below the default threshold of 4
        resolve_request("El correo no envía", 180, clock)
        resolve_request("La VPN se cae", 240, clock)
        account.refresh_from_db()
        assert (account.balance, account.held) == (Decimal("3.00"), Decimal("0.00"))
        assert entries(account)[-1] == ("charge", Decimal("-4.00"))

        # the hourly check alerts once: the billing address, the contact and the manager
        seen = len(mail.outbox)
        assert run("check_low_credits", capture).endswith("1 alerts")
        assert run("check_low_credits", capture).endswith("0 alerts")
        assert delivered(seen) == [
            (MANAGER, "Sus créditos de soporte se están agotando"),
            (CONTACT, "Your support credits are running low"),
            (BILLING, "Sus créditos de soporte se están agotando"),
        ]

        # 3. the customer saves a card and turns auto top-up on below 5 credits
        clock.shift(timedelta(hours=1))
        setup = card_setup_start(customer=customer)
        intent_id = browser_saves_card(settings, setup.client_secret, "4242424242424242")
        card_setup_finish(customer=customer, setup_intent_id=intent_id)
        with capture(execute=True):
            auto_top_up_configure(
                customer=customer, enabled=True, threshold_credits="5", credit_pack=pack
            )
        # the hourly sweep reaches the auto top-up: the card is charged off-session, once
        run("check_low_credits", capture)
        run("check_low_credits", capture)
        attempt = AutoTopUpAttempt.objects.get()
        assert attempt.status == AutoTopUpAttempt.Status.SUCCEEDED
        assert sorted(intents_of(settings, customer)) == sorted(
            [started.payment.provider_ref, attempt.payment_intent_id]
        )
        # Stripe's webhook for the charge, delivered twice, lands nothing more
        charged = stripe_client(settings).v1.payment_intents.retrieve(attempt.payment_intent_id)
        replayed = make_event(
            "payment_intent.succeeded",
            charged.to_dict(),
            event_id="evt_auto",
            created=int(time.time()),
        )
        with capture(execute=True):
            assert post_event(replayed).status_code == 200
            assert post_event(replayed).status_code == 200
        account.refresh_from_db()
        assert account.balance == Decimal("13.00")
        assert [e for e in entries(account) if e[0] == "top_up"] == [
            ("top_up", Decimal("10.00")),
            ("top_up", Decimal("10.00")),
        ]
        auto_payment = Payment.objects.get(pk=attempt.payment_id)
        assert auto_payment.applied_at is not None
        second_invoice = Invoice.objects.get(pk=auto_payment.invoice_id)
        assert second_invoice.status == Invoice.Status.PAID

        # 4. thirty days before the credits expire, one reminder to each address
        expires_at = max(CreditBlock.objects.filter(account=account).values_list("expires_at"))[0]
        clock.move_to(expires_at - timedelta(days=29))
        seen = len(mail.outbox)
        run("remind_expiring_credits", capture)
        run("remind_expiring_credits", capture)
        # (one per block: the pack bought and the automatic top-up)
        assert delivered(seen) == [
            (CONTACT, "Your support credits expire soon"),
            (CONTACT, "Your support credits expire soon"),
            (BILLING, "Sus créditos de soporte vencen pronto"),
            (BILLING, "Sus créditos de soporte vencen pronto"),
        ]

        # a request opened before the expiry holds credits while it is worked on
        with capture(execute=True):
            held = ticket_open(channel="portal", subject="Backup nocturno", requester=contact)
        assert held.refusal is None
        account.refresh_from_db()
        holding = account.held
        assert holding > 0

        # 5. after the expiry the job lapses the free credits, never the held ones
        clock.move_to(expires_at + timedelta(hours=1))
        out = run("expire_credits", capture)
        assert out == "expire_credits: 1 accounts, 2 expiry entries, 12.00 credits lapsed"
        account.refresh_from_db()
        assert entries(account)[-2:] == [
            ("expiry", Decimal("-2.00")),
            ("expiry", Decimal("-10.00")),
        ]
        assert (account.balance, account.held) == (holding, holding) == (Decimal("1.00"),) * 2
        assert run("expire_credits", capture).startswith("expire_credits: 0 accounts")

        # the held request is resolved: the converted hold takes its expired credits
        ticket = held.ticket
        lifecycle.ticket_assign(ticket, assignee=agent)
        lifecycle.ticket_start_work(ticket, by=agent)
        log_finished_work(ticket, by=agent, started_at=timezone.now(), minutes=60)
        with capture(execute=True):
            lifecycle.ticket_resolve(ticket, by=agent)
        # the charge leaves nothing: the card is charged again (a new crossing), once
        account.refresh_from_db()
        assert (account.balance, account.held) == (Decimal("10.00"), Decimal("0.00"))
        assert entries(account)[-2:] == [("charge", Decimal("-1.00")), ("top_up", Decimal("10.00"))]
        assert sorted(AutoTopUpAttempt.objects.values_list("crossing", "status")) == [
            (1, AutoTopUpAttempt.Status.SUCCEEDED),
            (2, AutoTopUpAttempt.Status.SUCCEEDED),
        ]

    # 6. the ledger verifies, and each purchase was invoiced by mail with its PDF, once
    assert ledger_verify().ok
    assert run("verify_ledger", capture).startswith("ledger ok: 1 accounts, 8 entries")
    purchases = Invoice.objects.filter(customer=customer).order_by("number")
    assert [i.status for i in purchases] == [Invoice.Status.PAID] * 3
    assert [first_invoice.pk, second_invoice.pk] == [i.pk for i in purchases][:2]
    for invoice in purchases:
        number = invoice.display_number
        issued = [m for m in mail.outbox if m.subject in {f"Invoice {number}", f"Factura {number}"}]
        assert sorted((m.to[0], m.subject) for m in issued) == [
            (CONTACT, f"Invoice {number}"),
            (BILLING, f"Factura {number}"),
        ]
        assert all(number in pdf_text(m.attachments[0][1]) for m in issued)
