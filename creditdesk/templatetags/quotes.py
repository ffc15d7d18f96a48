"""A ticket's quotes box, on the workspace's and the portal's ticket pages."""

from django import template

from creditdesk.roles import QUOTE_AUTHORS, has_role, quotes_visible_to

register = template.Library()


@register.inclusion_tag("quotes/_ticket_quotes.html", takes_context=True)
def ticket_quotes(context, ticket, staff=False) -> dict:
    request = context.get("request")
    user = request.user if request is not None else None
    quotes = (
        quotes_visible_to(user).filter(ticket=ticket).order_by("-created_at", "-pk")
        if user is not None
        else []
    )
    return {
        "ticket": ticket,
        "quotes": quotes,
        "staff": staff,
        "may_draft": staff
        and user is not None
        and has_role(user, QUOTE_AUTHORS)
        and ticket.status not in ticket.FINISHED_STATUSES,
    }
