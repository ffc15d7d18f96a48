"""What an uploaded file is, read from its first bytes, never from its name or the type the
browser claims.

Accepted: PDF, PNG, JPEG, GIF, WebP, plain text (UTF-8, no control characters) and ZIP. A
file's name must end in an extension of what its content is ("informe.pdf" holding a PNG is
refused as a mismatch); a name without extension gets the content's. Images are opened with
Pillow so a truncated or enormous one (a decompression bomb) is refused before it is stored,
and previews (`thumbnail`) are drawn from the stored original.
"""

import io
from dataclasses import dataclass

from django.utils.translation import gettext_lazy
from PIL import Image, UnidentifiedImageError

# content type -> the extensions a file of it may carry (the first is added when none)
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg", "jfif"),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "text/plain": ("txt", "log", "csv", "md", "text"),
    "application/zip": ("zip",),
}
# What the content is, in words for a refusal: a lazy label where the languages differ.
NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "text/plain": gettext_lazy("texto"),
    "application/zip": "ZIP",
}
IMAGE_MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)


def sniff(content: bytes) -> str | None:
    """The accepted type `content` is, or None."""
    head = content[:16]
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "application/zip"
    if _is_plain_text(content):
        return "text/plain"
    return None


def _is_plain_text(content: bytes) -> bool:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not any((ord(ch) < 32 and ch not in "\t\n\r\f") or ord(ch) == 127 for ch in text)


def extension_of(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


@dataclass(frozen=True)
class Checked:
    """A file that passed: its shown name, its real type, its bytes."""

    filename: str
    content_type: str
    content: bytes

    @property
    def size(self) -> int:
        return len(self.content)


def image_readable(content: bytes) -> bool:
    """Pillow reads the whole image, and it has at most IMAGE_MAX_PIXELS. `verify()` first:
    WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES, under which `load()` pads a
    truncated image instead of refusing it; `verify()` still checks the data (PNG's chunks
    and their checksums)."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > IMAGE_MAX_PIXELS:
                return False
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return False
    return True


def thumbnail(content: bytes) -> tuple[bytes, str]:
    """A preview at most THUMBNAIL_SIZE: PNG for images with transparency or a palette, JPEG
    otherwise; (bytes, content type)."""
    with Image.open(io.BytesIO(content)) as image:
        image.seek(0)  # an animated GIF's first frame
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        if image.mode in {"RGBA", "LA", "P", "PA"} or "transparency" in image.info:
            image.save(out, "PNG", optimize=True)
            return out.getvalue(), "image/png"
        image.convert("RGB").save(out, "JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
