"""Private file storage: files kept on disk but never served at a public address.

Ticket attachments live here (`settings.STORAGES["private"]`, under
`settings.PRIVATE_MEDIA_ROOT`); they are read only through views that first apply the same
access rules as the ticket they belong to, so `url()` refuses: there is no address to leak.
"""

import logging
import re
import unicodedata
from pathlib import Path
from typing import Any, cast

from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)


def stored_file_open(stored: File) -> File:
    """`stored` (a model's file field) opened for reading, for a download; a 404 when its row
    names a file the disk does not have (the media not restored with the database), logged
    for the operator as the error it is."""
    try:
        return stored.open("rb")
    except FileNotFoundError:
        logger.error("stored file missing: %s", stored.name)
        raise Http404 from None


class PrivateStorage(FileSystemStorage):
    """A `FileSystemStorage` rooted at `PRIVATE_MEDIA_ROOT` (not `MEDIA_ROOT`), with no URL."""

    @cached_property
    def base_location(self) -> str:
        from django.conf import settings

        default = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
        if default is None:  # a settings module without the entry: beside MEDIA_ROOT
            default = Path(settings.MEDIA_ROOT).parent / "private"
        location = self._location  # type: ignore[attr-defined]  # FileSystemStorage's own
        return str(self._value_or_setting(location, default))

    def _clear_cached_properties(self, setting: Any, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no public address; serve them through a view.")


def private_storage() -> FileSystemStorage:
    """The storage of `STORAGES["private"]` (a callable, so models and migrations name it);
    a `PrivateStorage` when the settings name none."""
    from django.conf import settings

    if "private" in settings.STORAGES:
        return cast(FileSystemStorage, storages["private"])
    return _fallback


_fallback = PrivateStorage()


FILENAME_MAX = 100


def stored_filename(name: str | None, *, fallback: str) -> str:
    """A name a person gave a file, safe to store and show: the last path part only (no
    `..`, `/`, `\\`), no control or format characters (PostgreSQL refuses a NUL in text), no
    leading dots, at most `FILENAME_MAX` characters keeping the extension; `fallback` when
    nothing is left."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] not in {"C", "Z"} or ch == " ")
    base = base.strip().lstrip(".").strip()
    if len(base) > FILENAME_MAX:
        stem, dot, extension = base.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            base = stem[: FILENAME_MAX - len(extension) - 1] + "." + extension
        else:
            base = base[:FILENAME_MAX]
    return base or fallback
