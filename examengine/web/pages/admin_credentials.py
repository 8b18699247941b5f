"""Admin pages for credentials: search by number or holder; one credential with its history and the decisions
(suspend, reinstate, revoke), each with a reason."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.accounts import service as accounts
from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.http.request import current_user, services
from examengine.programs import credentials
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.credentials import cycle_or_none
from examengine.web.templating import render

SHOWN = 200
ACTIONS: dict[str, credentials.Action] = {
    "suspend": credentials.suspend,
    "reinstate": credentials.reinstate,
    "revoke": credentials.revoke_credential,
}
DONE = {
    "suspend": "The credential was suspended.",
    "reinstate": "The credential was reinstated.",
    "revoke": "The credential was revoked.",
}


async def admin_search(request: Request) -> Response:
    query = (request.query_params.get("q") or "")[:100]
    page = await services(request).db.read(credentials.list_credentials, now=utcnow(), search=query, limit=SHOWN)
    context = {"rows": page.items, "q": query, "capped": page.next_cursor is not None}
    return render(request, "admin/credentials.html", context)


def _with_history(
    *, session: Session, number: str
) -> tuple[datetime | None, list[credentials.HistoryLine], dict[str, str]]:
    credential, scheme = credentials.credential_with_scheme(session, number)
    lines = credentials.history(session=session, credential_id=credential.id)
    actors = accounts.users_by_id(session=session, user_ids={line.actor_id for line in lines if line.actor_id})
    window = credentials.reinstatement_ends(credential, scheme)
    names = {user_id: user.name for user_id, user in actors.items()}
    return window, lines, names


async def admin_credential(
    request: Request, *, error: str | None = None, reason: str = "", status_code: int = 200
) -> Response:
    number = str(request.path_params["number"])
    view = await services(request).db.read(
        credentials.get_credential, number=number, who=current_user(request), now=utcnow()
    )
    window, lines, names = await services(request).db.read(_with_history, number=number)
    context = {
        "view": view,
        "cycle": await cycle_or_none(request, view),
        "history": lines,
        "actor_names": names,
        "reinstatable_until": window,
        "error": error,
        "reason": reason,
        "notice": DONE.get(request.query_params.get("done", "")),
    }
    return render(request, "admin/credential.html", context, status_code=status_code)


async def admin_decide(request: Request) -> Response:
    number = str(request.path_params["number"])
    action = ACTIONS.get(str(request.path_params["action"]))
    if action is None:
        raise NotFound("No such decision.", code="not_found")
    form = await read_form(request)
    reason = text_field(form, "reason", label="The reason")
    try:
        await services(request).db.run(
            action, number=number, reason=reason, actor_id=current_user(request).user_id, now=utcnow()
        )
    except (InvalidInput, Conflict) as error:
        return await admin_credential(request, error=error.message, reason=reason, status_code=status_for(error))
    done = str(request.path_params["action"])
    return RedirectResponse(f"/admin/credentials/{number}?done={done}", status_code=303)
