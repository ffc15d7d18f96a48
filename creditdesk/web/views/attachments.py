"""Downloads and previews of message attachments, for the portal and the workspace alike.

Both ask `creditdesk.roles.attachments_visible_to`: a contact opens their own customer's
attachments (not those on internal notes), staff those of the tickets they may see, finance
all; anything else is a 404, like a missing id, and an anonymous visitor is sent to sign in.
Files come from private storage; the original is always downloaded (never shown inline, so
a file cannot run as a page of this site), images also as a small preview.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from core.storage import stored_file_open
from creditdesk.roles import attachments_visible_to
from tickets.attachments import thumbnail
from tickets.models import Attachment


def _attachment(request: HttpRequest, pk: int) -> Attachment:
    attachment = attachments_visible_to(request.user).filter(pk=pk).first()
    if attachment is None:
        raise Http404
    return attachment


@require_GET
@login_required
@cache_control(private=True, max_age=3600)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = _attachment(request, pk)
    response = FileResponse(
        stored_file_open(attachment.file),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@login_required
@cache_control(private=True, max_age=3600)
def attachment_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """An image attachment scaled to fit 320 px, drawn from the stored original."""
    attachment = _attachment(request, pk)
    if not attachment.is_image:
        raise Http404
    try:
        with attachment.file.open("rb") as handle:
            content, content_type = thumbnail(handle.read())
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    response = HttpResponse(content, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
