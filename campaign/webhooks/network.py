"""One outgoing HTTP POST that cannot be turned against the server's own network (SSRF).

The host name is resolved here and the address checked at connection time, and the socket
is opened to that very address, so a name that resolves to a private address, or changes
its answer between a check and the connection (DNS rebinding), is refused all the same.
Private, loopback, link-local, shared, reserved and multicast addresses are refused unless
WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on. Redirects are not followed; the answer is read up to
a size limit, everything under one timeout per network operation.
"""
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit


class RefusedAddress(OSError):
    """The endpoint's address is one outgoing requests may not reach."""


class AnswerTooLarge(OSError):
    pass


@dataclass(frozen=True)
class Answer:
    status: int
    #: The start of the body, for the delivery log.
    text: str


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _connect(host: str, port: int, timeout: float, allow_private: bool) -> socket.socket:
    refused = None
    for family, kind, proto, _name, address in socket.getaddrinfo(host, port,
                                                                  type=socket.SOCK_STREAM):
        if not allow_private and not is_public(address[0]):
            refused = RefusedAddress(f"{host} resolves to {address[0]}, a private address")
            continue
        sock = socket.socket(family, kind, proto)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as error:
            sock.close()
            refused = error
            continue
        return sock
    raise refused or OSError(f"{host} has no address")


def post(url: str, body: bytes, headers: dict, timeout: float, max_bytes: int,
         allow_private: bool = False) -> Answer:
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    sock = _connect(parts.hostname or "", port, timeout, allow_private)
    if secure:
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
    connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    connection.sock = sock
    try:
        path = parts.path or "/"
        connection.request("POST", path + (f"?{parts.query}" if parts.query else ""), body=body,
                           headers=headers)
        response = connection.getresponse()
        content = response.read(max_bytes + 1)
        if len(content) > max_bytes:
            raise AnswerTooLarge(f"the answer was larger than {max_bytes} bytes")
        return Answer(response.status, content[:200].decode("utf-8", "replace"))
    finally:
        connection.close()
