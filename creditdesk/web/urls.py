from django.urls import include, path, register_converter

from creditdesk.web.views import finance, portal, workspace

app_name = "web"


class TicketNumberConverter:
    """A ticket number ("T-2026-000042"): letters, digits and dashes. Anything else (a NUL
    byte, which PostgreSQL refuses in a query) is not a route, so it is a 404."""

    regex = "[A-Za-z0-9-]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class MonthConverter(TicketNumberConverter):
    regex = "[0-9]{4}-[0-9]{2}"


register_converter(TicketNumberConverter, "ticket")
register_converter(MonthConverter, "month")

urlpatterns = [
    path("portal/", portal.dashboard, name="dashboard"),
    path("portal/tickets/new/", portal.ticket_new, name="ticket-new"),
    path("portal/tickets/<ticket:number>/", portal.ticket_detail, name="ticket"),
    path("portal/tickets/<ticket:number>/reply/", portal.ticket_reply, name="ticket-reply"),
    path("portal/tickets/<ticket:number>/reopen/", portal.ticket_reopen_view, name="ticket-reopen"),
    path(
        "portal/tickets/<ticket:number>/follow-up/",
        portal.ticket_follow_up_view,
        name="ticket-follow-up",
    ),
    path("portal/credits/", portal.credits, name="credits"),
    path("reopen/<str:token>/", portal.reopen_by_link, name="reopen-link"),
    path("portal/credits/packs/<int:pack_id>/buy/", portal.topup, name="topup"),
    path("portal/payments/<int:pk>/", portal.payment, name="payment"),
    path("portal/invoices/", portal.invoices, name="invoices"),
    path("portal/invoices/<int:pk>/pdf/", portal.invoice_pdf, name="invoice-pdf"),
    path(
        "portal/sla-reports/<month:month>/pdf/", portal.sla_report_pdf_view, name="sla-report-pdf"
    ),
    path("workspace/", workspace.queue, name="queue"),
    path("workspace/tickets/<ticket:number>/", workspace.ticket_work, name="work"),
    path("workspace/tickets/<ticket:number>/reply/", workspace.ticket_reply, name="work-reply"),
    path("workspace/tickets/<ticket:number>/status/", workspace.ticket_move, name="work-status"),
    path("workspace/tickets/<ticket:number>/work/", workspace.ticket_worklog, name="work-log"),
    path(
        "workspace/tickets/<ticket:number>/sessions/", workspace.ticket_session, name="work-session"
    ),
    path(
        "workspace/tickets/<ticket:number>/sessions/<int:pk>/no-show/",
        workspace.session_no_show,
        name="work-no-show",
    ),
    path(
        "workspace/tickets/<ticket:number>/assign/",
        workspace.ticket_assign_view,
        name="work-assign",
    ),
    path(
        "workspace/tickets/<ticket:number>/service/",
        workspace.ticket_reclassify_view,
        name="work-reclassify",
    ),
    path(
        "workspace/tickets/<ticket:number>/escalate/",
        workspace.ticket_escalate_view,
        name="work-escalate",
    ),
    path("workspace/customers/", workspace.customers, name="customers"),
    path("workspace/webhooks/", workspace.webhooks, name="webhooks"),
    path("workspace/webhooks/<int:pk>/toggle/", workspace.webhook_toggle, name="webhook-toggle"),
    path(
        "workspace/webhooks/deliveries/<int:pk>/redeliver/",
        workspace.webhook_redeliver_view,
        name="webhook-redeliver",
    ),
    path("workspace/customers/<int:pk>/", workspace.customer_detail, name="customer"),
    path("workspace/finance/credits/", finance.credit_report, name="credit-report"),
    path("workspace/finance/invoices/", finance.invoices, name="finance-invoices"),
    path("workspace/finance/invoices/<int:pk>/", finance.invoice_detail, name="finance-invoice"),
    path(
        "workspace/finance/invoices/<int:pk>/credit-note/",
        finance.invoice_credit_note,
        name="finance-credit-note",
    ),
    path(
        "workspace/finance/invoices/<int:pk>/refund/", finance.invoice_refund, name="finance-refund"
    ),
    path(
        "workspace/finance/invoices/<int:pk>/record-payment/",
        finance.invoice_record_payment,
        name="finance-record-payment",
    ),
    path(
        "workspace/finance/payments/<int:pk>/confirm/",
        finance.payment_confirm,
        name="finance-payment-confirm",
    ),
    path("workspace/finance/billing-run/", finance.billing_runs, name="finance-billing-run"),
    path("workspace/finance/ageing/", finance.ageing, name="finance-ageing"),
    path("", include("creditdesk.web.knowledge_urls")),
]
