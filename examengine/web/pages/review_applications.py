"""The eligibility reviewers' pages (admins too): the queue of applications filtered by status and scheme, and an
application with its applicant, pathway, each requirement's evidence and the decision form (approve, deny or
request more information, with a reason). A reviewer never sees a decision form for their own application; the
service refuses it anyway."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import DomainError, InvalidInput
from examengine.http.request import current_user, services
from examengine.programs import application_decisions, application_views
from examengine.programs.models import ApplicationStatus
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

DECISION_WORDS = {
    "approve": "Approve: issue an authorization to test",
    "request_info": "Request more information",
    "deny": "Deny",
}
NOTICES = {"decided": "Your decision was recorded; the applicant sees it now."}


def _who(request: Request) -> dict[str, Any]:
    principal = current_user(request)
    return {"user_id": principal.user_id, "roles": frozenset(r.value for r in principal.roles)}


async def queue(request: Request) -> Response:
    raw_status = request.query_params.get("status", "submitted")
    status = ApplicationStatus(raw_status) if raw_status in set(ApplicationStatus) else None
    scheme = request.query_params.get("scheme", "")[:40].replace("\x00", "").strip()
    cursor = request.query_params.get("cursor", "")[:32] or None
    try:
        page = await services(request).db.read(
            application_views.list_applications,
            status=status,
            scheme_code=scheme or None,
            cursor=cursor,
            **_who(request),
        )
    except InvalidInput:  # a stale cursor: show the first page
        page = await services(request).db.read(
            application_views.list_applications, status=status, scheme_code=scheme or None, **_who(request)
        )
    context = {
        "page": page,
        "status": status.value if status else "",
        "scheme": scheme,
        "statuses": [(s.value, s.value.replace("_", " ").capitalize()) for s in ApplicationStatus],
    }
    return render(request, "programs/review_queue.html", context)


async def application_page(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = await services(request).db.read(
        application_views.application_view,
        application_id=str(request.path_params["application_id"]),
        **_who(request),
    )
    context = {
        "view": view,
        "own": view.application.user_id == current_user(request).user_id,
        "decisions": DECISION_WORDS,
        "errors": errors or {},
        "values": values or {},
        "notice": NOTICES.get(request.query_params.get("notice", "")),
    }
    return render(request, "programs/review_application.html", context, status_code=status_code)


async def decide(request: Request) -> Response:
    form = await read_form(request)
    values = {"decision": text_field(form, "decision"), "reason": text_field(form, "reason")}
    application_id = str(request.path_params["application_id"])
    try:
        if values["decision"] not in DECISION_WORDS:
            raise InvalidInput("Choose a decision.", code="unknown_decision")
        await services(request).db.run(
            application_decisions.decide,
            application_id=application_id,
            decision=application_decisions.Decision(values["decision"]),
            reason=values["reason"],
            now=utcnow(),
            **_who(request),
        )
    except DomainError as error:
        if error.code == "application_not_found":
            raise
        field = {"reason_required": "reason", "reason_too_long": "reason", "unknown_decision": "decision"}.get(
            error.code, "decision_form"
        )
        return await application_page(
            request, errors={field: error.message}, values=values, status_code=status_for(error)
        )
    return RedirectResponse(f"/review/applications/{application_id}?notice=decided", 303)
