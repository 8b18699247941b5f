"""Appeals (API.md "Score reports, incidents, appeals"): filing, assigning, deciding, reading and the counts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.appeal_schemas import (
    AppealFiled,
    AppealIn,
    AppealListOut,
    AppealListQuery,
    AppealOut,
    AssignIn,
    DecisionIn,
    SummaryOut,
    SummaryQuery,
    appeal_out,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.http.request import current_user, services
from examengine.programs import appeal_reads, appeal_summary, appeals
from examengine.programs.appeal_models import AppealGrounds, AppealStatus, AppealSubject, Remedy


def _appeal_id(request: Request) -> str:
    return str(request.path_params["appeal_id"])


@operation(tags=["appeals"], body=AppealIn, responses={201: AppealFiled}, errors=(404, 409))
async def file_appeal(request: Request, body: AppealIn) -> Response:
    """Appeal a decision about yourself: a denied application or accommodation request, an invalidated result, a
    suspended or revoked credential. 404 for a subject that is not yours; 409 `decision_not_adverse`,
    `appeal_period_over` or `appeal_open`; 422 `statement_required`."""
    appeal = await services(request).db.run(
        appeals.file_appeal,
        appellant_id=current_user(request).user_id,
        subject_type=AppealSubject(body.subject_type),
        subject_id=body.subject_id,
        grounds=AppealGrounds(body.grounds),
        statement=body.statement,
        now=utcnow(),
    )
    return json_response(AppealFiled(appeal_id=appeal.id, status="filed"), 201)


async def _view(request: Request) -> Response:
    view = await services(request).db.read(
        appeal_reads.get_appeal, appeal_id=_appeal_id(request), who=current_user(request)
    )
    return json_response(appeal_out(view))


@operation(tags=["appeals"], body=AssignIn, responses={200: AppealOut}, errors=(404, 409))
async def assign(request: Request, body: AssignIn) -> Response:
    """Assign the appeal's reviewer (admin; again until decided). 422 `reviewer_not_eligible` for someone without
    the appeals_reviewer or admin role; 409 `reviewer_conflict` for who made the decision appealed (or appeals it)."""
    await services(request).db.run(
        appeals.assign,
        appeal_id=_appeal_id(request),
        reviewer_id=body.reviewer_id,
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    return await _view(request)


@operation(tags=["appeals"], body=DecisionIn, responses={200: AppealOut}, errors=(404, 409))
async def decide(request: Request, body: DecisionIn) -> Response:
    """Uphold or deny (the assigned reviewer only: 403 `not_assigned_reviewer`) with a reason (422
    `reason_required`) and, when upheld, a remedy fitting the subject (422 `remedy_not_applicable`)."""
    await services(request).db.run(
        appeals.decide,
        appeal_id=_appeal_id(request),
        who=current_user(request),
        outcome=AppealStatus(body.outcome),
        reason=body.reason,
        remedy=Remedy(body.remedy) if body.remedy else None,
        now=utcnow(),
    )
    return await _view(request)


@operation(tags=["appeals"], responses={200: AppealOut}, errors=(404,))
async def get_appeal(request: Request) -> Response:
    """One appeal, for its appellant, its assigned reviewer and admins (404 for anyone else)."""
    return await _view(request)


@operation(tags=["appeals"], query=AppealListQuery, responses={200: AppealListOut}, errors=())
async def list_appeals(request: Request, query: AppealListQuery) -> Response:
    """`mine=true`: your own appeals. Otherwise admins see all, appeals reviewers those assigned to them, anyone
    else their own. Newest first."""
    page = await services(request).db.read(
        appeal_reads.list_appeals,
        who=current_user(request),
        mine=query.mine,
        status=AppealStatus(query.status) if query.status else None,
        cursor=query.cursor,
        limit=query.limit,
    )
    return json_response(AppealListOut(items=[appeal_out(v) for v in page.items], next_cursor=page.next_cursor))


@operation(tags=["appeals"], query=SummaryQuery, responses={200: SummaryOut}, errors=())
async def summary(request: Request, query: SummaryQuery) -> Response:
    """Counts of the appeals filed from `from` to `to` (UTC dates, inclusive) for the annual report: by subject
    type, by outcome, still open, and the median and mean days from filing to decision."""
    found = await services(request).db.read(appeal_summary.summary, since=query.from_, until=query.to)
    return json_response(SummaryOut(**found.__dict__))
