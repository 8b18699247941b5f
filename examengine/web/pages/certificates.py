"""Certificate pages: the candidate's own (printable, with the QR code) and the public verification page.

Verification needs no sign-in. A malformed code and an unknown one get the same friendly page with a 404, and
the service counts such misses per address (see certificates.service), so the page lists nothing and tells an
enumerator nothing.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from examengine.certificates import issuing, service
from examengine.certificates.codes import MAX_INPUT, grouped
from examengine.certificates.models import Certificate
from examengine.certificates.qr import qr_svg, verification_url
from examengine.clock import utcnow
from examengine.errors import NotFound
from examengine.http.public_url import public_base
from examengine.http.request import client_address, current_user, services
from examengine.organisation import local_date
from examengine.web import branding
from examengine.web.pages import registry as registry_pages
from examengine.web.templating import render


def document_context(request: Request, certificate: Certificate) -> dict[str, Any]:
    """What templates/certificates/_document.html needs to draw a certificate."""
    code = grouped(certificate.code)
    url = verification_url(public_base(request), certificate.code)
    issuer = branding.of(request)
    return {
        "certificate": certificate,
        "issuer": issuer,
        "issued_on": local_date(certificate.issued_at, issuer),
        "valid_until": local_date(certificate.expires_at, issuer) if certificate.expires_at else None,
        "revoked_on": local_date(certificate.revoked_at, issuer) if certificate.revoked_at else None,
        "status": certificate.status_at(utcnow()),
        "code": code,
        "verify_url": url,
        "qr": Markup(qr_svg(url, f"QR code linking to the verification page of certificate {code}")),
    }


async def code_of_attempt(request: Request, attempt_id: str) -> str | None:
    """The grouped code of the attempt's certificate, if it has one (the caller checked the attempt is theirs)."""
    found = await services(request).db.read(lambda *, session: issuing.certificate_of_attempt(session, attempt_id))
    return grouped(found.code) if found else None


async def codes_by_attempt(request: Request) -> dict[str, str]:
    """The signed-in candidate's certificates: attempt id -> grouped code."""
    found = await services(request).db.read(service.candidate_certificates, user_id=current_user(request).user_id)
    return {c.attempt_id: grouped(c.code) for c in found}


async def my_certificates(request: Request) -> Response:
    found = await services(request).db.read(service.candidate_certificates, user_id=current_user(request).user_id)
    now = utcnow()
    rows = [(c, grouped(c.code), c.status_at(now)) for c in found]
    return render(request, "candidate/certificates.html", {"rows": rows})


async def my_certificate(request: Request) -> Response:
    certificate = await services(request).db.read(
        service.own_certificate, code=str(request.path_params["code"]), user_id=current_user(request).user_id
    )
    return render(request, "candidate/certificate.html", document_context(request, certificate))


async def _verify(request: Request, typed: str) -> Response:
    credential = await registry_pages.verified_credential(request, typed)  # a credential number, else a code
    if credential is not None:
        return credential
    ctx = services(request)
    try:
        found = await ctx.db.run(
            service.verify,
            code=typed,
            address=client_address(request),
            limits=ctx.settings.throttle,
            now=utcnow(),
        )
    except NotFound as error:
        refused = {"typed": typed[:MAX_INPUT], "found": None, "not_found": error.message, "credential": None}
        return render(request, "certificates/verify.html", refused, status_code=404)
    issuer = branding.of(request)
    shown: dict[str, object] = {
        "credential": None,
        "typed": found.code,
        "found": found,
        "not_found": None,
        "issued_on": local_date(found.issued_at, issuer),
        "valid_until": local_date(found.expires_at, issuer) if found.expires_at else None,
        "revoked_on": local_date(found.revoked_at, issuer) if found.revoked_at else None,
    }
    return render(request, "certificates/verify.html", shown)


async def verify_form(request: Request) -> Response:
    """The form to type a code; with `?code=` it answers as the certificate's own verification page."""
    typed = request.query_params.get("code", "")
    if not typed.strip():
        return render(request, "certificates/verify.html", {"typed": "", "found": None, "not_found": None})
    return await _verify(request, typed)


async def verify_certificate(request: Request) -> Response:
    """The page the QR code points at."""
    return await _verify(request, str(request.path_params["code"]))
