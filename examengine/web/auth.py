"""Authentication, role checks and CSRF protection, applied to every route by the URL table."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from examengine.accounts import credentials
from examengine.accounts.credentials import Principal
from examengine.accounts.models import CredentialKind
from examengine.audit.refusals import record_denied
from examengine.clock import utcnow
from examengine.errors import Forbidden, NotAuthenticated
from examengine.http.request import client_address, services
from examengine.web import branding
from examengine.web.access import Access

SESSION_COOKIE = "ee_session"
CSRF_COOKIE = "ee_csrf"
DEVICE_COOKIE = "ee_device"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
Endpoint = Callable[[Request], Awaitable[Response]]


def is_api(request: Request) -> bool:
    return str(request.scope["path"]).startswith("/api/")


async def authenticate(request: Request, *, rechecked: bool = False) -> Principal | None:
    """Bearer tokens on the JSON API, the session cookie on pages; anything else is anonymous. A route whose own
    write re-checks the credential (`rechecked`, see credential_check) may take the principal this process
    resolved for the same token within the last minute instead of reading it again."""
    ctx = services(request)
    if is_api(request):
        scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
        token, kind, idle = bearer.strip(), CredentialKind.API, None
        if scheme.lower() != "bearer" or not token:
            return None
    else:
        token, kind = request.cookies.get(SESSION_COOKIE, ""), CredentialKind.WEB
        idle = timedelta(minutes=ctx.settings.session_idle_minutes)
        if not token:
            return None
    now = utcnow()
    found = credentials.recent(ctx.db.caches, token, kind, now) if rechecked else None
    if found is None:
        found = await ctx.db.read_core_hot(credentials.resolve, token=token, kind=kind, idle_timeout=idle, now=now)
        if found is not None:
            credentials.remember(ctx.db.caches, found)
    if (
        found is not None
        and kind == CredentialKind.WEB
        and credentials.needs_touch(last_seen_at=found.last_seen_at, now=now)
    ):
        await ctx.db.run_core(credentials.touch, token_hash=found.token_hash, now=now)
        found = replace(found, last_seen_at=now)
        credentials.remember(ctx.db.caches, found)
    return found


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def anonymous_csrf_token(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or ""


async def verify_csrf(request: Request, who: Principal | None) -> None:
    """Refuse a state-changing page request without this session's CSRF token or from a foreign origin."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin != own_origin(request):
        raise Forbidden("This request came from another site and was refused.", code="csrf_failed")
    expected = who.csrf_token if who else anonymous_csrf_token(request)
    provided = request.headers.get(CSRF_HEADER)
    if not provided:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            field = form.get(CSRF_FIELD)
            provided = field if isinstance(field, str) else None
    if not expected or not provided or not hmac.compare_digest(expected.encode(), provided.encode()):
        raise Forbidden(
            "The form had expired or did not come from this site. Reload the page and try again.",
            code="csrf_failed",
        )


def guard(endpoint: Endpoint, access: Access, *, rechecked: bool = False) -> Endpoint:
    """Wrap an endpoint with authentication, its access rule and (for pages) CSRF checks. `rechecked`: the
    endpoint's own write re-checks the request's credential (credential_check), so its principal may be the one
    this process resolved a moment ago; its access names the one role that write re-checks."""
    if rechecked and len(access.roles) != 1:
        raise ValueError("a rechecked route's access names exactly one role: the one its write re-checks")
    recheck_role = next(iter(access.roles)) if rechecked else None

    @functools.wraps(endpoint)
    async def guarded(request: Request) -> Response:
        who = await authenticate(request, rechecked=rechecked)
        request.state.principal = who
        request.state.recheck_role = recheck_role
        if not is_api(request):
            await branding.load(request)
        try:
            if access.signed_in:
                if who is None:
                    raise NotAuthenticated("Sign in to continue.")
                if access.roles and not who.has_any(access.roles):
                    raise Forbidden(f"This needs the {access.describe()} role.", code="role_required")
            if request.method not in SAFE_METHODS and not is_api(request):
                await verify_csrf(request, who)
            return await endpoint(request)
        except Forbidden as refusal:
            await services(request).db.run(
                record_denied,
                actor_id=who.user_id if who else None,
                method=request.method,
                path=request.url.path,
                code=refusal.code,
                address=client_address(request),
            )
            raise
        finally:
            await request.close()  # an uploaded form's spooled files are closed now, not by the garbage collector

    guarded.access = access  # type: ignore[attr-defined]
    return guarded


def new_csrf_cookie_value() -> str:
    return secrets.token_urlsafe(32)
