"""Password-reset mail as a background task: the request enqueues the user's id and returns;
the task makes the link (uid and token) and sends it once per request, retried if the SMTP
server is down."""

import uuid

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from background.mail import mail_once
from background.queue import background_task, enqueue_on_commit


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        enqueue_on_commit(
            send_password_reset,
            user_id=context["user"].pk,
            to_email=to_email,
            domain=context["domain"],
            site_name=context["site_name"],
            protocol=context["protocol"],
            language=translation.get_language(),
            subject_template_name=subject_template_name,
            email_template_name=email_template_name,
            html_email_template_name=html_email_template_name,
            from_email=from_email,
            request_id=uuid.uuid4().hex,
        )


@background_task
def send_password_reset(
    *,
    user_id: int,
    to_email: str,
    domain: str,
    site_name: str,
    protocol: str,
    language: str,
    subject_template_name: str,
    email_template_name: str,
    html_email_template_name: str | None,
    from_email: str | None,
    request_id: str,
) -> bool:
    """Sends Django's reset mail for one request (`request_id`) once."""
    user = get_user_model()._default_manager.get(pk=user_id)
    context = {
        "email": to_email,
        "domain": domain,
        "site_name": site_name,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": protocol,
    }
    with translation.override(language):
        # As Django's PasswordResetForm.send_mail renders it (which also sends, and swallows
        # a failure: here a failure must raise, so the task retries).
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        message = EmailMultiAlternatives(
            subject, loader.render_to_string(email_template_name, context), from_email, [to_email]
        )
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
    return mail_once(message, kind="password_reset", about=f"{user_id}:{request_id}")
