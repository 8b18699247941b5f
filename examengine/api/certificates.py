"""Certificates: public verification by code, and revocation by an admin (extends API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import VISIBLE, Strict
from examengine.api.spec import json_response, operation
from examengine.certificates import service
from examengine.certificates.qr import verification_url
from examengine.clock import utcnow
from examengine.http.public_url import public_base
from examengine.http.request import client_address, current_user, services

# Printable text with at least one visible character: a blank reason explains nothing. Line breaks are allowed.
REASON_PATTERN = rf"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*{VISIBLE}[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class CertificateOut(BaseModel):
    """What the verification page shows: holder, credential, dates and status."""

    code: str = Field(description="the verification code as printed, in groups of four")
    status: Literal["valid", "expired", "revoked"]
    holder_name: str
    credential: str = Field(description="the exam's title when the certificate was issued")
    exam_code: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revocation_reason: str | None
    verify_url: str


class RevokeIn(Strict):
    reason: str = Field(min_length=1, max_length=service.REASON_MAX, pattern=REASON_PATTERN)


def certificate_out(request: Request, found: service.Verification) -> CertificateOut:
    return CertificateOut(
        code=found.code,
        status=found.status.value,
        holder_name=found.holder_name,
        credential=found.credential,
        exam_code=found.exam_code,
        issued_at=found.issued_at,
        expires_at=found.expires_at,
        revoked_at=found.revoked_at,
        revocation_reason=found.revoked_reason,
        verify_url=verification_url(public_base(request), found.code),
    )


@operation(tags=["certificates"], responses={200: CertificateOut}, errors=(404, 429), secured=False)
async def verify(request: Request) -> Response:
    """Verify a certificate by its code (case, dashes and look-alike letters forgiven); no sign-in needed.
    Lookups of unknown codes are limited per address (429 with Retry-After)."""
    ctx = services(request)
    found = await ctx.db.run(
        service.verify,
        code=str(request.path_params["code"]),
        address=client_address(request),
        limits=ctx.settings.throttle,
        now=utcnow(),
    )
    return json_response(certificate_out(request, found))


@operation(tags=["certificates"], body=RevokeIn, responses={200: CertificateOut}, errors=(404, 409))
async def revoke(request: Request, body: RevokeIn) -> Response:
    """Revoke a certificate with the reason; who and when are recorded. Revoking twice is a conflict."""
    revoked = await services(request).db.run(
        service.revoke,
        code=str(request.path_params["code"]),
        actor_id=current_user(request).user_id,
        reason=body.reason,
        now=utcnow(),
    )
    return json_response(certificate_out(request, service.verification(revoked.certificate, utcnow())))
