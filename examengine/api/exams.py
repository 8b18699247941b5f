"""Exams and sittings (API.md: Exams and sittings)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import (
    EnrolledOut,
    ExamCreated,
    ExamListOut,
    ExamOut,
    SittingCreated,
    SittingIn,
    SittingOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.exams import service as exams
from examengine.exams import sittings
from examengine.exams.definition import ExamDefinition
from examengine.http.request import current_user, services
from examengine.proctoring import access


def exam_out(view: exams.ExamVersionView) -> ExamOut:
    return ExamOut(
        exam_id=view.exam_id,
        version=view.version,
        status=view.status,
        code=view.code,
        title=view.title,
        created_at=view.created_at,
        published_at=view.published_at,
        definition=view.definition.model_dump(mode="json"),
    )


@operation(tags=["exams"], body=ExamDefinition, responses={201: ExamCreated}, errors=(409,))
async def create_exam(request: Request, body: ExamDefinition) -> Response:
    """Create an exam with its first draft version from a blueprint."""
    view = await services(request).db.run(exams.create_exam, definition=body, actor_id=current_user(request).user_id)
    return json_response(ExamCreated(exam_id=view.exam_id, version=view.version, status=view.status), 201)


@operation(tags=["exams"], responses={200: ExamListOut})
async def list_exams(request: Request) -> Response:
    """Every exam with its latest version."""
    views = await services(request).db.read(exams.list_exams)
    return json_response(ExamListOut(items=[exam_out(v) for v in views]))


@operation(tags=["exams"], responses={200: ExamOut}, errors=(404,))
async def get_exam(request: Request) -> Response:
    """An exam's latest version with its blueprint."""
    view = await services(request).db.read(exams.get_version, exam_id=request.path_params["exam_id"])
    return json_response(exam_out(view))


@operation(tags=["exams"], body=ExamDefinition, responses={201: ExamCreated}, errors=(404, 409))
async def new_exam_version(request: Request, body: ExamDefinition) -> Response:
    """A new draft version of an exam from a changed blueprint."""
    view = await services(request).db.run(
        exams.new_version,
        exam_id=request.path_params["exam_id"],
        definition=body,
        actor_id=current_user(request).user_id,
    )
    return json_response(ExamCreated(exam_id=view.exam_id, version=view.version, status=view.status), 201)


@operation(tags=["exams"], responses={200: ExamOut}, errors=(404, 409))
async def publish_exam(request: Request) -> Response:
    """Publish the latest draft, pinning the item versions behind each rule; 422 with the shortfall per rule."""
    view = await services(request).db.run(
        exams.publish, exam_id=request.path_params["exam_id"], actor_id=current_user(request).user_id
    )
    return json_response(exam_out(view))


@operation(tags=["sittings"], body=SittingIn, responses={201: SittingCreated}, errors=(404, 409))
async def create_sitting(request: Request, body: SittingIn) -> Response:
    """Schedule the exam's latest published version with proctors and enrolled candidates."""
    candidates = [sittings.EnrollmentRequest(**c.model_dump()) for c in body.candidates]
    view = await services(request).db.run(
        sittings.create_sitting,
        exam_id=body.exam_id,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        proctor_ids=body.proctor_ids,
        candidates=candidates,
        actor_id=current_user(request).user_id,
        title=body.title,
        location=body.location,
        requires_admission=body.requires_admission,
    )
    return json_response(SittingCreated(sitting_id=view.sitting_id), 201)


@operation(tags=["sittings"], responses={200: SittingOut}, errors=(404,))
async def get_sitting(request: Request) -> Response:
    """A sitting with its enrolled candidates and whether each may start now (admins; its own proctors)."""
    view = await services(request).db.read(
        access.watched_sitting_view, sitting_id=request.path_params["sitting_id"], who=current_user(request)
    )
    candidates: list[dict[str, Any]] = [c.__dict__ for c in view.candidates]
    return json_response(
        SittingOut(
            sitting_id=view.sitting_id,
            exam_id=view.exam_id,
            exam_code=view.exam_code,
            exam_version=view.exam_version,
            title=view.title,
            opens_at=view.opens_at,
            closes_at=view.closes_at,
            location=view.location,
            requires_admission=view.requires_admission,
            window=view.window_state(utcnow()),
            proctor_ids=list(view.proctor_ids),
            candidates=[EnrolledOut(**c) for c in candidates],
        )
    )
