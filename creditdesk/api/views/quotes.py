"""Quotes through the API: staff draft and send them on tickets they see; a customer's
contacts accept or reject their own. Reads and object access: `creditdesk.roles.
quotes_visible_to` (another customer's quote is a 404); writes: `quotes.services`."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound

from core.languages import language_code
from creditdesk.api.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from creditdesk.api.serializers.quotes import (
    QuoteDraftSerializer,
    QuoteRejectSerializer,
    QuoteSerializer,
)
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import (
    QUOTE_AUTHORS,
    QUOTE_DECIDERS,
    STAFF,
    contact_of,
    quotes_visible_to,
)
from quotes.pdf import quote_pdf_bytes, quote_pdf_filename
from quotes.services import quote_accept, quote_draft, quote_reject, quote_send
from tickets.models import Ticket

READERS = STAFF | QUOTE_DECIDERS


class QuoteViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    serializer_class = QuoteSerializer
    ordering_fields = ["created_at", "number", "valid_until"]
    roles = {
        "list": READERS,
        "retrieve": READERS,
        "pdf": READERS,
        "create": QUOTE_AUTHORS,
        "send": QUOTE_AUTHORS,
        "accept": QUOTE_DECIDERS,
        "reject": QUOTE_DECIDERS,
    }

    def get_queryset(self):
        return quotes_visible_to(self.request.user).prefetch_related("lines")

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=force or self.action == "pdf")

    @extend_schema(
        request=QuoteDraftSerializer,
        responses={201: QuoteSerializer},
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Draft a quote on a ticket (staff who work tickets)",
    )
    @idempotent
    def create(self, request):
        data = self.parse(QuoteDraftSerializer)
        ticket = self.scoped(Ticket.objects.all()).filter(number=data["ticket"]).first()
        if ticket is None:
            raise NotFound()
        quote = quote_draft(
            ticket=ticket,
            kind=data["kind"],
            lines=[dict(line) for line in data["lines"]],
            valid_until=data["valid_until"],
            terms=data["terms"],
            by=request.user,
        )
        return self.render(QuoteSerializer, quote, status_code=201)

    @extend_schema(
        request=None,
        responses=QuoteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Send a draft: numbers it and mails its PDF to the customer's contacts",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def send(self, request, pk=None):
        return self.render(QuoteSerializer, quote_send(self.get_object(), by=request.user))

    @extend_schema(
        request=None,
        responses=QuoteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Accept a sent quote (the customer's contacts): money -> invoice, credits -> hold",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def accept(self, request, pk=None):
        quote = quote_accept(self.get_object(), contact=contact_of(request.user), by=request.user)
        return self.render(QuoteSerializer, quote)

    @extend_schema(
        request=QuoteRejectSerializer,
        responses=QuoteSerializer,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        summary="Reject a sent quote (the customer's contacts)",
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    @idempotent
    def reject(self, request, pk=None):
        data = self.parse(QuoteRejectSerializer)
        quote = quote_reject(
            self.get_object(),
            contact=contact_of(request.user),
            by=request.user,
            reason=data["reason"],
        )
        return self.render(QuoteSerializer, quote)

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
        summary="The quote as PDF, in the request's language",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def pdf(self, request, pk=None):
        quote = self.get_object()
        language = language_code()
        response = HttpResponse(
            quote_pdf_bytes(quote, language=language), content_type="application/pdf"
        )
        filename = quote_pdf_filename(quote, language=language)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
