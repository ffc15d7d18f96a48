"""The staff mails of activations: a warning before the due time and a notice once late, to
the customer's account manager and whoever registered the purchase, once per activation and
kind (`background.mail.mail_once`), with the due time in the customer's zone."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from activations.models import Activation
from background.mail import mail_once
from core.formatting import format_moment
from core.languages import SPANISH


def _recipients(activation: Activation) -> list[str]:
    emails = []
    for user in (activation.customer.account_manager, activation.created_by):
        if user is not None and user.email and user.email not in emails:
            emails.append(user.email)
    return emails


def send_activation_alert(activation_id: int, *, late: bool) -> int:
    """Mail the warning (or the lateness) of one activation once; returns mails sent."""
    activation = (
        Activation.objects.select_related("customer__account_manager", "created_by")
        .filter(pk=activation_id)
        .first()
    )
    if activation is None or activation.status != Activation.Status.RUNNING:
        return 0
    emails = _recipients(activation)
    if not emails:
        return 0
    with translation.override(SPANISH):
        due = format_moment(activation.due_at.astimezone(activation.customer.time_zone_info))
        names = {"product": activation.product_name, "customer": activation.customer.legal_name}
        if late:
            subject = _("Activación vencida: %(product)s (%(customer)s)") % names
            body = _("La activación de %(product)s para %(customer)s venció el %(due)s.")
        else:
            subject = _("Activación por vencer: %(product)s (%(customer)s)") % names
            body = _("La activación de %(product)s para %(customer)s vence el %(due)s.")
        body = body % (names | {"due": due})
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    kind = "activation_late" if late else "activation_warning"
    return int(mail_once(message, kind=kind, about=activation.pk))
