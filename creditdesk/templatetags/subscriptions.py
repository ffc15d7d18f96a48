"""The premium subscription block of the workspace customer page (`_subscription.html`): the
include asks `creditdesk.web.views.subscriptions.subscription_context` itself, so the page's
view is unchanged."""

from typing import Any

from django import template

from contracts.models import Customer
from creditdesk.roles import SUBSCRIPTION_STAFF, has_role

register = template.Library()


@register.simple_tag(takes_context=True)
def customer_subscription(context, customer: Customer) -> dict[str, Any]:
    """{% customer_subscription customer as s %}; `s.may_change`: the user may subscribe or
    cancel (account managers and admins; others read)."""
    from creditdesk.web.views.subscriptions import subscription_context

    data = subscription_context(customer)
    data["may_change"] = has_role(context["request"].user, SUBSCRIPTION_STAFF)
    return data
