"""Where a webhook may go, and the connection that goes there.

A destination's host is resolved and every address it resolves to must be public: private,
loopback, link-local, shared (carrier-grade NAT), multicast, reserved and unspecified
addresses are refused, and IPv6 ones that carry such an IPv4 address (an endpoint must not
make this server reach its own network, or a cloud metadata service),
unless `WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS` (tests, and installations whose integrators
live inside their network). The check runs at registration and again at every delivery,
since DNS may change, and the request connects to the very address that was checked.
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
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
    if not url.isprintable() or any(character.isspace() for character in url):
        raise DestinationRefused(field="url", url=url.encode("unicode_escape").decode())
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


# Not globally reachable (IANA), though the registry tables of Python before 3.12.4 say so.
_NOT_GLOBAL_TOO = (ipaddress.ip_network("192.0.0.0/24"),)
# NAT64 prefixes (RFC 6052, RFC 8215): the gateway connects to the IPv4 address in the last
# 32 bits, inside the network too, so that address decides.
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _internal(address: str) -> bool:
    """Anything not reachable on the public internet: private, loopback, link-local,
    multicast, reserved (`::/8`, IPv4-compatible addresses among them) and unspecified
    addresses, and what else IANA's special-purpose registry says is not global (as
    `is_global` knows it: carrier-grade NAT's 100.64/10, 192.0.0/24); an IPv6 address that
    carries an IPv4 one (mapped, NAT64) is that IPv4 address, and one that wraps an internal
    IPv4 address (6to4, Teredo) is internal."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return _internal(str(ip.ipv4_mapped))
        if any(ip in prefix for prefix in _NAT64):
            return _internal(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        wrapped = ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if wrapped is not None and _internal(str(wrapped)):
            return True
    return (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or any(ip in net for net in _NOT_GLOBAL_TOO)
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
    """POST `body`; returns (status code, the first bytes of the answer).

    `timeout` bounds the whole exchange. A socket's timeout bounds each read only, so a
    receiver that sent a line now and then could hold the worker for as long as it liked:
    when the time is up, the connection is shut, and the attempt fails with TimeoutError."""
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout)
    expired = threading.Event()
    too_late = f"no complete answer within {timeout:g} s"

    def cut_off() -> None:
        expired.set()
        if connection.sock is not None:
            with contextlib.suppress(OSError):  # closed meanwhile
                connection.sock.shutdown(socket.SHUT_RDWR)

    deadline = threading.Timer(timeout, cut_off)
    deadline.daemon = True
    deadline.start()
    try:
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
        except (OSError, http.client.HTTPException) as failure:
            if expired.is_set():
                raise TimeoutError(too_late) from failure
            raise
        if expired.is_set():  # the answer's end was the shutdown's, not the receiver's
            raise TimeoutError(too_late)
        return response.status, excerpt
    finally:
        deadline.cancel()
        connection.close()
