"""Signing in and out, and the home page that leads each role to its work."""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.accounts import credentials, login
from examengine.accounts.models import CredentialKind, Role
from examengine.errors import DomainError, InvalidInput, NotAuthenticated, Throttled
from examengine.http.request import client_address, current_user, principal, services
from examengine.web.auth import DEVICE_COOKIE, SESSION_COOKIE
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

DEVICE_COOKIE_DAYS = 365
PASSWORD_SET = "Your password is set. Sign in with it."


def safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


async def home(request: Request) -> Response:
    who = principal(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "home.html", {"roles": sorted(r.value for r in who.roles), "Role": Role})


async def login_page(request: Request) -> Response:
    if principal(request) is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    notice = PASSWORD_SET if request.query_params.get("password") == "set" else None
    context = {"next": safe_next(request.query_params.get("next")), "email": "", "error": None, "notice": notice}
    return render(request, "login.html", context)


async def login_submit(request: Request) -> Response:
    ctx = services(request)
    form = await read_form(request)
    email = text_field(form, "email")
    next_path = safe_next(text_field(form, "next"))
    try:
        result = await login.log_in(
            ctx.db,
            ctx.passwords,
            ctx.settings.throttle,
            email=email,
            password=text_field(form, "password"),
            address=client_address(request),
            device_token=request.cookies.get(DEVICE_COOKIE),
            kind=CredentialKind.WEB,
            lifetime=timedelta(hours=ctx.settings.session_max_hours),
        )
    except (InvalidInput, NotAuthenticated, Throttled) as error:
        status = 429 if isinstance(error, Throttled) else 401 if isinstance(error, NotAuthenticated) else 422
        headers = {"Retry-After": str(error.retry_after_seconds)} if isinstance(error, Throttled) else None
        return render(
            request,
            "login.html",
            {"next": next_path, "email": email, "error": error.message, "notice": None},
            status_code=status,
            headers=headers,
        )
    old_token = request.cookies.get(SESSION_COOKIE)
    if old_token:
        await ctx.db.run(credentials.revoke, token=old_token)
    response = RedirectResponse(next_path, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        SESSION_COOKIE,
        result.credential.token,
        max_age=ctx.settings.session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    if result.device_token:
        response.set_cookie(
            DEVICE_COOKIE,
            result.device_token,
            max_age=DEVICE_COOKIE_DAYS * 86400,
            httponly=True,
            samesite="lax",
            secure=secure,
        )
    return response


async def logout(request: Request) -> Response:
    who = principal(request)
    if who is not None:
        await services(request).db.run(credentials.revoke, token_hash=who.token_hash)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="lax")
    return response


async def account_page(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    notice = "Password changed: you are signed out everywhere else." if request.query_params.get("done") else None
    return render(request, "account.html", {"error": error, "notice": notice}, status_code=status_code)


async def change_password(request: Request) -> Response:
    """The signed-in user's own password change; every other session and token of theirs ends."""
    ctx, who = services(request), current_user(request)
    form = await read_form(request)
    try:
        await login.change_own_password(
            ctx.db,
            ctx.passwords,
            ctx.settings.throttle,
            user_id=who.user_id,
            email=who.email,
            address=client_address(request),
            current=text_field(form, "current_password"),
            new=text_field(form, "new_password"),
            keep_token_hash=who.token_hash,
        )
    except Throttled as error:
        return await account_page(request, error=error.message, status_code=429)
    except DomainError as error:
        return await account_page(request, error=error.message, status_code=422)
    return RedirectResponse("/account?done=password", status_code=303)
