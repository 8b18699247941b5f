"""Where the public reaches this engine, for the links a certificate carries (its QR code, the API's verify_url)."""

from __future__ import annotations

import re

from starlette.requests import Request

from examengine.http.proxies import UNTRUSTED_FORWARDING
from examengine.http.request import services

_HOST = re.compile(
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?\.?)+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?"
)


def public_base(request: Request) -> str:
    """Where the public reaches this engine: EXAMENGINE_PUBLIC_URL; without it the address this request came to, but
    never a malformed Host header nor one relayed by a proxy that is not trusted (then the server's own address)."""
    configured = services(request).settings.public_url
    if configured:
        return configured
    host = request.headers.get("host", "")
    if _HOST.fullmatch(host) and not request.scope.get(UNTRUSTED_FORWARDING):
        return f"{request.url.scheme}://{host}"
    return _own_address(request)


def _own_address(request: Request) -> str:
    server = request.scope.get("server") or ("localhost", None)
    port = f":{server[1]}" if server[1] and server[1] not in (80, 443) else ""
    return f"{request.url.scheme}://{server[0]}{port}"


def mail_base(request: Request) -> str:
    """The base of the links a mail carries (a password link's secret goes to whoever that host is): only
    EXAMENGINE_PUBLIC_URL, else the address the server itself listens on, never a Host header (whoever asks for a
    reset of someone else's account chooses that header)."""
    return services(request).settings.public_url or _own_address(request)
