"""Reviewing the fixed forms of an exam version: each form's items in order with their keys, summaries side by side,
and marking a form reviewed (admin only: keys never reach a candidate)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.errors import Conflict, InvalidInput
from examengine.exams import form_review
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render


async def review_page(request: Request, *, notice: str | None = None, status_code: int = 200) -> Response:
    exam_id, version = str(request.path_params["exam_id"]), int(request.path_params["version"])
    report = await services(request).db.read(form_review.fixed_forms, exam_id=exam_id, version=version)
    return render(
        request,
        "admin/blueprint_forms.html",
        {"report": report, "view": report.view, "notice": notice, "done": request.query_params.get("reviewed", "")[:1]},
        status_code=status_code,
    )


async def mark_reviewed(request: Request) -> Response:
    exam_id, version = str(request.path_params["exam_id"]), int(request.path_params["version"])
    form = await read_form(request)
    name = text_field(form, "form")[:2]
    try:
        await services(request).db.run(
            form_review.mark_reviewed,
            exam_id=exam_id,
            version=version,
            form_name=name,
            fingerprint=text_field(form, "fingerprint")[:64],
            note=text_field(form, "note", label="The note"),
            actor_id=current_user(request).user_id,
        )
    except (InvalidInput, Conflict) as error:
        if error.code == "not_fixed":
            raise
        return await review_page(request, notice=error.message, status_code=status_for(error))
    return RedirectResponse(
        f"/admin/exams/{exam_id}/versions/{version}/forms?reviewed={name}#form-{name}", status_code=303
    )
