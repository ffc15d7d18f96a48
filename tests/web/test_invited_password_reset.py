"""An invited contact whose invitation link expired recovers by themselves with "¿Olvidó su
contraseña?": the reset reaches an active, invited login that has no password yet (Django's
own skips every login without a usable one), and nothing else without a usable password.
The page answers the same whether or not an account has the address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from creditdesk.web.invitations import contact_invite
from tests.factories import make_account_manager, make_contact, make_customer

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Clave-del-portal-9"
EXPIRED = timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT, days=1)


def _link(message) -> str:
    link = re.search(r"https?://testserver(/accounts/reset/\S+/)", message.body)
    assert link, message.body
    return link.group(1)


def _invited(email: str, capture):
    manager = make_account_manager()
    contact = make_contact(make_customer(account_manager=manager), email=email)
    with capture(execute=True):
        contact_invite(contact, by=manager, base_url="http://testserver")
    contact.refresh_from_db()
    (invitation,) = mail.outbox
    assert "http://testserver" + reverse("password_reset") in invitation.body
    mail.outbox.clear()
    return contact, _link(invitation)


def _ask_reset(email: str, capture):
    with capture(execute=True):
        return Client().post(reverse("password_reset"), {"email": email})


def test_an_invited_contact_whose_link_expired_sets_a_password_and_signs_in(
    django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    contact, invitation = _invited("Ana@Hotel.example", capture)
    with time_machine.travel(timezone.now() + EXPIRED, tick=False):
        expired = Client().get(invitation, follow=True)
        assert expired.context["validlink"] is False
        assert f'href="{reverse("password_reset")}"' in expired.content.decode()

        answer = _ask_reset("ana@hotel.example", capture)
        unknown = _ask_reset("nadie@hotel.example", capture)
        assert (answer.status_code, answer.url) == (unknown.status_code, unknown.url)

        (reset,) = mail.outbox
        assert [to.lower() for to in reset.to] == ["ana@hotel.example"]
        visitor = Client()
        form = visitor.get(_link(reset), follow=True)
        assert form.context["validlink"] is True
        done = visitor.post(
            form.redirect_chain[-1][0],
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        assert done.status_code == 302

    signed_in = Client().post(
        "/accounts/login/",
        {"username": "ana@hotel.example", "password": NEW_PASSWORD},
        follow=True,
    )
    assert signed_in.context["user"] == contact.user


def test_no_other_login_without_a_usable_password_is_reached(django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    users = get_user_model().objects
    # a staff login made without a password (no invitation: nobody chose it for a reset)
    users.create_user("sinclave", email="sinclave@proveedor.example", is_staff=True)
    # a contact who had signed in, whose password was then disabled
    disabled, _link_unused = _invited("pedro@hotel.example", capture)
    users.filter(pk=disabled.user_id).update(last_login=timezone.now())
    # an invited contact whose login was deactivated
    inactive, _link_unused = _invited("rosa@hotel.example", capture)
    users.filter(pk=inactive.user_id).update(is_active=False)

    answers = [
        _ask_reset(email, capture)
        for email in (
            "sinclave@proveedor.example",
            "pedro@hotel.example",
            "rosa@hotel.example",
            "nadie@hotel.example",
        )
    ]

    assert mail.outbox == []
    assert {(answer.status_code, answer.url) for answer in answers} == {
        (302, reverse("password_reset_done"))
    }
