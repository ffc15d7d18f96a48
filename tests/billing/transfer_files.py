"""Real proof files for the bank transfer tests: a PDF, a PNG and a JPEG drawn with Pillow,
and things that only pretend to be one."""

import io

from PIL import Image


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (20, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 120, 20)).save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (255, 255, 255)).save(buffer, format="PDF")
    return buffer.getvalue()


# The first bytes of a Linux executable (ELF) and of a Windows one (MZ).
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56 + b"\x90" * 200
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200


def big_pdf(size: int) -> bytes:
    """A PDF of exactly `size` bytes (padding in a comment before its end)."""
    head = b"%PDF-1.4\n%"
    tail = b"\n%%EOF\n"
    return head + b"a" * (size - len(head) - len(tail)) + tail
