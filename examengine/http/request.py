"""The request's shared services and its signed-in principal (set by the URL table's guard, web/auth.py)."""

from __future__ import annotations

from starlette.requests import Request

from examengine.accounts.credentials import Principal
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
