"""Proofs of bank transfers: what a file is, read from its content, and where it is kept.

A customer's proof is a PDF, a JPEG or a PNG of at most `TRANSFER_PROOF_MAX_BYTES` (5 MB).
Its type is read from its first bytes (the "magic" signature), never from its name or the
type the browser claims: a PNG named "recibo.pdf" is taken as the PNG it is and refused as a
mismatch of name and content, and an executable renamed "recibo.pdf" is refused outright.
Images are opened with Pillow (verify) so a truncated or fake one is refused before it is
stored; a PDF must end with its `%%EOF` marker.

Proofs are stored in the private storage (`settings.STORAGES["private"]`, under
`PRIVATE_MEDIA_ROOT`, never under `MEDIA_ROOT`), so no web server serves them: they are read
only through `creditdesk.web.views.transfers.proof_download`, which applies
`creditdesk.roles` first (another customer's proof is a 404).
"""

import hashlib
import io
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from PIL import Image, UnidentifiedImageError

from billing.exceptions import BillingError
from core.storage import stored_filename

TRANSFER_PROOF_MAX_BYTES = 5 * 1024 * 1024
# content type -> the extensions a file of that content may carry
EXTENSIONS = {
    "application/pdf": ("pdf",),
    "image/png": ("png",),
    "image/jpeg": ("jpg", "jpeg"),
}
NAMES = {"application/pdf": "PDF", "image/png": "PNG", "image/jpeg": "JPEG"}


class ProofRefused(BillingError):
    code = "transfer_proof_refused"
    message_es = "El comprobante no sirve: {why_es}."
    message_en = "The proof cannot be used: {why_en}."


def proof_storage() -> Storage:
    """The private storage (a callable, so the model field and its migration name it)."""
    if "private" in settings.STORAGES:
        return storages["private"]
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None) or settings.BASE_DIR / "var" / "private"
    return FileSystemStorage(location=root)


def sniff(content: bytes) -> str | None:
    """PDF, PNG or JPEG as the first bytes say, or None."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _extension(filename: str) -> str:
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


@dataclass(frozen=True)
class CheckedProof:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def _refuse(why_es: str, why_en: str) -> ProofRefused:
    return ProofRefused(field="proof", why_es=why_es, why_en=why_en)


def proof_check(*, filename: str, content: bytes) -> CheckedProof:
    """The proof if it is a whole PDF, PNG or JPEG of at most 5 MB whose name fits it."""
    size = len(content)
    if size == 0:
        raise _refuse("el archivo está vacío", "the file is empty")
    if size > TRANSFER_PROOF_MAX_BYTES:
        mb = TRANSFER_PROOF_MAX_BYTES // (1024 * 1024)
        raise _refuse(f"pesa más de {mb} MB", f"it is larger than {mb} MB")
    content_type = sniff(content)
    if content_type is None:
        raise _refuse(
            "su contenido no es un PDF, un JPEG ni un PNG",
            "its content is not a PDF, a JPEG or a PNG",
        )
    name = NAMES[content_type]
    filename = stored_filename(filename, fallback="comprobante")  # the name kept is the one checked
    extension = _extension(filename)
    if extension and extension not in EXTENSIONS[content_type]:
        raise _refuse(
            f"el nombre termina en .{extension} pero el contenido es {name}",
            f"its name ends in .{extension} but its content is {name}",
        )
    if content_type == "application/pdf":
        if b"%%EOF" not in content[-1024:]:
            raise _refuse("el PDF está incompleto", "the PDF is incomplete")
    else:
        try:
            with Image.open(io.BytesIO(content)) as image:
                image.verify()
        except (
            UnidentifiedImageError,
            OSError,
            SyntaxError,
            ValueError,
            Image.DecompressionBombError,
        ):
            raise _refuse(f"la imagen {name} está dañada", f"the {name} image is damaged") from None
    if not extension:
        filename = f"{filename}.{EXTENSIONS[content_type][0]}"
    return CheckedProof(
        filename=filename,
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )
