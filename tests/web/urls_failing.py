"""The site's URLs plus a page and an API path that fail, to see the 500 handler at work."""

from django.urls import path

from creditdesk.urls import handler400, handler403, handler404, handler500
from creditdesk.urls import urlpatterns as site

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def failing(request):
    raise RuntimeError("a bug")


urlpatterns = [path("failing/", failing), path("api/failing/", failing), *site]
