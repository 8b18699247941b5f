"""Marking, rescoring and retake exceptions (API.md: Results and analysis)."""

from __future__ import annotations

from dataclasses import asdict

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.marking_schemas import (
    ClaimIn,
    EarlierMarkOut,
    MarkIn,
    MarkingQueueOut,
    MarkingTaskOut,
    MarkOut,
    QueueGroupOut,
    RescoreChangeOut,
    RescoreIn,
    RescoreOut,
    ResultNumbersOut,
    RetakeExceptionIn,
    RetakeExceptionOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.marking import marks
from examengine.marking import queue as marking_queue
from examengine.marking.view import MarkingTask, marking_task
from examengine.scoring import rescoring, retake_exceptions
from examengine.scoring.models import RescoreKind, RetakeExceptionKind
from examengine.web.auth import current_user, services
from examengine.web.params import attempt_slot


def task_out(task: MarkingTask) -> MarkingTaskOut:
    return MarkingTaskOut(
        script_id=task.script_id,
        slot=task.slot,
        stage=int(task.stage),
        stage_name=task.stage_name,
        exam_code=task.exam_code,
        exam_title=task.exam_title,
        item_title=task.item_title,
        item=task.item_view,
        response=task.responses or task.answer_text or None,
        rubrics=[str(r) for r in task.rubrics],
        guidance=str(task.guidance),
        max_score=task.max_score,
        claimed_until=task.claimed_until,
        earlier_marks=[EarlierMarkOut(**asdict(m)) for m in task.earlier_marks],
    )


@operation(tags=["marking"], responses={200: MarkingQueueOut})
async def queue(request: Request) -> Response:
    """Answers waiting for a person's mark, grouped by exam and item."""
    groups = await services(request).db.read(marking_queue.queue, marker_id=current_user(request).user_id, now=utcnow())
    items = [
        QueueGroupOut(
            exam_id=g.exam_id,
            exam_code=g.exam_code,
            exam_title=g.exam_title,
            item_id=g.item_id,
            item_title=g.item_title,
            waiting=g.waiting,
            available=g.for_you,
            stages=dict(g.by_stage),
        )
        for g in groups
    ]
    return json_response(MarkingQueueOut(items=items))


@operation(tags=["marking"], body=ClaimIn, responses={201: MarkingTaskOut}, errors=(404,))
async def claim(request: Request, body: ClaimIn) -> Response:
    """Claim the next answer to mark (reserved for the caller for a while) and return it."""
    who = current_user(request).user_id
    now = utcnow()
    claimed = await services(request).db.run(
        marking_queue.claim_next, marker_id=who, now=now, exam_id=body.exam_id, item_id=body.item_id
    )
    task = await services(request).db.read(
        marking_task, script_id=claimed.script_id, slot=claimed.slot, marker_id=who, now=now
    )
    return json_response(task_out(task), status_code=201)


@operation(tags=["marking"], responses={200: MarkingTaskOut}, errors=(404, 409))
async def task(request: Request) -> Response:
    """One answer to mark, as the marker sees it."""
    found = await services(request).db.read(
        marking_task,
        script_id=str(request.path_params["script_id"]),
        slot=attempt_slot(request),
        marker_id=current_user(request).user_id,
        now=utcnow(),
    )
    return json_response(task_out(found))


@operation(tags=["marking"], body=MarkIn, responses={200: MarkOut}, errors=(404, 409))
async def mark(request: Request, body: MarkIn) -> Response:
    """Record a mark for the answer at the stage it was opened for."""
    recorded = await services(request).db.run(
        marks.submit_mark,
        script_id=str(request.path_params["script_id"]),
        slot=attempt_slot(request),
        stage=body.stage,
        score=body.score,
        marker_id=current_user(request).user_id,
        now=utcnow(),
        comment=body.comment,
    )
    return json_response(
        MarkOut(
            script_id=recorded.script_id,
            slot=recorded.slot,
            stage=int(recorded.stage),
            final_score=recorded.final_score,
            result_status=str(recorded.result_status),
        )
    )


def _numbers(values: dict[str, object]) -> ResultNumbersOut:
    return ResultNumbersOut.model_validate({**values, "status": str(values["status"])})


@operation(tags=["results"], body=RescoreIn, responses={200: RescoreOut}, errors=(404,))
async def rescore(request: Request, body: RescoreIn) -> Response:
    """Preview (default) or apply a rescoring decision about one item of one exam version."""
    decision = rescoring.DecisionRequest(
        version=body.version,
        item_id=body.item_id,
        kind=RescoreKind(body.decision),
        reason=body.reason,
        item_version=body.item_version,
    )
    exam_id = str(request.path_params["exam_id"])
    if body.apply:
        plan = await services(request).db.run(
            rescoring.apply_rescore,
            exam_id=exam_id,
            request=decision,
            actor_id=current_user(request).user_id,
            now=utcnow(),
        )
    else:
        plan = await services(request).db.read(
            rescoring.preview_rescore, exam_id=exam_id, request=decision, now=utcnow()
        )
    return json_response(
        RescoreOut(
            applied=body.apply,
            decision_id=plan.decision_id,
            results_considered=plan.results_considered,
            changes=[
                RescoreChangeOut(
                    attempt_id=c.attempt_id,
                    user_id=c.user_id,
                    candidate=c.candidate,
                    email=c.email,
                    before=_numbers(c.before),
                    after=_numbers(c.after),
                    pass_changed=c.pass_changed,
                )
                for c in plan.changes
            ],
            pass_fail_changes=[c.attempt_id for c in plan.pass_fail_changes],
            certificates_revoked=list(plan.certificates_revoked),
        )
    )


@operation(tags=["results"], body=RetakeExceptionIn, responses={201: RetakeExceptionOut}, errors=(404,))
async def grant_retake_exception(request: Request, body: RetakeExceptionIn) -> Response:
    """Record an exception to the exam's retake policy for one candidate."""
    granted = await services(request).db.run(
        retake_exceptions.grant,
        exam_id=str(request.path_params["exam_id"]),
        user_id=body.user_id,
        kind=RetakeExceptionKind(body.kind),
        reason=body.reason,
        actor_id=current_user(request).user_id,
        now=utcnow(),
    )
    out = RetakeExceptionOut(
        id=granted.id or 0,
        user_id=granted.user_id,
        exam_id=granted.exam_id,
        kind=str(granted.kind),
        reason=granted.reason,
        granted_by=granted.granted_by,
        granted_at=granted.granted_at,
    )
    return json_response(out, status_code=201)
