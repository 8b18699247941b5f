"""Admin pages for certificates: search by exam, code or candidate; one certificate with its revocation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.certificates import service
from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput
from examengine.exams import service as exams
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.certificates import document_context
from examengine.web.templating import render

SHOWN = 200


async def certificate_list(request: Request) -> Response:
    params = request.query_params
    query = (params.get("q") or "")[:200]
    exam_id = (params.get("exam_id") or "")[:32] or None
    found = await services(request).db.read(service.search, now=utcnow(), exam_id=exam_id, query=query, limit=SHOWN)
    exam_views = await services(request).db.read(exams.list_exams)
    context = {"rows": found, "q": query, "exam_id": exam_id, "exams": exam_views, "capped": len(found) == SHOWN}
    return render(request, "admin/certificates.html", context)


async def certificate_detail(
    request: Request, *, error: str | None = None, reason: str = "", status_code: int = 200
) -> Response:
    found = await services(request).db.read(
        service.certificate_for_admin, code=str(request.path_params["code"]), now=utcnow()
    )
    context = {
        **document_context(request, found.certificate),
        "found": found,
        "error": error,
        "reason": reason,
        "revoked_now": request.query_params.get("revoked") == "1",
    }
    return render(request, "admin/certificate.html", context, status_code=status_code)


async def revoke(request: Request) -> Response:
    code = str(request.path_params["code"])
    form = await read_form(request)
    reason = text_field(form, "reason", label="The reason")
    try:
        revoked = await services(request).db.run(
            service.revoke, code=code, actor_id=current_user(request).user_id, reason=reason, now=utcnow()
        )
    except (InvalidInput, Conflict) as error:
        return await certificate_detail(request, error=error.message, reason=reason, status_code=status_for(error))
    return RedirectResponse(f"/admin/certificates/{revoked.code}?revoked=1", status_code=303)
