"""The status page's routes: public (`/status/`, `/status.json`, `/status/feed.atom`, an
incident's page) and the workspace's (`/workspace/status/...`, a ticket's incident links).
Included after `creditdesk.web.urls`, whose converters (`ticket`) it uses."""

from django.urls import path

from creditdesk.web.views import status

app_name = "status"

urlpatterns = [
    path("status/", status.status_page, name="page"),
    path("status.json", status.status_json, name="json"),
    path("status/feed.atom", status.StatusFeed(), name="feed"),
    path("status/incidents/<int:pk>/", status.incident_page, name="incident"),
    path("workspace/status/", status.work_status, name="work"),
    path("workspace/status/incidents/", status.work_incident_create, name="work-incident-create"),
    path("workspace/status/incidents/<int:pk>/", status.work_incident, name="work-incident"),
    path(
        "workspace/status/incidents/<int:pk>/updates/",
        status.work_update_post,
        name="work-update",
    ),
    path("workspace/status/updates/<int:pk>/send/", status.work_update_send, name="work-send"),
    path(
        "workspace/status/maintenance/",
        status.work_maintenance_create,
        name="work-maintenance-create",
    ),
    path(
        "workspace/status/maintenance/<int:pk>/cancel/",
        status.work_maintenance_cancel,
        name="work-maintenance-cancel",
    ),
    path(
        "workspace/tickets/<ticket:number>/incident/",
        status.work_ticket_incident,
        name="work-ticket-incident",
    ),
]
