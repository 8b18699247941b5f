"""The appeals reviewer's pages: the appeals assigned to me, and one appeal with the decision appealed, the
appellant's grounds and statement, and the form to decide it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import Conflict, Forbidden, InvalidInput
from examengine.http.request import current_user, services
from examengine.programs import appeal_reads, appeals
from examengine.programs.appeal_models import AppealStatus, Remedy
from examengine.programs.appeal_remedies import FITTING
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.appeals import GROUNDS
from examengine.web.templating import render

REMEDY_LABELS = {
    Remedy.RESCORE: "Rescore the result",
    Remedy.RETEST: "Retest: a new authorization to test",
    Remedy.REINSTATE: "Reinstate the credential",
    Remedy.RECONSIDER: "Reconsider: back to submitted for a fresh decision by someone else",
}


async def assigned_to_me(request: Request) -> Response:
    views = await services(request).db.read(appeal_reads.assigned_to, reviewer_id=current_user(request).user_id)
    return render(request, "review/appeals.html", {"views": views})


async def review_page(
    request: Request,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    who = current_user(request)
    view = await services(request).db.read(
        appeal_reads.get_appeal, appeal_id=str(request.path_params["appeal_id"]), who=who
    )
    remedies = sorted(FITTING[view.appeal.subject_type], key=lambda r: r.value)
    context = {
        "view": view,
        "grounds_labels": dict(GROUNDS),
        "remedies": [(r.value, REMEDY_LABELS[r]) for r in remedies],
        "may_decide": view.appeal.status == AppealStatus.ASSIGNED and view.appeal.reviewer_id == who.user_id,
        "decided_now": request.query_params.get("decided") == "1",
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "review/appeal.html", context, status_code=status_code)


async def decide(request: Request) -> Response:
    appeal_id = str(request.path_params["appeal_id"])
    form = await read_form(request)
    values = {name: text_field(form, name) for name in ("outcome", "reason", "remedy")}
    if values["outcome"] not in ("upheld", "denied"):
        return await review_page(
            request, values=values, errors={"outcome": "Choose upheld or denied."}, status_code=422
        )
    try:
        remedy = Remedy(values["remedy"]) if values["remedy"] else None
    except ValueError:
        return await review_page(
            request, values=values, errors={"remedy": "Choose a remedy from the list."}, status_code=422
        )
    try:
        await services(request).db.run(
            appeals.decide,
            appeal_id=appeal_id,
            who=current_user(request),
            outcome=AppealStatus(values["outcome"]),
            reason=values["reason"],
            remedy=remedy,
            now=utcnow(),
        )
    except (InvalidInput, Conflict, Forbidden) as error:
        field = str(error.details.get("field", "form"))
        return await review_page(request, values=values, errors={field: error.message}, status_code=status_for(error))
    return RedirectResponse(f"/review/appeals/{appeal_id}?decided=1", status_code=303)
