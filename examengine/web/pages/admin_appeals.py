"""The admins' appeals page: every appeal (filtered by status), the counts for the annual report, and for each
open appeal the assignment of a reviewer from the people eligible for it."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput
from examengine.http.request import current_user, services
from examengine.programs import appeal_reads, appeals
from examengine.programs.appeal_models import AppealStatus
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render


async def appeal_list(
    request: Request,
    *,
    errors: dict[str, str] | None = None,
    chosen: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    params = request.query_params
    raw = params.get("status", "")
    status = AppealStatus(raw) if raw in {s.value for s in AppealStatus} else None
    days = {name: params.get(name, "")[:10] for name in ("from", "to")}
    errors = dict(errors or {})
    dates: dict[str, date | None] = {}
    for name, text in days.items():
        try:
            dates[name] = date.fromisoformat(text) if text else None
        except ValueError:
            dates[name] = None
            errors[name] = "Enter a date as YYYY-MM-DD."
    overview = await services(request).db.read(
        appeal_reads.admin_overview, who=current_user(request), status=status, since=dates["from"], until=dates["to"]
    )
    context = {
        "days": days,
        "views": overview.views,
        "reviewers": overview.reviewers,
        "summary": overview.summary,
        "status": status.value if status else "",
        "statuses": [s.value for s in AppealStatus],
        "errors": errors,
        "chosen": chosen or {},
        "assigned_now": request.query_params.get("assigned") == "1",
    }
    return render(request, "admin/appeals.html", context, status_code=status_code)


async def assign(request: Request) -> Response:
    appeal_id = str(request.path_params["appeal_id"])
    reviewer_id = text_field(await read_form(request), "reviewer_id")
    try:
        await services(request).db.run(
            appeals.assign,
            appeal_id=appeal_id,
            reviewer_id=reviewer_id,
            actor_id=current_user(request).user_id,
            now=utcnow(),
        )
    except (InvalidInput, Conflict) as error:
        return await appeal_list(
            request, errors={appeal_id: error.message}, chosen={appeal_id: reviewer_id}, status_code=status_for(error)
        )
    return RedirectResponse("/admin/appeals?assigned=1", status_code=303)
