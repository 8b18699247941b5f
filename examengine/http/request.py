"""The request's shared services and its signed-in principal (set by the URL table's guard, web/auth.py)."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from examengine.accounts.credentials import CredentialCheck, Principal
from examengine.accounts.models import CredentialKind, Role
from examengine.context import Services
from examengine.errors import NotAuthenticated


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def principal(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def current_user(request: Request) -> Principal:
    """The signed-in principal of a route whose access rule requires one."""
    found = principal(request)
    if found is None:
        raise NotAuthenticated("Sign in first.")
    return found


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def credential_check(request: Request) -> CredentialCheck | None:
    """For a route marked `rechecked` in the URL table: what its guarded write must re-check of the credential the
    request came with (which may have been revoked since this process last read it) and of the role its access
    rule names. None for any other route: its principal was read for this very request."""
    role: Role | None = getattr(request.state, "recheck_role", None)
    if role is None:
        return None
    who = current_user(request)
    idle = timedelta(minutes=services(request).settings.session_idle_minutes)
    return CredentialCheck(who.token_hash, who.kind, role, idle if who.kind == CredentialKind.WEB else None)
