"""The holder's credential pages: my credentials, and one credential with its cycle, continuing education and
renewal (forms that work without JavaScript)."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import Conflict, DomainError, InvalidInput, NotFound
from examengine.http.request import current_user, services
from examengine.programs import credentials
from examengine.programs.models import SchemeKind
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.certificates import code_of_attempt
from examengine.web.templating import render

SHOWN = 200
NOTICES = {"recorded": "The activity was recorded.", "renewed": "Your credential was renewed: a new cycle starts."}
ACTIVITY_FIELDS = ("title", "provider", "category", "credits", "completed_on")


async def my_credentials(request: Request) -> Response:
    page = await services(request).db.read(
        credentials.list_credentials, now=utcnow(), user_id=current_user(request).user_id, limit=SHOWN
    )
    return render(request, "credentials/mine.html", {"rows": page.items})


async def _own_view(request: Request) -> credentials.CredentialView:
    """The signed-in person's own credential (admins read others' on the admin page)."""
    who = current_user(request)
    view = await services(request).db.read(
        credentials.get_credential, number=str(request.path_params["number"]), who=who, now=utcnow()
    )
    if view.holder_id != who.user_id:
        raise NotFound("No credential of yours has this number.", code="credential_not_found")
    return view


async def cycle_or_none(request: Request, view: credentials.CredentialView) -> credentials.CycleView | None:
    if view.kind != SchemeKind.CERTIFICATION:
        return None
    return await services(request).db.read(credentials.current_cycle, number=view.number, who=current_user(request))


async def _certificate_code(request: Request, view: credentials.CredentialView) -> str | None:
    """The printable certificate of the newest pass that awarded or renewed the credential, when there is one."""
    if view.kind == SchemeKind.CERTIFICATE_OF_ATTENDANCE:
        return None
    attempt_id = await services(request).db.read(credentials.latest_pass, number=view.number)
    return await code_of_attempt(request, attempt_id) if attempt_id else None


async def my_credential(
    request: Request,
    *,
    error: str | None = None,
    shortfall: dict[str, Any] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    view = await _own_view(request)
    context = {
        "view": view,
        "cycle": await cycle_or_none(request, view),
        "certificate_code": await _certificate_code(request, view),
        "error": error,
        "shortfall": shortfall,
        "values": values or {},
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "today": utcnow().date().isoformat(),
    }
    return render(request, "credentials/detail.html", context, status_code=status_code)


def _credits(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput("Credits are a number, like 2 or 1.5.", code="invalid_credits") from None
    if not math.isfinite(value):
        raise InvalidInput("Credits are a number, like 2 or 1.5.", code="invalid_credits")
    return value


def _completed_on(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("Give the date the activity was completed.", code="invalid_date") from None


async def add_activity(request: Request) -> Response:
    number = str(request.path_params["number"])
    form = await read_form(request)
    values = {name: text_field(form, name).strip() for name in ACTIVITY_FIELDS}
    try:
        await services(request).db.run(
            credentials.record_activity,
            number=number,
            who=current_user(request),
            title=values["title"],
            provider=values["provider"],
            category=values["category"] or None,
            credits=_credits(values["credits"]),
            completed_on=_completed_on(values["completed_on"]),
            now=utcnow(),
        )
    except (InvalidInput, Conflict) as error:
        return await my_credential(request, error=error.message, values=values, status_code=status_for(error))
    return RedirectResponse(f"/credentials/{number}?notice=recorded", status_code=303)


async def renew(request: Request) -> Response:
    number = str(request.path_params["number"])
    try:
        await services(request).db.run(credentials.renew, number=number, who=current_user(request), now=utcnow())
    except (InvalidInput, Conflict) as error:
        shortfall = error.details.get("shortfall") if isinstance(error, DomainError) else None
        return await my_credential(request, error=error.message, shortfall=shortfall, status_code=status_for(error))
    return RedirectResponse(f"/credentials/{number}?notice=renewed", status_code=303)
