"""The organisation's identity: read by anyone (clients brand themselves with it), set by an admin."""

from __future__ import annotations

from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from examengine import organisation
from examengine.api.schemas import Strict
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.errors import InvalidInput, MalformedInput, NotFound, TooLarge
from examengine.http.request import current_user, services


class OrganisationOut(BaseModel):
    name: str
    contact_email: str = Field(description="empty when none is set")
    accent_colour: str = Field(description="#rrggbb; its contrast on white is at least 4.5:1 (WCAG AA)")
    time_zone: str = Field(description="IANA name; certificates show their dates in it")
    signatory_name: str
    signatory_title: str
    logo_url: str | None = Field(description="path of the logo (PNG or JPEG), public")
    signature_url: str | None = Field(description="path of the signature image, for signed-in users")
    version: int = Field(description="rises with every change")


class OrganisationIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    contact_email: str = Field(default="", max_length=254)
    accent_colour: str = Field(
        pattern=r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$",
        description="#rrggbb with at least 4.5:1 contrast on white (422 accent_contrast_too_low otherwise)",
    )
    time_zone: str = Field(default="UTC", max_length=64)
    signatory_name: str = Field(default="", max_length=120)
    signatory_title: str = Field(default="", max_length=120)


class ImageForm(BaseModel):
    file: bytes = Field(description="a PNG or JPEG image of at most 1 MiB (SVG is refused)")


def organisation_out(found: organisation.Identity) -> OrganisationOut:
    return OrganisationOut(
        name=found.name,
        contact_email=found.contact_email,
        accent_colour=found.accent_colour,
        time_zone=found.time_zone,
        signatory_name=found.signatory_name,
        signatory_title=found.signatory_title,
        logo_url=f"/static/organisation/logo/{found.logo_sha256}" if found.logo_sha256 else None,
        signature_url=f"/static/organisation/signature/{found.signature_sha256}" if found.signature_sha256 else None,
        version=found.version,
    )


def image_kind(request: Request) -> organisation.ImageKind:
    kind = str(request.path_params["kind"])
    if kind not in {k.value for k in organisation.ImageKind}:
        raise NotFound("The organisation has a logo and a signature, nothing else.", code="unknown_image")
    return organisation.ImageKind(kind)


@operation(tags=["organisation"], responses={200: OrganisationOut}, secured=False)
async def get_organisation(request: Request) -> Response:
    """The organisation's name, contact address, accent colour, signatory and image paths (no sign-in needed)."""
    return json_response(organisation_out(await services(request).db.read(organisation.identity)))


@operation(tags=["organisation"], body=OrganisationIn, responses={200: OrganisationOut})
async def put_organisation(request: Request, body: OrganisationIn) -> Response:
    """Set the organisation's text fields and accent colour (admin; recorded on the audit trail). An accent with
    less than 4.5:1 contrast on white is refused (422 accent_contrast_too_low, with a darker shade that passes)."""
    changes = organisation.IdentityChanges(**body.model_dump())
    found = await services(request).db.run(
        organisation.change, actor_id=current_user(request).user_id, changes=changes, now=utcnow()
    )
    return json_response(organisation_out(found))


@operation(tags=["organisation"], responses={200: OrganisationOut}, errors=(404,), form=ImageForm)
async def put_image(request: Request) -> Response:
    """Upload the logo or the signature (multipart `file`: PNG or JPEG, at most 1 MiB; SVG is refused)."""
    kind = image_kind(request)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise MalformedInput("Send the image as multipart/form-data with a `file` field.", code="multipart_required")
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("The `file` field with the image is missing.", code="missing_file")
        data = await upload.read(organisation.MAX_IMAGE_BYTES + 1)
    if len(data) > organisation.MAX_IMAGE_BYTES:
        raise TooLarge("The image is larger than 1 MiB: export it smaller.", code="image_too_large")
    found = await services(request).db.run(
        organisation.set_image, actor_id=current_user(request).user_id, kind=kind, data=data, now=utcnow()
    )
    return json_response(organisation_out(found))


@operation(tags=["organisation"], responses={200: OrganisationOut}, errors=(404,))
async def delete_image(request: Request) -> Response:
    """Remove the logo or the signature (recorded on the audit trail); removing an absent one changes nothing."""
    found = await services(request).db.run(
        organisation.remove_image, actor_id=current_user(request).user_id, kind=image_kind(request), now=utcnow()
    )
    return json_response(organisation_out(found))
