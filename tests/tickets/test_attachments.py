"""Attachments on messages: what a file is comes from its content, within a count and a size
limit, stored privately under a sanitized name; a refusal writes nothing."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tickets.attachments import sniff, thumbnail
from tickets.exceptions import (
    AttachmentEmpty,
    AttachmentTooLarge,
    AttachmentTypeMismatch,
    AttachmentTypeRefused,
    AttachmentUnreadable,
    TooManyAttachments,
)
from tickets.models import Attachment, Message
from tickets.services.attachments import attachments_check, message_with_attachments
from tickets.services.intake import ticket_open
from tickets.services.lifecycle import ticket_agent_reply, ticket_customer_reply


def image(kind: str, size=(40, 30), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, kind)
    return out.getvalue()


def a_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("log.txt", "hola")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def upload(name, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("captura.png", image("PNG"), "image/png"),
        ("foto.jpg", image("JPEG"), "image/jpeg"),
        ("foto.JPEG", image("JPEG"), "image/jpeg"),
        ("anim.gif", image("GIF"), "image/gif"),
        ("pantalla.webp", image("WEBP"), "image/webp"),
        ("factura.pdf", PDF, "application/pdf"),
        ("registro.log", "Conexión rechazada\n".encode(), "text/plain"),
        ("notas.txt", "\ufeffcon BOM\r\n".encode(), "text/plain"),
        ("logs.zip", a_zip(), "application/zip"),
    ],
)
def test_accepted_types_are_read_from_the_content(name, content, kind):
    [checked] = attachments_check([upload(name, content)])
    assert (checked.filename, checked.content_type, checked.size) == (name, kind, len(content))


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("programa.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60, AttachmentTypeRefused),
        # a Windows program named like a picture: refused for what it is
        ("foto.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60, AttachmentTypeRefused),
        ("pagina.html", b"<script>alert(1)</script>\x00", AttachmentTypeRefused),
        ("binario.bin", bytes(range(256)), AttachmentTypeRefused),
        # real content behind a name that says something else
        ("factura.pdf", image("PNG"), AttachmentTypeMismatch),
        ("foto.png", PDF, AttachmentTypeMismatch),
        ("documento.docx", a_zip(), AttachmentTypeMismatch),
        ("captura.png.exe", image("PNG"), AttachmentTypeMismatch),
        ("pagina.html", b"<script>alert(1)</script>", AttachmentTypeMismatch),
        ("vacio.txt", b"", AttachmentEmpty),
        ("rota.png", image("PNG")[:60], AttachmentUnreadable),
    ],
)
def test_other_types_spoofed_names_empty_and_broken_files_are_refused(name, content, error):
    with pytest.raises(error) as refused:
        attachments_check([upload(name, content)])
    assert refused.value.field == "attachments"
    assert refused.value.message("es") != refused.value.message("en")


def test_names_lose_their_path_and_control_characters_and_get_the_contents_extension():
    checked = attachments_check(
        [upload("../../etc/cron.d/x.png", image("PNG")), upload("sin extension", PDF)]
    )
    assert [c.filename for c in checked] == ["x.png", "sin extension.pdf"]


def test_size_and_count_limits_come_from_settings(settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    settings.ATTACHMENT_MAX_COUNT = 2
    with pytest.raises(AttachmentTooLarge) as large:
        attachments_check([upload("grande.txt", b"a" * 1001)])
    assert large.value.message("es") == (
        "«grande.txt» ocupa 1001 B; cada adjunto admite como máximo 1000 B."
    )
    assert "at most 1000 B" in large.value.message("en")
    attachments_check([upload("justo.txt", b"a" * 1000)])
    with pytest.raises(TooManyAttachments) as many:
        attachments_check([upload(f"{n}.txt", b"a") for n in range(3)])
    assert many.value.message("en") == "At most 2 attachments are accepted per message (3 given)."


def test_a_file_just_over_the_limit_is_not_said_to_be_the_limit(settings):
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(AttachmentTooLarge) as large:
        attachments_check([upload("casi.txt", b"a" * (10 * 1024 * 1024 + 5))])
    assert large.value.message("es") == (
        "«casi.txt» ocupa 10485765 B; cada adjunto admite como máximo 10485760 B."
    )


def test_a_file_that_lies_about_its_size_is_still_measured(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    lying = upload("poco.txt", b"a" * 500)
    lying.size = 10
    with pytest.raises(AttachmentTooLarge):
        attachments_check([lying])


def test_a_reply_with_files_stores_them_privately(funded, agent, private_root, settings):
    ticket = ticket_open(channel="portal", subject="Caída", requester=funded).ticket
    message = message_with_attachments(
        files=[upload("../captura.png", image("PNG")), upload("log.txt", b"ok\n")],
        write=lambda: ticket_agent_reply(ticket, by=agent, body="Vea la captura"),
    )
    png, text = message.attachments.order_by("pk")
    assert (png.filename, png.content_type, png.is_image) == ("captura.png", "image/png", True)
    assert (text.filename, text.is_image) == ("log.txt", False)
    stored = Path(png.file.path).resolve()
    assert stored.is_relative_to(Path(private_root).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError, match="Private files"):
        png.file.url  # noqa: B018  (no public address)
    preview, kind = thumbnail(png.file.read())
    assert kind == "image/jpeg"  # an opaque image's preview is a JPEG
    assert Image.open(io.BytesIO(preview)).size == (40, 30)


def test_a_refused_file_writes_neither_the_message_nor_any_file(funded, private_root):
    ticket = ticket_open(channel="portal", subject="Caída", requester=funded).ticket
    before = Message.objects.count()
    with pytest.raises(AttachmentTypeRefused):
        message_with_attachments(
            files=[upload("ok.txt", b"ok"), upload("virus.exe", b"MZ\x00\x01")],
            write=lambda: ticket_customer_reply(ticket, contact=funded, body="Adjunto"),
        )
    assert Message.objects.count() == before
    assert not Attachment.objects.exists()
    assert not Path(private_root).exists() or not any(Path(private_root).rglob("*.*"))


def test_storage_that_fails_rolls_the_message_back(funded, settings, tmp_path):
    ticket = ticket_open(channel="portal", subject="Caída", requester=funded).ticket
    before = Message.objects.count()
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("")
    settings.PRIVATE_MEDIA_ROOT = blocked
    with pytest.raises(OSError, match=r"exists|directory"):
        message_with_attachments(
            files=[upload("a.txt", b"a")],
            write=lambda: ticket_customer_reply(ticket, contact=funded, body="Adjunto"),
        )
    assert Message.objects.count() == before
    assert not Attachment.objects.exists()


def test_a_new_request_carries_its_files_on_its_first_message(funded):
    result = message_with_attachments(
        files=[upload("captura.png", image("PNG"))],
        write=lambda: ticket_open(channel="portal", subject="Caída", requester=funded),
        message_of=lambda result: result.ticket.messages.first(),
    )
    assert result.ticket.messages.get().attachments.get().filename == "captura.png"


def test_a_truncated_png_is_refused_even_when_pillow_pads_truncated_images(monkeypatch):
    from PIL import ImageFile

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)  # as WeasyPrint's import does
    with pytest.raises(AttachmentUnreadable):
        attachments_check([upload("rota.png", image("PNG")[:60])])


def test_sniff_knows_nothing_of_names():
    assert sniff(image("PNG")) == "image/png"
    assert sniff(b"\x00\x01") is None
