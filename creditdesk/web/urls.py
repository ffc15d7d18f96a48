from django.urls import path

from creditdesk.web.views import portal, workspace

app_name = "web"

urlpatterns = [
    path("portal/", portal.dashboard, name="dashboard"),
    path("portal/tickets/new/", portal.ticket_new, name="ticket-new"),
    path("portal/tickets/<str:number>/", portal.ticket_detail, name="ticket"),
    path("portal/tickets/<str:number>/reply/", portal.ticket_reply, name="ticket-reply"),
    path("portal/tickets/<str:number>/reopen/", portal.ticket_reopen_view, name="ticket-reopen"),
    path(
        "portal/tickets/<str:number>/follow-up/",
        portal.ticket_follow_up_view,
        name="ticket-follow-up",
    ),
    path("portal/credits/", portal.credits, name="credits"),
    path("portal/credits/packs/<int:pack_id>/buy/", portal.topup, name="topup"),
    path("portal/payments/<int:pk>/", portal.payment, name="payment"),
    path("portal/invoices/", portal.invoices, name="invoices"),
    path("portal/invoices/<int:pk>/pdf/", portal.invoice_pdf, name="invoice-pdf"),
    path("portal/sla-reports/<str:month>/pdf/", portal.sla_report_pdf_view, name="sla-report-pdf"),
    path("workspace/", workspace.queue, name="queue"),
    path("workspace/tickets/<str:number>/", workspace.ticket_work, name="work"),
    path("workspace/tickets/<str:number>/reply/", workspace.ticket_reply, name="work-reply"),
    path("workspace/tickets/<str:number>/status/", workspace.ticket_move, name="work-status"),
    path("workspace/tickets/<str:number>/work/", workspace.ticket_worklog, name="work-log"),
    path("workspace/tickets/<str:number>/sessions/", workspace.ticket_session, name="work-session"),
    path(
        "workspace/tickets/<str:number>/sessions/<int:pk>/no-show/",
        workspace.session_no_show,
        name="work-no-show",
    ),
    path(
        "workspace/tickets/<str:number>/assign/", workspace.ticket_assign_view, name="work-assign"
    ),
    path("workspace/customers/", workspace.customers, name="customers"),
    path("workspace/customers/<int:pk>/", workspace.customer_detail, name="customer"),
]
