"""Admin pages for standard setting studies: create one for a published exam version, name judges, open and close
rounds, and read the recommended cut (to copy into a new exam version; a published exam never changes here)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.analysis.charts import hofstee_svg
from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput
from examengine.exams import service as exams
from examengine.exams import versions
from examengine.http.request import current_user, services
from examengine.standards import results
from examengine.standards import service as standards
from examengine.standards.models import Method
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render


async def study_list(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    exam_id = str(request.path_params["exam_id"])

    def read(*, session: Session) -> dict[str, Any]:
        view = exams.get_version(session=session, exam_id=exam_id)
        published = versions.version_numbers(session=session, exam_id=exam_id, published=True)
        return {
            "view": view,
            "versions": published[::-1],
            "studies": standards.list_studies(session=session, exam_id=exam_id),
        }

    context = await services(request).db.read(read)
    return render(request, "admin/standards.html", {**context, "error": error}, status_code=status_code)


async def create_study(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    version_text, method = text_field(form, "version"), text_field(form, "method")
    try:
        if not version_text.isdecimal() or method not in {m.value for m in Method}:
            raise InvalidInput("Choose a published version and a method.", code="bad_study")
        study = await services(request).db.run(
            standards.create_study,
            exam_id=exam_id,
            version=int(version_text),
            method=Method(method),
            title=text_field(form, "title", label="Title"),
            actor_id=current_user(request).user_id,
            now=utcnow(),
        )
    except InvalidInput as error:
        return await study_list(request, error=error.message, status_code=status_for(error))
    return RedirectResponse(f"/admin/standards/{study.id}", status_code=303)


def study_context(*, session: Session, study_id: str) -> dict[str, Any]:
    """Everything the admin's study page shows (the judge's page uses the group part of it too)."""
    study = standards.get_study(session=session, study_id=study_id)
    items = standards.study_items(session=session, study=study)
    people = standards.judges(session=session, study_id=study_id)
    names = {user.id: user.name for user in people}
    context: dict[str, Any] = {
        "study": study,
        "items": items,
        "codes": {item.item_id: item.code for item in items},
        "judges": people,
        "names": names,
        "angoff": None,
        "hofstee": None,
        "hofstee_chart": None,
        "rounds": results.closed_rounds(study),
    }
    if study.method == Method.ANGOFF:
        context["angoff"] = results.angoff_outcome(
            study, standards.angoff_rows(session=session, study_id=study_id), items
        )
    else:
        outcome = results.hofstee_outcome(
            study,
            standards.hofstee_rows(session=session, study_id=study_id),
            standards.observed_percents(session=session, study=study),
        )
        context["hofstee"] = outcome
        if outcome.result is not None:
            context["hofstee_chart"] = Markup(hofstee_svg(outcome.result))
    return context


async def study_detail(request: Request, *, error: str | None = None, status_code: int = 200) -> Response:
    study_id = str(request.path_params["study_id"])
    context = await services(request).db.read(study_context, study_id=study_id)
    return render(request, "admin/study.html", {**context, "error": error}, status_code=status_code)


async def add_judge(request: Request) -> Response:
    study_id = str(request.path_params["study_id"])
    form = await read_form(request)
    try:
        await services(request).db.run(
            standards.add_judge,
            study_id=study_id,
            email=text_field(form, "email", required=True, label="Email"),
            actor_id=current_user(request).user_id,
            now=utcnow(),
        )
    except (InvalidInput, Conflict) as error:
        return await study_detail(request, error=error.message, status_code=status_for(error))
    return RedirectResponse(f"/admin/standards/{study_id}", status_code=303)


async def advance(request: Request) -> Response:
    study_id = str(request.path_params["study_id"])
    form = await read_form(request)
    try:
        await services(request).db.run(
            standards.advance,
            study_id=study_id,
            action=text_field(form, "action"),
            actor_id=current_user(request).user_id,
            now=utcnow(),
        )
    except (InvalidInput, Conflict) as error:
        return await study_detail(request, error=error.message, status_code=status_for(error))
    return RedirectResponse(f"/admin/standards/{study_id}", status_code=303)
