"""What agents use beside the ticket: message attachments (download with the ticket's access
rules) and the canned replies of the reply box."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from core.storage import stored_file_open
from creditdesk.api.serializers.tickets import AttachmentSerializer, CannedReplySerializer
from creditdesk.api.views.base import ApiViewSet, ListMixin, RetrieveMixin
from creditdesk.roles import ALL, TICKET_STAFF, attachments_visible_to
from tickets.models import CannedReply
from tickets.selectors import canned_replies_active


class AttachmentViewSet(RetrieveMixin, ApiViewSet):
    """A message's attachment: who sees the ticket reads it (contacts not those on internal
    notes); anyone else gets 404, like a missing id (`creditdesk.roles.attachments_visible_to`)."""

    serializer_class = AttachmentSerializer
    roles = {"retrieve": ALL, "download": ALL}
    filter_backends: list = []

    def get_queryset(self):
        return attachments_visible_to(self.request.user).order_by("pk")

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        attachment = self.get_object()
        response = FileResponse(
            stored_file_open(attachment.file),
            as_attachment=True,
            filename=attachment.filename,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CannedReplyViewSet(ListMixin, RetrieveMixin, ApiViewSet):
    """Active canned replies (`?language=es|en`), with their placeholders unfilled:
    {cliente}/{customer}, {ticket}, {vence}/{due}."""

    serializer_class = CannedReplySerializer
    roles = {"list": TICKET_STAFF, "retrieve": TICKET_STAFF}
    filter_backends: list = []

    def get_queryset(self):
        language = self.request.query_params.get("language") or None
        if language is not None and language not in CannedReply.Language.values:
            return CannedReply.objects.none()
        return canned_replies_active(language=language)
