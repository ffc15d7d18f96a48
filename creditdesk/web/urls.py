from django.urls import include, path, register_converter

from creditdesk.web.views import (
    attachments,
    autotopup,
    customers,
    finance,
    portal,
    workspace,
)

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
    path("portal/credits/auto-top-up/", autotopup.auto_top_up_save, name="auto-top-up"),
    path(
        "portal/credits/auto-top-up/card/start/",
        autotopup.auto_top_up_card_start,
        name="auto-top-up-card-start",
    ),
    path("portal/credits/auto-top-up/card/", autotopup.auto_top_up_card, name="auto-top-up-card"),
    path(
        "portal/credits/auto-top-up/card/done/",
        autotopup.auto_top_up_card_done,
        name="auto-top-up-card-done",
    ),
    path(
        "portal/credits/auto-top-up/attempts/<int:pk>/",
        autotopup.auto_top_up_attempt,
        name="auto-top-up-attempt",
    ),
    path("portal/invoices/", portal.invoices, name="invoices"),
    path("portal/invoices/<int:pk>/pdf/", portal.invoice_pdf, name="invoice-pdf"),
    path(
        "portal/sla-reports/<month:month>/pdf/",
        portal.sla_report_view,
        {"document": "pdf"},
        name="sla-report-pdf",
    ),
    path(
        "portal/sla-reports/<month:month>/csv/",
        portal.sla_report_view,
        {"document": "csv"},
        name="sla-report-csv",
    ),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment"),
    path(
        "attachments/<int:pk>/preview/", attachments.attachment_preview, name="attachment-preview"
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
        "workspace/tickets/<ticket:number>/priority/",
        workspace.ticket_priority_view,
        name="work-priority",
    ),
    path(
        "workspace/tickets/<ticket:number>/escalate/",
        workspace.ticket_escalate_view,
        name="work-escalate",
    ),
    path("workspace/customers/", customers.customers, name="customers"),
    path("workspace/customers/new/", customers.customer_new, name="customer-new"),
    path("workspace/customers/<int:pk>/edit/", customers.customer_edit, name="customer-edit"),
    path(
        "workspace/customers/<int:pk>/contract/", customers.contract_start, name="customer-contract"
    ),
    path(
        "workspace/customers/<int:pk>/contract/plan/",
        customers.contract_plan,
        name="customer-contract-plan",
    ),
    path(
        "workspace/customers/<int:pk>/contract/status/",
        customers.contract_status,
        name="customer-contract-status",
    ),
    path(
        "workspace/customers/<int:pk>/credits/", customers.customer_credits, name="customer-credits"
    ),
    path("workspace/customers/<int:pk>/notes/", customers.customer_note, name="customer-note"),
    path("workspace/customers/<int:pk>/contacts/new/", customers.contact_new, name="contact-new"),
    path(
        "workspace/customers/<int:pk>/contacts/<int:contact_pk>/",
        customers.contact_edit,
        name="contact-edit",
    ),
    path(
        "workspace/customers/<int:pk>/contacts/<int:contact_pk>/invite/",
        customers.contact_invite_view,
        name="contact-invite",
    ),
    path("workspace/webhooks/", workspace.webhooks, name="webhooks"),
    path("workspace/webhooks/<int:pk>/edit/", workspace.webhook_edit, name="webhook-edit"),
    path("workspace/webhooks/<int:pk>/toggle/", workspace.webhook_toggle, name="webhook-toggle"),
    path(
        "workspace/webhooks/<int:pk>/rotate-secret/",
        workspace.webhook_rotate_secret_view,
        name="webhook-rotate-secret",
    ),
    path(
        "workspace/webhooks/<int:pk>/rotate-secret/confirm/",
        workspace.webhook_rotate_secret_confirm,
        name="webhook-rotate-secret-confirm",
    ),
    path(
        "workspace/webhooks/<int:pk>/delete/", workspace.webhook_delete_view, name="webhook-delete"
    ),
    path(
        "workspace/webhooks/<int:pk>/delete/confirm/",
        workspace.webhook_delete_confirm,
        name="webhook-delete-confirm",
    ),
    path(
        "workspace/webhooks/deliveries/<int:pk>/redeliver/",
        workspace.webhook_redeliver_view,
        name="webhook-redeliver",
    ),
    path("workspace/customers/<int:pk>/", customers.customer_detail, name="customer"),
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
    path(
        "workspace/finance/payments/<int:pk>/settle/",
        finance.payment_settle,
        name="finance-payment-settle",
    ),
    path("workspace/finance/billing-run/", finance.billing_runs, name="finance-billing-run"),
    path("workspace/finance/ageing/", finance.ageing, name="finance-ageing"),
    path("", include("creditdesk.web.knowledge_urls")),
    path("", include("creditdesk.web.selfservice_urls")),
]
