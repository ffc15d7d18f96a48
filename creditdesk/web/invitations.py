"""Inviting a customer's contact to the portal: the contact gets a login without a usable
password (`contracts.services.contact_portal_invite`) and a mail, sent by a task, with a
link where they choose one. The link is Django's password-reset link (its token generator
and the reset-confirm page, as `creditdesk.web.password_reset` sends it), so it expires
with `PASSWORD_RESET_TIMEOUT` and works once: setting the password changes the hash the
token is made from. When it expired, the contact asks for a new one with "¿Olvidó su
contraseña?" (`creditdesk.web.password_reset` reaches an invited login awaiting its
password, `contracts.selectors.invited_logins_awaiting_password`)."""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from background.mail import mail_once
from background.queue import background_task, enqueue_on_commit
from contracts.models import Contact
from contracts.services import contact_portal_invite


def contact_invite(contact: Contact, *, by, base_url: str) -> Contact:
    """Makes the contact's portal login (or keeps the one it has) and sends the invitation
    once the transaction commits; `base_url` is the site's address the link starts with."""
    with transaction.atomic():
        contact_portal_invite(contact)
        enqueue_on_commit(
            send_portal_invitation,
            contact_id=contact.pk,
            base_url=base_url.rstrip("/"),
            inviter=(by.get_full_name() or by.get_username()) if by else "",
            request_id=uuid.uuid4().hex,
        )
    return contact


@background_task
def send_portal_invitation(
    *, contact_id: int, base_url: str, inviter: str, request_id: str
) -> bool:
    """The invitation to one contact, in their language, once per invitation
    (`request_id`); nothing when the contact has no login any more."""
    contact = Contact.objects.select_related("customer", "user").get(pk=contact_id)
    if contact.user_id is None:
        return False
    user = get_user_model()._default_manager.get(pk=contact.user_id)
    link = base_url + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "contact": contact,
        "customer": contact.customer,
        "username": user.get_username(),
        "link": link,
        "reset": base_url + reverse("password_reset"),
        "inviter": inviter,
    }
    with translation.override(contact.preferred_language):
        subject = "".join(
            loader.render_to_string("workspace/mail/invitation_subject.txt", context).splitlines()
        )
        body = loader.render_to_string("workspace/mail/invitation.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.email])
    return mail_once(message, kind="portal_invitation", about=f"{contact.pk}:{request_id}")
