"""Admin pages for an exam's results: the filtered table, releasing, retake exceptions and rescoring."""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.certificates import issuing as certificates
from examengine.clock import utcnow
from examengine.delivery import termination
from examengine.delivery.states import TerminationDecision
from examengine.errors import DomainError, InvalidInput
from examengine.exams import service as exams
from examengine.exams import versions
from examengine.http.downloads import csv_download
from examengine.http.request import current_user, services
from examengine.programs import credentials as program_credentials
from examengine.scoring import export, release, rescoring, retake_exceptions
from examengine.scoring.admin_results import ResultFilters, exam_results
from examengine.scoring.models import RescoreKind, ResultStatus, RetakeExceptionKind
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render
from examengine.workflows import rescore as rescore_workflow

HEX_ID = re.compile(r"[0-9a-f]{1,32}")
NOTICES = {
    "released": "The results were released.",
    "exception": "The retake exception was recorded.",
    "decided": "The decision about the terminated attempt was recorded.",
}
DECISION_LABELS = {
    TerminationDecision.ALLOW_RETAKE.value: "Let retake: may start a new attempt now; this one does not count",
    TerminationDecision.VOID.value: "Void: the attempt is annulled (no result); retake rules apply to the others",
    TerminationDecision.UPHOLD.value: "Uphold: the termination stands; the attempt counts as used, no result",
}
KIND_LABELS = {
    RescoreKind.NEW_VERSION: "Score against a corrected version of the item",
    RescoreKind.CREDIT_ALL: "Score as correct for everyone",
    RescoreKind.DROP: "Drop the item (its points leave the score and the maximum)",
}


def _filters(request: Request) -> ResultFilters:
    query = request.query_params
    status = query.get("status", "")
    outcome = query.get("outcome", "")
    return ResultFilters(
        sitting_id=sitting if HEX_ID.fullmatch(sitting := query.get("sitting", "")) else None,
        status=ResultStatus(status) if status in {s.value for s in ResultStatus} else None,
        outcome="passed" if outcome == "passed" else "failed" if outcome == "failed" else None,
    )


async def results(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    filters = _filters(request)
    page = await services(request).db.read(exam_results, exam_id=exam_id, filters=filters, now=utcnow())
    context = {
        "page": page,
        "filters": filters,
        "notice": NOTICES.get(request.query_params.get("notice", "")),
        "kinds": [(k.value, k.value.replace("_", " ")) for k in RetakeExceptionKind],
        "decisions": DECISION_LABELS,
    }
    return render(request, "admin/results.html", context)


async def results_csv(request: Request) -> Response:
    """The results download the page links to: the same file as the API's, under the page's session."""
    text = await services(request).db.read(export.results_csv, exam_id=str(request.path_params["exam_id"]))
    return csv_download(text, "results.csv")


async def release_results(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    sitting_id = text_field(form, "sitting_id")[:32] or None
    version_text = text_field(form, "version")
    version = int(version_text) if version_text.isdecimal() and len(version_text) < 10 else None
    await services(request).db.run(
        release.release_results,
        exam_id=exam_id,
        actor_id=current_user(request).user_id,
        now=utcnow(),
        version=None if sitting_id else version,
        sitting_id=sitting_id,
    )
    await services(request).db.run(certificates.issue_due, now=utcnow(), exam_id=exam_id)
    await services(request).db.run(program_credentials.award_due, exam_id=exam_id)
    return RedirectResponse(f"/admin/exams/{exam_id}/results?notice=released", status_code=303)


async def grant_exception(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    kind = text_field(form, "kind")
    if kind not in {k.value for k in RetakeExceptionKind}:
        raise InvalidInput("Choose the kind of exception: an extra attempt or waiving the wait.", code="kind")
    await services(request).db.run(
        retake_exceptions.grant,
        exam_id=exam_id,
        user_id=text_field(form, "user_id"),
        kind=RetakeExceptionKind(kind),
        reason=text_field(form, "reason"),
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return RedirectResponse(f"/admin/exams/{exam_id}/results?notice=exception", status_code=303)


async def decide_termination(request: Request) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    await services(request).db.run(
        termination.decide,
        exam_id=exam_id,
        attempt_id=str(request.path_params["attempt_id"]),
        decision=text_field(form, "decision"),
        reason=text_field(form, "reason"),
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return RedirectResponse(f"/admin/exams/{exam_id}/results?notice=decided", status_code=303)


def _rescore_choices(*, session: Session, exam_id: str) -> dict[str, Any]:
    return {
        "exam": exams.get_version(session=session, exam_id=exam_id),
        "versions": versions.version_numbers(session=session, exam_id=exam_id, published=True),
        "items": rescoring.rescorable_items(session=session, exam_id=exam_id),
        "kinds": [(k.value, label) for k, label in KIND_LABELS.items()],
    }


def _request_from(form: FormData) -> rescoring.DecisionRequest:
    kind = text_field(form, "kind")
    if kind not in {k.value for k in RescoreKind}:
        raise InvalidInput("Choose what to do with the item.", code="kind")
    version_text, item_version_text = text_field(form, "version"), text_field(form, "item_version").strip()
    if not version_text.isdecimal() or len(version_text) > 9:
        raise InvalidInput("Choose the exam version.", code="version")
    if item_version_text and (not item_version_text.isdecimal() or len(item_version_text) > 9):
        raise InvalidInput("The corrected item version is a whole number.", code="item_version")
    return rescoring.DecisionRequest(
        version=int(version_text),
        item_id=text_field(form, "item_id")[:32],
        kind=RescoreKind(kind),
        reason=text_field(form, "reason")[:2000],
        item_version=int(item_version_text) if item_version_text else None,
    )


async def _rescore_page(
    request: Request,
    *,
    chosen: dict[str, str],
    plan: rescoring.RescorePlan | None,
    applied: bool,
    error: str | None,
    status: int = 200,
) -> Response:
    exam_id = str(request.path_params["exam_id"])
    choices = await services(request).db.read(_rescore_choices, exam_id=exam_id)
    context = {**choices, "chosen": chosen, "plan": plan, "applied": applied, "error": error}
    return render(request, "admin/rescore.html", context, status_code=status)


async def rescore_form(request: Request) -> Response:
    return await _rescore_page(request, chosen={}, plan=None, applied=False, error=None)


async def _rescore(request: Request, *, apply: bool) -> Response:
    exam_id = str(request.path_params["exam_id"])
    form = await read_form(request)
    chosen = {name: text_field(form, name) for name in ("version", "item_id", "kind", "item_version", "reason")}
    try:
        decision = _request_from(form)
        plan = await rescore_workflow.rescore(
            services(request).db,
            exam_id=exam_id,
            decision=decision,
            actor=current_user(request),
            apply=apply,
            now=utcnow(),
        )
    except DomainError as error:
        return await _rescore_page(
            request, chosen=chosen, plan=None, applied=False, error=error.message, status=status_for(error)
        )
    return await _rescore_page(request, chosen=chosen, plan=plan, applied=apply, error=None)


async def rescore_preview(request: Request) -> Response:
    return await _rescore(request, apply=False)


async def rescore_apply(request: Request) -> Response:
    return await _rescore(request, apply=True)
