"""ASGI middleware: security headers on every response and a cap on request body size."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from examengine.ids import random_token

# Scripts run only with this response's nonce, not merely from 'self': a file that slipped into the media store
# (or any other same-origin URL) can never be loaded as a script. `{nonce}` is filled per request. Styles: our files,
# and the one <style> element the item editor's Trix writes, which carries the nonce.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CSP_NONCE = "csp_nonce"  # the key of the request's nonce in scope["state"]: templates put it on <script> tags
# A response that asked for no nonce (JSON, a redirect, a file) runs no script and applies no style at all.
NO_SCRIPT_POLICY = CONTENT_SECURITY_POLICY.replace("'nonce-{nonce}'", "'none'").replace("'self' 'none'", "'self'")


def csp_nonce(scope: Scope) -> str:
    """This request's script nonce, made on first use (a page's template asks; SecurityHeaders names it in the
    policy): a response that never asks pays for no random bytes and allows no script."""
    state = scope.setdefault("state", {})
    nonce = state.get(CSP_NONCE)
    if nonce is None:
        nonce = state[CSP_NONCE] = random_token(18)
    return str(nonce)


# What every response carries unless the route set it itself, encoded once (built per response, this list was a
# few percent of a save's CPU).
ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
NO_SCRIPT_HEADER = (b"content-security-policy", NO_SCRIPT_POLICY.encode())
HSTS = (b"strict-transport-security", b"max-age=63072000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")


class SecurityHeaders:
    """CSP without inline scripts or eval, nosniff, no framing, no referrer leaks; no-store on dynamic pages."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope["path"].startswith("/static/")
        state = scope.setdefault("state", {})
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                nonce = state.get(CSP_NONCE)
                policy = (
                    NO_SCRIPT_HEADER
                    if nonce is None
                    else (b"content-security-policy", CONTENT_SECURITY_POLICY.format(nonce=nonce).encode())
                )
                extra = [policy, *ALWAYS]
                if https:
                    extra.append(HSTS)
                if not is_static:
                    extra.append(NO_STORE)
                headers.extend(pair for pair in extra if pair[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RefuseNulInUrl:
    """A NUL byte in a URL has no use and PostgreSQL text cannot hold one: refuse it with 400 at the door."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").lower()
            if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
                await send_json_error(send, 400, "malformed_input", "The address contains a NUL character.")
                return
        await self.app(scope, receive, send)


async def send_json_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimit:
    """Refuse bodies over the cap with 413 before reading them (a declared length) or while reading (chunked)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send)
        except BodyTooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        limit_mib = self.max_bytes // (1024 * 1024)
        body = json.dumps(
            {"error": {"code": "too_large", "message": f"The request is larger than {limit_mib} MiB.", "details": {}}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    pass
