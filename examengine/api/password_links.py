"""Password reset by mail (API.md: Running the program): ask for a link, then use it."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from examengine.accounts import password_links
from examengine.api.schemas import NO_NUL, Strict
from examengine.api.spec import json_response, operation
from examengine.http.mail import send_after
from examengine.http.public_url import mail_base
from examengine.http.request import client_address, services


class ResetRequest(Strict):
    email: str = Field(min_length=1, max_length=320, pattern=NO_NUL)


class ResetAccepted(BaseModel):
    message: str


class ResetConfirm(Strict):
    token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)
    password: str = Field(min_length=12, max_length=256, pattern=NO_NUL)  # the password policy's bounds


class PasswordSetByLink(BaseModel):
    email: str  # the account whose password was set: sign in with it


@operation(tags=["auth"], body=ResetRequest, responses={202: ResetAccepted}, errors=(429,), secured=False)
async def request_reset(request: Request, body: ResetRequest) -> Response:
    """Mail a single-use link to set a new password: 202 whatever the address (no account is revealed), 429 with
    Retry-After over the per-address or per-account budget, whatever the address."""
    ctx = services(request)
    mail_ids = await ctx.db.run(
        password_links.request_reset,
        settings=ctx.settings,
        email=body.email,
        address=client_address(request),
        base_url=mail_base(request),
    )
    return send_after(request, json_response(ResetAccepted(message=password_links.REQUEST_ACCEPTED), 202), mail_ids)


@operation(tags=["auth"], body=ResetConfirm, responses={200: PasswordSetByLink}, errors=(404, 409), secured=False)
async def confirm_reset(request: Request, body: ResetConfirm) -> Response:
    """Set a new password with a reset or invitation link's token: every session and token of the account ends.
    404 `invalid_token` (unknown), 409 `token_used` or `token_expired`, 422 `weak_password`."""
    ctx = services(request)
    email = await password_links.set_password_by_link(ctx.db, ctx.passwords, token=body.token, password=body.password)
    return json_response(PasswordSetByLink(email=email))
