"""Quote routes: the workspace's (draft from a ticket, read, send, PDF) and the portal's
(read, PDF, accept, reject). Included after `creditdesk.web.urls`, whose `ticket` converter
it uses."""

from django.urls import path

from creditdesk.web.views import quotes

app_name = "quotes"

urlpatterns = [
    path(
        "workspace/tickets/<ticket:number>/quotes/new/",
        quotes.work_quote_new,
        name="work-new",
    ),
    path("workspace/quotes/<int:pk>/", quotes.work_quote, name="work"),
    path("workspace/quotes/<int:pk>/send/", quotes.work_quote_send, name="work-send"),
    path("workspace/quotes/<int:pk>/pdf/", quotes.work_quote_pdf, name="work-pdf"),
    path("workspace/outcomes/", quotes.work_outcomes, name="outcomes"),
    path("portal/quotes/<int:pk>/", quotes.portal_quote, name="portal"),
    path("portal/quotes/<int:pk>/pdf/", quotes.portal_quote_pdf, name="portal-pdf"),
    path("portal/quotes/<int:pk>/accept/", quotes.portal_quote_accept, name="portal-accept"),
    path("portal/quotes/<int:pk>/reject/", quotes.portal_quote_reject, name="portal-reject"),
]
