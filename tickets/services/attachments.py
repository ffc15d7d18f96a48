"""Files people attach to a message, from the portal, the workspace and the API alike.

`message_with_attachments` is the one entry: it checks every file before anything is written
(count, size, type from the content, the name's extension, images readable), then writes the
message and stores the files in one transaction. A refusal (`tickets.exceptions`, field
`attachments`) writes nothing; a failure while storing rolls the message back and deletes the
files already written. Files go to private storage (`core.storage`), under the sanitized name
(`tickets.mail.attachment_filename`); the attachment views serve them.
"""

from collections.abc import Callable, Sequence
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from tickets.attachments import (
    EXTENSIONS,
    IMAGE_MAX_PIXELS,
    NAMES,
    Checked,
    extension_of,
    image_readable,
    sniff,
)
from tickets.exceptions import (
    AttachmentEmpty,
    AttachmentTooLarge,
    AttachmentTypeMismatch,
    AttachmentTypeRefused,
    AttachmentUnreadable,
    TooManyAttachments,
)
from tickets.mail import attachment_filename
from tickets.models import IMAGE_TYPES, Attachment, Message

# Defaults of settings.ATTACHMENT_MAX_BYTES and ATTACHMENT_MAX_COUNT.
MAX_BYTES = 10 * 1024 * 1024
MAX_COUNT = 5


class Upload(Protocol):
    """A Django `UploadedFile` (pages and API) or any file with a name, a size and read()."""

    name: str | None
    size: int | None

    def read(self, size: int = -1) -> bytes: ...


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} B"


def _too_large(name: str, size: int, limit: int) -> AttachmentTooLarge:
    """Both sizes rounded alike, unless that makes them read the same (10.0 MB of at most
    10.0 MB): then both in bytes."""
    shown, most = size_text(size), size_text(limit)
    if shown == most:
        shown, most = f"{size} B", f"{limit} B"
    return AttachmentTooLarge(name=name, size=shown, limit=most)


def attachment_limits() -> tuple[int, int]:
    """The most bytes one attachment may have, and the most attachments one message may
    carry (settings ATTACHMENT_MAX_BYTES and ATTACHMENT_MAX_COUNT), for pages, API and mail."""
    return (
        getattr(settings, "ATTACHMENT_MAX_BYTES", MAX_BYTES),
        getattr(settings, "ATTACHMENT_MAX_COUNT", MAX_COUNT),
    )


def attachments_check(files: Sequence[Upload]) -> list[Checked]:
    """Every file checked, or the first refusal (see module); reads at most the limit plus
    one byte of each file."""
    limit, most = attachment_limits()
    if len(files) > most:
        raise TooManyAttachments(limit=most, count=len(files))
    checked = []
    for upload in files:
        name = attachment_filename(upload.name)
        if upload.size is not None and upload.size > limit:
            raise _too_large(name, upload.size, limit)
        content = upload.read(limit + 1)
        if len(content) > limit:
            raise _too_large(name, len(content), limit)
        if not content:
            raise AttachmentEmpty(name=name)
        content_type = sniff(content)
        if content_type is None:
            raise AttachmentTypeRefused(name=name)
        extension = extension_of(name)
        if not extension:
            name = f"{name}.{EXTENSIONS[content_type][0]}"
        elif extension not in EXTENSIONS[content_type]:
            raise AttachmentTypeMismatch(name=name, actual=NAMES[content_type])
        if content_type in IMAGE_TYPES and not image_readable(content):
            raise AttachmentUnreadable(name=name, limit=IMAGE_MAX_PIXELS // 1_000_000)
        checked.append(Checked(filename=name, content_type=content_type, content=content))
    return checked


def message_with_attachments[Result](
    *,
    files: Sequence[Upload],
    write: Callable[[], Result],
    message_of: Callable[[Result], Message | None] = lambda result: result,
) -> Result:
    """`write()` (the service that writes the message: a reply, an answer, an intake) and
    the checked `files` on the message `message_of(result)` picks, in one transaction; no
    message (an intake refused) stores nothing. Refusals come before `write` runs."""
    checked = attachments_check(files)
    if not checked:
        return write()
    written: list[str] = []
    try:
        with transaction.atomic():
            result = write()
            message = message_of(result)
            if message is not None:
                for item in checked:
                    written.append(_store(message, item))
    except BaseException:
        _delete(written)
        raise
    return result


def _store(message: Message, item: Checked) -> str:
    attachment = Attachment(
        message=message,
        filename=item.filename,
        content_type=item.content_type,
        size=item.size,
    )
    attachment.file.save(item.filename, ContentFile(item.content), save=False)
    try:
        attachment.save()
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment.file.name


def _delete(names: list[str]) -> None:
    from core.storage import private_storage

    storage = private_storage()
    for name in names:
        storage.delete(name)


def opening_message(result) -> Message | None:
    """For `message_with_attachments` around an intake: the accepted ticket's first message
    (the request's description); a refused intake has none, nor a form submitted again
    (`replayed`): its files are on the request the first submit opened."""
    if not result.accepted or result.replayed:
        return None
    return result.ticket.messages.order_by("pk").first()
