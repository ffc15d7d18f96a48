"""`/api/v1/` (the resources), `/api/schema/` (OpenAPI 3) and `/api/docs/` (Swagger UI)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from creditdesk.api.views.activations import ActivationProductViewSet, ActivationViewSet
from creditdesk.api.views.agents import AttachmentViewSet, CannedReplyViewSet
from creditdesk.api.views.billing import InvoiceViewSet, PaymentViewSet, TopUpViewSet
from creditdesk.api.views.contracts import (
    ContactViewSet,
    ContractViewSet,
    CreditPackViewSet,
    CustomerViewSet,
    PlanViewSet,
    ServiceViewSet,
)
from creditdesk.api.views.credits import CreditHoldViewSet, LedgerEntryViewSet
from creditdesk.api.views.knowledge import ArticleViewSet
from creditdesk.api.views.quotes import QuoteViewSet
from creditdesk.api.views.sla import CalendarViewSet, SlaPolicyViewSet
from creditdesk.api.views.statuspage import (
    ComponentViewSet,
    IncidentViewSet,
    MaintenanceViewSet,
    StatusViewSet,
)
from creditdesk.api.views.tickets import IntakeAttemptViewSet, SessionViewSet, TicketViewSet
from creditdesk.api.views.webhooks import WebhookDeliveryViewSet, WebhookEndpointViewSet

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("customers", CustomerViewSet, basename="customer")
router.register(
    r"customers/(?P<customer_pk>[0-9]+)/credits/entries", LedgerEntryViewSet, basename="entry"
)
router.register(
    r"customers/(?P<customer_pk>[0-9]+)/credits/holds", CreditHoldViewSet, basename="hold"
)
router.register("contacts", ContactViewSet, basename="contact")
router.register("plans", PlanViewSet, basename="plan")
router.register("credit-packs", CreditPackViewSet, basename="credit-pack")
router.register("services", ServiceViewSet, basename="service")
router.register("calendars", CalendarViewSet, basename="calendar")
router.register("sla-policies", SlaPolicyViewSet, basename="sla-policy")
router.register("contracts", ContractViewSet, basename="contract")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("sessions", SessionViewSet, basename="session")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("canned-replies", CannedReplyViewSet, basename="canned-reply")
router.register("intake-attempts", IntakeAttemptViewSet, basename="intake-attempt")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("payments", PaymentViewSet, basename="payment")
router.register("top-ups", TopUpViewSet, basename="top-up")
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("articles", ArticleViewSet, basename="article")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("activations", ActivationViewSet, basename="activation")
router.register("activation-products", ActivationProductViewSet, basename="activation-product")
router.register("status/components", ComponentViewSet, basename="status-component")
router.register("status/incidents", IncidentViewSet, basename="status-incident")
router.register("status/maintenance", MaintenanceViewSet, basename="status-maintenance")
router.register("status", StatusViewSet, basename="status")


class UnknownPath(APIView):
    """Any other path under /api/: a 404 in the API's error shape (not Django's HTML page)."""

    authentication_classes: list = []
    permission_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", UnknownPath.as_view()),
]
