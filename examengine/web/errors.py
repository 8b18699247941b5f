"""The one mapping from domain errors to HTTP responses: JSON on the API, pages (or fragments) elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match, Route

from examengine.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    MalformedInput,
    NotAuthenticated,
    NotFound,
    ShuttingDown,
    Throttled,
    TooLarge,
    UnsupportedMediaType,
)
from examengine.web.auth import is_api
from examengine.web.templating import is_htmx, render

log = logging.getLogger(__name__)

STATUS_BY_KIND: tuple[tuple[type[DomainError], int], ...] = (
    (MalformedInput, 400),
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (TooLarge, 413),
    (UnsupportedMediaType, 415),
    (InvalidInput, 422),
    (Throttled, 429),
    (ShuttingDown, 503),
)
HTTP_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_attempts",
    500: "server_error",
    503: "unavailable",
}
TITLES = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported format",
    422: "Check your input",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Unavailable",
}


def status_for(error: DomainError) -> int:
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def domain_error_json(error: DomainError) -> JSONResponse:
    """A domain refusal as the JSON a page's script reads (the live channel, the offline kit, the autosave)."""
    return JSONResponse(error_body(error.code, error.message), status_code=status_for(error))


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if is_api(request):
        return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)
    context = {"status": status, "title": TITLES.get(status, "Error"), "message": message, "details": details or {}}
    if is_htmx(request):
        return render(request, "errors/error.html", context, status_code=status, block="message", headers=headers)
    return render(request, "errors/error.html", context, status_code=status, headers=headers)


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    headers = {"Retry-After": str(exc.retry_after_seconds)} if isinstance(exc, Throttled) else None
    if status == 401 and not is_api(request):
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if is_htmx(request):
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(request, status, exc.code, exc.message, exc.details, headers)


def allowed_methods(request: Request) -> str:
    """Every method the address accepts: the URL table has a route per method, and Starlette's 405 names one."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "There is nothing at this address.", 405: "This address does not accept that method."}.get(
        exc.status_code, str(exc.detail)
    )
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(exc.headers or {}), "Allow": allowed_methods(request)}
    return error_response(request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), message, headers=headers)


def _database_busy(exc: Exception) -> bool:
    """SQLite gave up waiting for the write lock (a burst longer than the busy timeout), or PostgreSQL for a lock."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig).lower()
    return "database is locked" in text or "lock timeout" in text


async def on_unexpected_error(request: Request, exc: Exception) -> Response:
    if _database_busy(exc):
        log.warning("Database busy on %s %s: answered 503", request.method, request.url.path)
        return error_response(
            request,
            503,
            "busy",
            "The server is very busy; nothing was changed. Try again in a moment (answers in the exam retry by "
            "themselves).",
            headers={"Retry-After": "2"},
        )
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request,
        500,
        "server_error",
        "The server hit an unexpected problem; nothing you sent was half-saved. Try again.",
    )


EXCEPTION_HANDLERS = {DomainError: on_domain_error, HTTPException: on_http_error}
