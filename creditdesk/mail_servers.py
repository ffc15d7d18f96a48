"""The authserv-ids of the mail servers that receive support mail (`MAIL_AUTHSERV_ID`,
`tickets.mail.sender_authenticated`). Imported by the settings: no Django settings access
here."""

import re

from django.core.exceptions import ImproperlyConfigured

# An authserv-id is a domain name in practice (RFC 8601 allows any token, and mail servers
# write their host name): letters, digits, dots, hyphens.
AUTHSERV_ID = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?")


def authserv_ids(value: str) -> tuple[str, ...]:
    """The ids in `value`, comma-separated, in lower case (servers write them in any case).
    A value written another way (spaces or semicolons between ids, quotes) is refused at
    start-up: read as one id that no server writes, it would set every mail aside."""
    ids = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    if value.strip() and not ids:
        # Read as unset, it would turn the check off: every From believed.
        raise ImproperlyConfigured(
            f"MAIL_AUTHSERV_ID: {value!r} names no server; leave it empty to turn the check off"
        )
    for server in ids:
        if not AUTHSERV_ID.fullmatch(server):
            raise ImproperlyConfigured(
                f"MAIL_AUTHSERV_ID: {server!r} is not an authserv-id; separate several with "
                "commas, e.g. mx1.example.com,mx2.example.com"
            )
    return ids
