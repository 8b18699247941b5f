"""Forgot your password? Ask for a link by mail, then set a new password on the page the link opens (the same page
sets an invited user's first password)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.accounts import password_links
from examengine.accounts.models import TokenPurpose
from examengine.errors import Conflict, InvalidInput, NotFound, Throttled
from examengine.http.mail import send_after
from examengine.http.public_url import mail_base
from examengine.http.request import client_address, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

# The page's address holds the link's secret: no request from it names that address to anyone.
NO_REFERRER = {"Referrer-Policy": "no-referrer"}


async def forgot_page(request: Request) -> Response:
    sent = password_links.REQUEST_ACCEPTED if request.query_params.get("sent") else None
    return render(request, "password_forgot.html", {"email": "", "error": None, "notice": sent})


async def forgot_submit(request: Request) -> Response:
    ctx = services(request)
    form = await read_form(request)
    email = text_field(form, "email")
    try:
        mail_ids = await ctx.db.run(
            password_links.request_reset,
            settings=ctx.settings,
            email=email,
            address=client_address(request),
            base_url=mail_base(request),
        )
    except Throttled as error:
        context = {"email": email, "error": error.message, "notice": None}
        headers = {"Retry-After": str(error.retry_after_seconds)}
        return render(request, "password_forgot.html", context, status_code=429, headers=headers)
    return send_after(request, RedirectResponse("/forgot-password?sent=1", status_code=303), mail_ids)


async def _reset_form(request: Request, token: str, *, error: str | None, status_code: int) -> Response:
    purpose: TokenPurpose | None = None
    link_error: str | None = None
    try:
        purpose = await services(request).db.read(password_links.check_link, token=token)
    except (NotFound, Conflict) as refusal:
        link_error, status_code = refusal.message, status_for(refusal)
    context = {"token": token, "purpose": purpose, "error": error or link_error, "link_error": link_error}
    return render(request, "password_reset.html", context, status_code=status_code, headers=NO_REFERRER)


async def reset_page(request: Request) -> Response:
    return await _reset_form(request, request.query_params.get("token", "")[:500], error=None, status_code=200)


async def reset_submit(request: Request) -> Response:
    ctx = services(request)
    form = await read_form(request)
    token = text_field(form, "token")
    password = text_field(form, "password")
    if password != text_field(form, "password_again"):
        return await _reset_form(request, token, error="The two passwords are not the same.", status_code=422)
    try:
        await password_links.set_password_by_link(ctx.db, ctx.passwords, token=token, password=password)
    except (InvalidInput, NotFound, Conflict) as refusal:
        return await _reset_form(request, token, error=refusal.message, status_code=status_for(refusal))
    return RedirectResponse("/login?password=set", status_code=303)
