from django import template

from creditdesk.web.pagination import page_query

register = template.Library()


@register.simple_tag(takes_context=True)
def page_link(context, number: int) -> str:
    """`?…&page=N` keeping the request's other parameters (filters)."""
    return "?" + page_query(context["request"], number)
