"""The public registry of credentials (no sign-in, throttled per address) and a holder's choice to be listed in its
name search (API.md "Credentials")."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import NO_NUL, Strict
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.request import client_address, current_user, services
from examengine.programs import listing, registry

Status = Literal["active", "grace", "lapsed", "suspended", "revoked"]
Kind = Literal["certification", "assessment_based_certificate", "certificate_of_attendance"]


def _text(description: str) -> Any:
    return Field(default=None, max_length=registry.MAX_QUERY, pattern=NO_NUL, description=description)


class RegistryQuery(Strict):
    number: str | None = _text("exact credential number")
    name: str | None = _text("the holder's full name")
    scheme: str | None = _text("a scheme code (with name)")


class RegistryItem(BaseModel):
    number: str
    holder_name: str
    scheme: str = Field(description="the scheme's code")
    kind: Kind
    status: Status
    granted_at: datetime
    valid_until: datetime | None


class RegistryList(BaseModel):
    items: list[RegistryItem]


class ListingIn(Strict):
    listed: StrictBool = Field(description="false: found by the exact number only, never by name")


class ListingOut(BaseModel):
    number: str
    listed: bool


def item_out(found: registry.RegistryEntry) -> RegistryItem:
    return RegistryItem(
        number=found.number,
        holder_name=found.holder_name,
        scheme=found.scheme,
        kind=found.kind.value,
        status=found.status.value,
        granted_at=found.granted_at,
        valid_until=found.valid_until,
    )


@operation(tags=["credentials"], query=RegistryQuery, responses={200: RegistryList}, errors=(429,), secured=False)
async def search(request: Request, query: RegistryQuery) -> Response:
    """Look a credential up by its exact number, or listed holders by full name (case-insensitive) within a scheme
    code. No sign-in; at most 30 lookups a minute per client address (then 429 with Retry-After), shared with the
    /registry page and credential numbers typed into /verify."""
    found = await services(request).db.run(
        registry.search,
        address=client_address(request),
        now=utcnow(),
        number=query.number,
        name=query.name,
        scheme=query.scheme,
    )
    return json_response(RegistryList(items=[item_out(entry) for entry in found]))


@operation(tags=["credentials"], body=ListingIn, responses={200: ListingOut}, errors=(404,))
async def set_listing(request: Request, body: ListingIn) -> Response:
    """The holder chooses whether the registry's name search finds this credential (the exact number always
    does). Only the holder; anyone else gets 404."""
    credential = await services(request).db.run(
        listing.set_listed,
        number=str(request.path_params["number"]),
        user_id=current_user(request).user_id,
        listed=body.listed,
        now=utcnow(),
    )
    return json_response(ListingOut(number=credential.number, listed=credential.listed))
