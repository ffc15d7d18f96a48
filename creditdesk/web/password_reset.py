"""Password-reset mail as a background task: the request enqueues the address and returns,
whether an account has it or not; the task finds the accounts, makes each link (uid and
token) and sends it once per request, retried if the SMTP server is down."""

import uuid

from django.contrib.auth import forms as auth_forms
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sites.shortcuts import get_current_site
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from background.mail import mail_once
from background.queue import background_task, enqueue_on_commit
from contracts.selectors import invited_logins_awaiting_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        """Django's (active, with a usable password), and an invited contact's login that
        has no password yet: when the invitation's link expired, the contact asks for a new
        one here instead of waiting for staff to invite them again."""
        yield from super().get_users(email)
        for user in invited_logins_awaiting_password(email):
            if auth_forms._unicode_ci_compare(email, user.email):
                yield user

    def save(
        self,
        domain_override=None,
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.html",
        use_https=False,
        token_generator=default_token_generator,
        from_email=None,
        request=None,
        html_email_template_name=None,
        extra_email_context=None,
    ):
        """One task per request, whoever the address belongs to: the task finds its accounts
        and mails each. The request does the same work for a known address and an unknown
        one, so its time does not tell which addresses have an account."""
        if domain_override:
            site_name = domain = domain_override
        else:
            site = get_current_site(request)
            site_name, domain = site.name, site.domain
        enqueue_on_commit(
            send_password_reset,
            email=self.cleaned_data["email"],
            domain=domain,
            site_name=site_name,
            protocol="https" if use_https else "http",
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
    email: str,
    domain: str,
    site_name: str,
    protocol: str,
    language: str,
    subject_template_name: str,
    email_template_name: str,
    html_email_template_name: str | None,
    from_email: str | None,
    request_id: str,
) -> int:
    """Sends Django's reset mail to each account `PasswordResetForm.get_users` finds for
    `email` (active with a password, or invited and awaiting one), once per request
    (`request_id`); how many were sent now."""
    sent = 0
    for user in PasswordResetForm().get_users(email):
        to_email = user.email
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
            # As Django's PasswordResetForm.send_mail renders it (which also sends, and
            # swallows a failure: here a failure must raise, so the task retries).
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            message = EmailMultiAlternatives(
                subject,
                loader.render_to_string(email_template_name, context),
                from_email,
                [to_email],
            )
            if html_email_template_name is not None:
                html = loader.render_to_string(html_email_template_name, context)
                message.attach_alternative(html, "text/html")
        sent += mail_once(message, kind="password_reset", about=f"{user.pk}:{request_id}")
    return sent
