"""Long lists on pages come a page at a time, so a page costs the same whatever the rows.

`paginate` reads `?page=` leniently: a number past the end shows the last page and anything
that is not a number shows the first, because a stale bookmark should land somewhere
useful, not on an error page. The `_pagination.html` include keeps the other query
parameters (the queue's filters) in its links.
"""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet, *, per_page: int = PAGE_SIZE) -> Page:
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def page_query(request: HttpRequest, number: int) -> str:
    """The current query string with `page` set to `number`, for the page links."""
    params = request.GET.copy()
    params["page"] = str(number)
    return params.urlencode()
