"""Open Badges 3.0: a credential as an OpenBadgeCredential and its VC-JWT (holder, admins), the public signing keys,
and the public Bitstring Status Lists (API.md "Credentials")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.public_url import public_base
from examengine.http.request import current_user, services
from examengine.programs import open_badges, signing_keys

VC_JWT = "application/vc+jwt"
JSON_LD = "application/ld+json"
LIST_CACHE = "public, max-age=5"  # computed on every read; a suspension shows within seconds


class SigningKeyOut(BaseModel):
    kid: str
    created_at: datetime


class Document(BaseModel):
    """A JSON document whose members are defined by the standard it follows."""

    model_config = ConfigDict(extra="allow")


def _jwt(token: str, headers: dict[str, str] | None = None) -> Response:
    return Response(token, media_type=VC_JWT, headers=headers)


async def _credential(request: Request, *, signed: bool) -> Any:
    principal = current_user(request)
    ctx = services(request)
    return await (ctx.db.run if signed else ctx.db.read)(  # signing makes the first key
        open_badges.credential_document,
        number=str(request.path_params["number"]),
        user_id=principal.user_id,
        roles=principal.roles,
        base=public_base(request),
        signed=signed,
        now=utcnow(),
    )


@operation(tags=["credentials"], responses={200: Document}, errors=(404,))
async def ob3(request: Request) -> Response:
    """The credential as an Open Badges 3.0 OpenBadgeCredential (VC Data Model 2.0), unsigned. The holder and
    admins only; anyone else gets 404."""
    return JSONResponse(await _credential(request, signed=False), media_type="application/json")


@operation(tags=["credentials"], responses={200: None}, errors=(404,))
async def ob3_jwt(request: Request) -> Response:
    """The same credential as a VC-JWT (compact JWS, header {alg: EdDSA, kid, typ: vc+jwt}, payload the credential),
    served as application/vc+jwt. Verify it with the key of `kid` at /.well-known/jwks.json."""
    return _jwt(await _credential(request, signed=True))


@operation(tags=["credentials"], responses={200: Document}, secured=False)
async def jwks(request: Request) -> Response:
    """The public Ed25519 keys (JWK Set: OKP, Ed25519, kid, alg EdDSA, use sig), retired ones included."""
    found = await services(request).db.read(signing_keys.published)
    return JSONResponse(found, headers={"Cache-Control": "public, max-age=300"})


@operation(tags=["credentials"], responses={200: Document}, errors=(404,), secured=False)
async def status_list(request: Request) -> Response:
    """The BitstringStatusListCredential of `revocation` or `suspension` (404 otherwise), computed at read time.
    With `Accept: application/vc+jwt`, its VC-JWT."""
    signed = VC_JWT in request.headers.get("accept", "")
    ctx = services(request)
    found = await (ctx.db.run if signed else ctx.db.read)(
        open_badges.status_list_document,
        purpose=str(request.path_params["purpose"]),
        base=public_base(request),
        signed=signed,
        now=utcnow(),
    )
    headers = {"Cache-Control": LIST_CACHE, "Vary": "Accept"}
    if isinstance(found, str):
        return _jwt(found, headers)
    return JSONResponse(found, headers=headers)


@operation(tags=["credentials"], responses={201: SigningKeyOut})
async def rotate_key(request: Request) -> Response:
    """Sign Open Badges credentials and status lists with a new Ed25519 key from now on (admin). The earlier keys
    stay published at /.well-known/jwks.json, so what they signed still verifies."""
    made = await services(request).db.run(signing_keys.rotate, actor_id=current_user(request).user_id, now=utcnow())
    return json_response(SigningKeyOut(kid=made.kid, created_at=made.created_at), status_code=201)
