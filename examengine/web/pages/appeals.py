"""The appellant's pages: my appeals with their status and outcome, and the form that files one."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.http.request import current_user, services
from examengine.programs import appeal_reads, appeals
from examengine.programs.appeal_models import AppealGrounds, AppealSubject
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

GROUNDS = (
    (AppealGrounds.PROCEDURAL_ERROR, "Procedural error"),
    (AppealGrounds.NEW_EVIDENCE, "New evidence"),
    (AppealGrounds.SCORING_ERROR, "Scoring error"),
    (AppealGrounds.OTHER, "Other"),
)


async def my_appeals(request: Request) -> Response:
    page = await services(request).db.read(appeal_reads.list_appeals, who=current_user(request), mine=True, limit=200)
    context = {"views": page.items, "filed_now": request.query_params.get("filed") == "1"}
    return render(request, "appeals/mine.html", context)


def _subject_type(raw: str) -> AppealSubject:
    try:
        return AppealSubject(raw)
    except ValueError:
        raise NotFound("There is no such kind of decision to appeal.", code="subject_not_found") from None


async def _form(
    request: Request,
    subject_type: str,
    subject_id: str,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    kind = _subject_type(subject_type)
    decision = await services(request).db.read(
        appeals.decision_for_appellant,
        appellant_id=current_user(request).user_id,
        subject_type=kind,
        subject_id=subject_id[:40],
    )
    context = {
        "decision": decision,
        "now": utcnow(),
        "grounds_choices": GROUNDS,
        "values": values or {},
        "errors": errors or {},
    }
    return render(request, "appeals/new.html", context, status_code=status_code)


async def new_appeal(request: Request) -> Response:
    params = request.query_params
    return await _form(request, params.get("subject_type", ""), params.get("subject_id", ""))


def _values(form: FormData) -> dict[str, str]:
    return {name: text_field(form, name) for name in ("subject_type", "subject_id", "grounds", "statement")}


async def file_appeal(request: Request) -> Response:
    values = _values(await read_form(request))
    kind = _subject_type(values["subject_type"])
    try:
        grounds = AppealGrounds(values["grounds"])
    except ValueError:
        errors = {"grounds": "Choose the grounds of your appeal."}
        return await _form(request, kind, values["subject_id"], values=values, errors=errors, status_code=422)
    try:
        await services(request).db.run(
            appeals.file_appeal,
            appellant_id=current_user(request).user_id,
            subject_type=kind,
            subject_id=values["subject_id"],
            grounds=grounds,
            statement=values["statement"],
            now=utcnow(),
        )
    except (InvalidInput, Conflict) as error:
        field = str(error.details.get("field", "form"))
        return await _form(
            request,
            kind,
            values["subject_id"],
            values=values,
            errors={field: error.message},
            status_code=status_for(error),
        )
    return RedirectResponse("/appeals?filed=1", status_code=303)
