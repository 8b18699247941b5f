"""The proctor's announcement forms: a message to everyone still sitting (the sitting dashboard) or to one candidate
(the attempt's page). The same service as POST /api/v1/.../announce checks who may send it and the text, and records
it on each timeline; the candidate's open page shows it through the live channel. Plain forms that redirect after a
send, so they work without JavaScript; they sit outside the dashboard's refreshing rows, so a poll never wipes a
message being typed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.errors import DomainError
from examengine.http.request import current_user, services
from examengine.proctoring import announcements
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages import proctor

ACCESS_REFUSALS = ("sitting_not_found", "attempt_not_found", "own_attempt")


async def to_sitting(request: Request) -> Response:
    sitting_id = str(request.path_params["sitting_id"])
    message = text_field(await read_form(request), "message")
    try:
        count = await services(request).db.run(
            announcements.announce_sitting,
            sitting_id=sitting_id,
            actor_id=current_user(request).user_id,
            message=message,
        )
    except DomainError as error:
        if error.code in ACCESS_REFUSALS:
            raise
        refused = proctor.Announcement(message, error.message)
        return await proctor.sitting_dashboard(request, status_code=status_for(error), announcement=refused)
    return RedirectResponse(f"/proctor/sittings/{sitting_id}?done=announced&n={count}", status_code=303)


async def to_attempt(request: Request) -> Response:
    attempt_id = str(request.path_params["attempt_id"])
    message = text_field(await read_form(request), "message")
    try:
        await services(request).db.run(
            announcements.announce, attempt_id=attempt_id, actor_id=current_user(request).user_id, message=message
        )
    except DomainError as error:
        if error.code in ACCESS_REFUSALS:
            raise
        if error.code == "attempt_closed":  # the page no longer offers the form: say so at the top
            return await proctor.timeline(request, notice=error.message, status_code=status_for(error))
        refused = proctor.Announcement(message, error.message)
        return await proctor.timeline(request, status_code=status_for(error), announcement=refused)
    return RedirectResponse(f"/proctor/attempts/{attempt_id}?done=announced", status_code=303)
