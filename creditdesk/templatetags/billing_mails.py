"""The customer's billing mails on the workspace customer page (`_billing_mails.html`): the
include asks `billing.notifications.billing_mails_of` itself, so the page's view is
unchanged."""

from django import template

from billing.notifications import BillingMail, billing_mails_of
from contracts.models import Customer

register = template.Library()


@register.simple_tag
def billing_mails(customer: Customer) -> list[BillingMail]:
    """{% billing_mails customer as mails %}: the newest 50, newest first."""
    return billing_mails_of(customer=customer)
