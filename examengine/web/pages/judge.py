"""Judge pages of standard setting studies: any signed-in user named as a judge rates here; the service checks that
they are a judge of the study (anyone else is told there is no such study)."""

from __future__ import annotations

import math
from typing import Any

from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput
from examengine.http.request import current_user, services
from examengine.standards import results
from examengine.standards import service as standards
from examengine.standards.models import Method
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages.admin_standards import study_context
from examengine.web.templating import render

HOFSTEE_FIELDS = ("min_cut", "max_cut", "min_fail", "max_fail")


async def my_studies(request: Request) -> Response:
    studies = await services(request).db.read(standards.studies_of_judge, user_id=current_user(request).user_id)
    return render(request, "judge/home.html", {"studies": studies})


def _judge_context(*, session: Session, study_id: str, user_id: str) -> dict[str, Any]:
    standards.judge_study(session=session, study_id=study_id, user_id=user_id)
    context = study_context(session=session, study_id=study_id)
    study = context["study"]
    if study.method == Method.ANGOFF:
        rows = standards.angoff_rows(session=session, study_id=study_id)
        context["mine"] = results.own_ratings(rows, user_id, study.current_round)
        last = context["rounds"][-1] if context["rounds"] else None
        context["mine_last"] = results.own_ratings(rows, user_id, last) if last else {}
    else:
        own = [r for r in standards.hofstee_rows(session=session, study_id=study_id) if r.judge_id == user_id]
        context["mine"] = next((r for r in own if r.round == study.current_round), None)
        context["mine_last"] = {}
    return context


async def study_page(
    request: Request, *, error: str | None = None, notice: str | None = None, status_code: int = 200
) -> Response:
    context = await services(request).db.read(
        _judge_context, study_id=str(request.path_params["study_id"]), user_id=current_user(request).user_id
    )
    return render(request, "judge/study.html", {**context, "error": error, "notice": notice}, status_code=status_code)


def _percent(form: FormData, name: str, label: str) -> float | None:
    raw = text_field(form, name).strip().removesuffix("%").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0.0 <= value <= 100.0:
        raise InvalidInput(f"{label}: give a percentage from 0 to 100.", code="bad_rating")
    return value


async def rate(request: Request) -> Response:
    study_id = str(request.path_params["study_id"])
    user_id = current_user(request).user_id
    form = await read_form(request)
    db = services(request).db
    try:
        study = await db.read(standards.judge_study, study_id=study_id, user_id=user_id)
        if study.method == Method.ANGOFF:
            ratings = {}
            for name in form:
                if name.startswith("rating_"):
                    value = _percent(form, name, "A rating")
                    if value is not None:
                        ratings[name.removeprefix("rating_")] = value / 100.0
            await db.run(standards.rate_angoff, study_id=study_id, user_id=user_id, ratings=ratings, now=utcnow())
            notice = f"Saved {len(ratings)} rating(s)."
        else:
            answers = {name: _percent(form, name, name.replace("_", " ").capitalize()) for name in HOFSTEE_FIELDS}
            if any(value is None for value in answers.values()):
                raise InvalidInput("Give all four answers.", code="bad_rating")
            await db.run(
                standards.rate_hofstee,
                study_id=study_id,
                user_id=user_id,
                answers={k: v for k, v in answers.items() if v is not None},
                now=utcnow(),
            )
            notice = "Saved your answers."
    except (InvalidInput, Conflict) as error:
        return await study_page(request, error=error.message, status_code=status_for(error))
    return await study_page(request, notice=notice)
