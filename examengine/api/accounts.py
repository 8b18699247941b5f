"""Auth tokens and users (API.md: Conventions, Users)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.requests import Request
from starlette.responses import Response

from examengine.accounts import credentials, login, password_links, service
from examengine.accounts.models import CredentialKind
from examengine.api.schemas import (
    NO_NUL,
    Strict,
    TokenOut,
    TokenRequest,
    TokenUser,
    UserCreate,
    UserList,
    UserOut,
    UserQuery,
)
from examengine.api.spec import json_response, operation
from examengine.http.mail import send_after
from examengine.http.public_url import mail_base
from examengine.http.request import client_address, current_user, services


class NewUser(UserCreate):
    # The document says what the validator below checks: never `invite: true` with a password.
    model_config = ConfigDict(
        json_schema_extra={
            "not": {
                "required": ["invite", "password"],
                "properties": {"invite": {"const": True}, "password": {"type": "string"}},
            }
        }
    )

    invite: bool = False  # mail the user a link to set their own password (valid 7 days); then give no password

    @model_validator(mode="after")
    def _invite_without_password(self) -> NewUser:
        if self.invite and self.password is not None:
            raise ValueError("an invited user sets their own password: give either invite or password, not both")
        return self


def user_out(user: service.UserView) -> UserOut:
    return UserOut(id=user.id, email=user.email, name=user.name, roles=list(user.roles), disabled=user.disabled)


@operation(tags=["auth"], body=TokenRequest, responses={201: TokenOut}, errors=(401, 429), secured=False)
async def create_token(request: Request, body: TokenRequest) -> Response:
    """Exchange an email and password for a bearer token carrying the user's roles."""
    ctx = services(request)
    result = await login.log_in(
        ctx.db,
        ctx.passwords,
        ctx.settings.throttle,
        email=body.email,
        password=body.password,
        address=client_address(request),
        device_token=None,
        kind=CredentialKind.API,
        lifetime=timedelta(hours=ctx.settings.api_token_hours),
    )
    user = TokenUser(id=result.user.id, email=result.user.email, roles=list(result.user.roles))
    return json_response(
        TokenOut(token=result.credential.token, expires_at=result.credential.expires_at, user=user), 201
    )


@operation(tags=["auth"], responses={204: None})
async def revoke_token(request: Request) -> Response:
    """Revoke the bearer token this request carries."""
    who = current_user(request)
    await services(request).db.run(credentials.revoke, token_hash=who.token_hash)
    return Response(status_code=204)


@operation(tags=["users"], body=NewUser, responses={201: UserOut}, errors=(409,))
async def create_user(request: Request, body: NewUser) -> Response:
    """Create a user with roles (admin). With `invite: true` (and no password) the user is mailed a link to set
    their own password, valid for 7 days."""
    ctx = services(request)
    if body.invite:
        invitation = await ctx.db.run(
            password_links.invite,
            settings=ctx.settings,
            email=body.email,
            name=body.name,
            roles=list(body.roles),
            actor_id=current_user(request).user_id,
            base_url=mail_base(request),
        )
        return send_after(request, json_response(user_out(invitation.user), 201), [invitation.mail_id])
    password_hash = await ctx.passwords.hash_off_loop(body.password) if body.password else None
    user = await ctx.db.run(
        service.create_user,
        email=body.email,
        name=body.name,
        roles=body.roles,
        password_hash=password_hash,
        actor_id=current_user(request).user_id,
    )
    return json_response(user_out(user), 201)


@operation(tags=["users"], query=UserQuery, responses={200: UserList})
async def list_users(request: Request, query: UserQuery) -> Response:
    """Users by email, filtered by role and text, a page at a time."""
    page = await services(request).db.read(
        service.list_users, role=query.role, q=query.q, cursor=query.cursor, limit=query.limit
    )
    return json_response(UserList(items=[user_out(u) for u in page.items], next_cursor=page.next_cursor))


class PasswordIn(Strict):
    password: str = Field(min_length=12, max_length=256, pattern=NO_NUL)


class PasswordSetOut(BaseModel):
    user_id: str
    ended_credentials: int  # sessions and API tokens of the user that stopped working


@operation(tags=["users"], body=PasswordIn, responses={200: PasswordSetOut}, errors=(404,))
async def set_password(request: Request, body: PasswordIn) -> Response:
    """Set a user's password (admin): every session and API token of that user ends (the admin's own request
    keeps working when they set their own)."""
    ctx, who = services(request), current_user(request)
    user_id = request.path_params["user_id"]
    password_hash = await ctx.passwords.hash_off_loop(body.password)
    ended = await ctx.db.run(
        service.change_password,
        user_id=user_id,
        password_hash=password_hash,
        actor_id=who.user_id,
        keep_token_hash=who.token_hash if user_id == who.user_id else None,
    )
    return json_response(PasswordSetOut(user_id=user_id, ended_credentials=ended))
