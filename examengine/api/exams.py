"""Exams (API.md: Exams and sittings); the sittings are in examengine.api.sittings."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import ExamCreated, ExamListOut, ExamOut
from examengine.api.spec import json_response, operation
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from examengine.http.request import current_user, services


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
