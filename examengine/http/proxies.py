"""Forwarded headers are believed only from the reverse proxies named in EXAMENGINE_TRUSTED_PROXIES.

The client address feeds the login and verification throttles, the audit trail and the device lock; the scheme
feeds the CSRF origin check and cookie flags. A client talking to the engine directly (or through a proxy that is not
trusted) could otherwise pick its own address with `X-Forwarded-For` and walk around every per-address limit. When
the connecting peer is a trusted proxy, the client is the nearest address in the chain that is not itself a trusted
proxy (RFC 7239 `Forwarded` first, then `X-Forwarded-For`, then `X-Real-IP`), and the scheme comes from
`Forwarded: proto=` or `X-Forwarded-Proto`. From anyone else these headers are removed before any route sees them,
and the request is marked so that nothing (a certificate's public link) is built from its Host header.

uvicorn's own `--proxy-headers` handling (which trusts 127.0.0.1 by default) is switched off where the engine
starts uvicorn (`examengine serve`, the Procfile), so this is the one place that decides.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS = frozenset(
    {b"forwarded", b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"x-real-ip"}
)
UNTRUSTED_FORWARDING = "examengine.untrusted_forwarding"
_FOR = re.compile(r'(?:^|;)\s*for\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)
_PROTO = re.compile(r'(?:^|;)\s*proto\s*=\s*("[^"]*"|[^;,\s]*)', re.IGNORECASE)


def _ip(raw: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = raw.strip().strip('"')
    if value.startswith("["):  # "[2001:db8::1]:4711"
        value = value[1 : value.find("]")] if "]" in value else ""
    elif value.count(":") == 1:  # "192.0.2.1:4711"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def is_trusted(address: str | None, proxies: Sequence[Network]) -> bool:
    found = _ip(address or "")
    return found is not None and any(found in network for network in proxies)


def _client_from_chain(chain: list[str], proxies: Sequence[Network]) -> str | None:
    """The nearest hop that is not a trusted proxy, reading the chain from the right (the nearest proxy appends)."""
    addresses = [_ip(hop) for hop in chain]
    for address in reversed(addresses):
        if address is None:
            return None  # an obfuscated or garbled hop: do not guess past it
        if not any(address in network for network in proxies):
            return str(address)
    return str(addresses[0]) if addresses and addresses[0] is not None else None


def _forwarded_client(headers: dict[bytes, str], proxies: Sequence[Network]) -> tuple[str | None, str | None]:
    """(client address, scheme) from the forwarding headers a trusted proxy sent."""
    client = scheme = None
    if headers.get(b"forwarded"):
        elements = headers[b"forwarded"].split(",")
        chain = [m.group(1) for element in elements if (m := _FOR.search(element))]
        client = _client_from_chain(chain, proxies) if chain else None
        protos = [m.group(1).strip('"') for element in elements if (m := _PROTO.search(element))]
        scheme = protos[-1] if protos else None
    if client is None and headers.get(b"x-forwarded-for"):
        client = _client_from_chain(headers[b"x-forwarded-for"].split(","), proxies)
    if client is None and headers.get(b"x-real-ip"):
        found = _ip(headers[b"x-real-ip"])
        client = str(found) if found is not None else None
    if scheme is None and headers.get(b"x-forwarded-proto"):
        scheme = headers[b"x-forwarded-proto"].split(",")[-1].strip()
    scheme = scheme.lower() if scheme else None
    return client, scheme if scheme in ("http", "https") else None


class TrustedProxyHeaders:
    """ASGI middleware: apply forwarded headers from trusted proxies, drop them from everyone else."""

    def __init__(self, app: ASGIApp, proxies: Sequence[Network]) -> None:
        self.app = app
        self.proxies = tuple(proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        forwarding: dict[bytes, str] = {}
        for name, value in raw_headers:
            if name.lower() in FORWARDING_HEADERS:  # repeated headers form one list, as RFC 9110 says
                key = name.lower()
                forwarding[key] = (
                    f"{forwarding[key]},{value.decode('latin-1')}" if key in forwarding else value.decode("latin-1")
                )
        if not forwarding:
            await self.app(scope, receive, send)
            return
        peer = scope.get("client")
        scope = dict(scope)
        scope["headers"] = [(name, value) for name, value in raw_headers if name.lower() not in FORWARDING_HEADERS]
        if peer and is_trusted(peer[0], self.proxies):
            client, scheme = _forwarded_client(forwarding, self.proxies)
            if client is not None:
                scope["client"] = (client, 0)
            if scheme is not None:
                scope["scheme"] = scheme if scope["type"] == "http" else {"http": "ws", "https": "wss"}[scheme]
        else:
            scope[UNTRUSTED_FORWARDING] = True
        await self.app(scope, receive, send)
