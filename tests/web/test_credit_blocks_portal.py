"""The portal shows a customer's credit blocks and when they expire, warns of credits
expiring within 30 days, and the customer is mailed 30 and 7 days before (once per block
and threshold)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.http import HttpRequest
from django.urls import reverse

from background.models import SentMail
from credits.models import CreditBlock
from credits.selectors import expiry_reminders_due, expiry_threshold
from credits.services import (
    credit_account_get_or_create,
    credits_charge,
    credits_place_hold,
    credits_top_up,
)
from tests.factories import make_contact
from tests.web.conftest import PASSWORD, top_up

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def login(client, user):
    assert client.login(request=HttpRequest(), username=user.username, password=PASSWORD)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def account_of(shop):
    return credit_account_get_or_create(customer=shop.customer)


def test_the_credits_page_lists_blocks_in_draw_order_with_their_expiry(client, shop, clock):
    top_up(shop.customer, "4")  # never expire: the opening block
    credits_top_up(account=account_of(shop), credits="10", expires_at=NOW + timedelta(days=300))
    credits_top_up(account=account_of(shop), credits="5", expires_at=NOW + timedelta(days=20))
    credits_place_hold(account=account_of(shop), credits="2")
    login(client, shop.user)

    page = client.get(reverse("web:credits"), headers={"accept-language": "es"}).text

    table = page[page.index('data-testid="blocks"') :]
    rows = table[: table.index("</table>")].split("<tr")[2:]
    assert [row.split('data-label="Origen">')[1].split("<")[0] for row in rows] == [
        "Compra",
        "Compra",
        "Saldo anterior",
    ]
    # the first to expire comes first; 2 of it held; its date in Bogotá's time (UTC-5)
    assert "lunes 30 de marzo, 10:00" in rows[0]
    assert ">2,00<" in rows[0]
    assert "No vencen" in rows[2]
    assert 'data-testid="expiring"' in page
    assert "3,00 créditos vencen en los próximos 30 días" in page


def test_credits_that_never_expire_say_so(client, shop, clock):
    top_up(shop.customer, "4")
    login(client, shop.user)

    page = client.get(reverse("web:credits")).text

    assert 'data-testid="no-expiry"' in page
    assert 'data-testid="blocks"' not in page
    assert 'data-testid="expiring"' not in page


def test_the_dashboard_warns_of_credits_expiring_within_thirty_days(client, shop, clock):
    credits_top_up(account=account_of(shop), credits="5", expires_at=NOW + timedelta(days=6))
    credits_top_up(account=account_of(shop), credits="7", expires_at=NOW + timedelta(days=60))
    login(client, shop.user)

    page = client.get(reverse("web:dashboard")).text

    expiring = "5,00 créditos vencen en los próximos 30 días (los primeros, el lunes 16 de marzo)"
    assert expiring in page


# Reminders.


def test_the_threshold_is_the_shortest_one_a_block_is_within():
    assert expiry_threshold(NOW + timedelta(days=31), NOW) is None
    assert expiry_threshold(NOW + timedelta(days=30), NOW) == 30
    assert expiry_threshold(NOW + timedelta(days=8), NOW) == 30
    assert expiry_threshold(NOW + timedelta(days=7), NOW) == 7
    assert expiry_threshold(NOW - timedelta(seconds=1), NOW) is None


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """The job as the scheduler runs it: its tasks enqueued when its transaction commits."""

    def run() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("remind_expiring_credits")

    return run


def test_customers_are_told_thirty_and_seven_days_before_once_each(shop, clock, remind):
    english = make_contact(shop.customer, email="it@hotel.example", language="en")
    make_contact(shop.customer, email="nope@hotel.example", can_request=False)
    credits_top_up(account=account_of(shop), credits="5", expires_at=NOW + timedelta(days=45))
    block = CreditBlock.objects.get()

    remind()
    assert mail.outbox == []  # 45 days: nothing yet

    clock.shift(timedelta(days=16))
    remind()
    remind()  # a second run: nothing twice

    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([shop.customer.billing_email, shop.contact.email, english.email])
    spanish = next(m for m in mail.outbox if m.to == [shop.contact.email])
    assert spanish.subject == "Sus créditos de soporte vencen pronto"
    assert (
        "5,00 créditos de soporte comprados vencen el viernes 24 de abril de 2026, 10:00"
        in spanish.body
    )
    assert "(Bogotá" in spanish.body
    assert "en menos de 30 días" in spanish.body
    in_english = next(m for m in mail.outbox if m.to == [english.email])
    english_text = "5.00 support credits you bought expire on Friday 24 April 2026, 10:00"
    assert english_text in in_english.body
    assert set(SentMail.objects.values_list("about", flat=True)) == {f"{block.pk}:30"}

    mail.outbox.clear()
    clock.shift(timedelta(days=23))
    remind()
    assert len(mail.outbox) == 3
    assert "en menos de 7 días" in next(m for m in mail.outbox if m.to == [shop.contact.email]).body
    assert expiry_reminders_due(now=NOW + timedelta(days=39)) == []


def test_no_reminder_for_credits_used_or_held_by_open_requests(shop, clock, remind):
    account = account_of(shop)
    credits_top_up(account=account, credits="3", expires_at=NOW + timedelta(days=10))
    credits_top_up(account=account, credits="3", expires_at=NOW + timedelta(days=12))
    credits_charge(account=account, credits="3")  # the first block is used up
    credits_place_hold(account=account, credits="3")  # the second is held

    assert expiry_reminders_due(now=NOW) == []
    remind()
    assert mail.outbox == []


def test_a_block_used_after_the_reminder_was_enqueued_sends_nothing(shop, clock):
    from credits.notifications import send_expiry_reminder

    account = account_of(shop)
    credits_top_up(account=account, credits="3", expires_at=NOW + timedelta(days=10))
    (due,) = expiry_reminders_due(now=NOW)
    credits_charge(account=account, credits="3")

    assert send_expiry_reminder(*due) == 0
    assert mail.outbox == []
    assert account.balance == Decimal("0")
