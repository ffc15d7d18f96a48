"""Where a webhook may go, and the connection that goes there.

A destination's host is resolved and every address it resolves to must be public: private,
loopback, link-local, multicast, reserved and unspecified addresses are refused (an
endpoint must not make this server reach its own network, or a cloud metadata service),
unless `WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS` (tests, and installations whose integrators
live inside their network). The check runs at registration and again at every delivery,
since DNS may change, and the request connects to the very address that was checked.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from webhooks.exceptions import DestinationRefused


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the connection goes to


def destination_resolve(url: str) -> Destination:
    try:
        parts = urlsplit(url)
        given_port = parts.port  # a port out of range, or not a number, raises here
    except ValueError:  # and an unclosed IPv6 bracket in urlsplit
        raise DestinationRefused(field="url", url=url) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused(field="url", url=url)
    port = given_port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DestinationRefused(field="url", url=url) from None
    addresses = [info[4][0] for info in infos]
    if not settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS and any(
        _internal(address) for address in addresses
    ):
        raise DestinationRefused(field="url", url=url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, parts.hostname, port, path, addresses[0])


def _internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self._address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(destination: Destination, *, body: str, headers: dict[str, str], timeout: float):
    """POST `body`; returns (status code, the first bytes of the answer)."""
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout)
    try:
        connection.request(
            "POST",
            destination.path,
            body=body.encode(),
            headers={
                **headers,
                "Content-Type": "application/json",
                "User-Agent": "Creditdesk-Webhooks/1",
            },
        )
        response = connection.getresponse()
        excerpt = response.read(2048).decode("utf-8", "replace")
        return response.status, excerpt
    finally:
        connection.close()
