"""The admin's queue of results withheld after an incident, with the decision form (programs.incidents)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import DomainError
from examengine.http.request import current_user, services
from examengine.programs import incident_queue, incidents
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

HELD_WORDS = {"termination": "The proctor terminated the attempt", "incident": "An incident report holds the result"}
NOTICES = {"release": "The result was released.", "invalidate": "The result was invalidated."}


async def _page(
    request: Request, *, error: str | None = None, failed: str | None = None, status: int = 200
) -> Response:
    queue = await services(request).db.read(incident_queue.withheld_attempts)
    notice = NOTICES.get(str(request.query_params.get("notice", "")))
    context = {"queue": queue, "held_words": HELD_WORDS, "error": error, "failed": failed, "notice": notice}
    return render(request, "admin/incidents.html", context, status_code=status)


async def queue(request: Request) -> Response:
    return await _page(request)


async def decide(request: Request) -> Response:
    attempt_id = str(request.path_params["attempt_id"])
    form = await read_form(request)
    decision = text_field(form, "decision")
    try:
        await services(request).db.run(
            incidents.decide,
            attempt_id=attempt_id,
            decision=decision,
            reason=text_field(form, "reason"),
            actor_id=current_user(request).user_id,
            now=utcnow(),
        )
    except DomainError as error:
        return await _page(request, error=error.message, failed=attempt_id, status=status_for(error))
    return RedirectResponse(f"/admin/incidents?notice={decision}", status_code=303)
