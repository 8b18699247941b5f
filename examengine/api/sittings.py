"""Sittings (API.md: Exams and sittings; Running the program): scheduling, reading, changing, cancelling,
enrolling and removing candidates, and an exam's list of sittings."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from examengine.api.schemas import EnrolledOut, SittingCreated
from examengine.api.sitting_schemas import (
    CancelIn,
    CancelledOut,
    EnrolIn,
    EnrolledCandidateOut,
    NewSittingIn,
    RemovedOut,
    SittingListOut,
    SittingListQuery,
    SittingPatchIn,
    SittingRowOut,
    SittingStateOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.delivery import sitting_changes
from examengine.exams import sitting_list, sittings
from examengine.exams.seats import SeatTerms
from examengine.http.request import current_user, services
from examengine.proctoring import access
from examengine.workflows import accommodated_enrolment


def sitting_out(view: sittings.SittingView) -> SittingStateOut:
    candidates: list[dict[str, Any]] = [c.__dict__ for c in view.candidates]
    return SittingStateOut(
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
        status=view.status.value,
        capacity=view.capacity,
        time_zone=view.time_zone,
        cancelled_at=view.cancelled_at,
        cancel_reason=view.cancel_reason,
        bookable=view.bookable,
        booking_closes_at=view.booking_closes_at,
        cancel_closes_at=view.cancel_closes_at,
    )


@operation(tags=["sittings"], body=NewSittingIn, responses={201: SittingCreated}, errors=(404, 409))
async def create_sitting(request: Request, body: NewSittingIn) -> Response:
    """Schedule the exam's latest published version with proctors and enrolled candidates."""
    candidates = [sittings.EnrollmentRequest(**c.model_dump()) for c in body.candidates]
    view = await services(request).db.run(
        accommodated_enrolment.create_sitting,
        exam_id=body.exam_id,
        opens_at=body.opens_at,
        closes_at=body.closes_at,
        proctor_ids=body.proctor_ids,
        candidates=candidates,
        actor_id=current_user(request).user_id,
        title=body.title,
        location=body.location,
        requires_admission=body.requires_admission,
        capacity=body.capacity,
        time_zone=body.time_zone,
        seats=SeatTerms(body.bookable, body.booking_closes_at, body.cancel_closes_at),
    )
    return json_response(SittingCreated(sitting_id=view.sitting_id), 201)


@operation(tags=["sittings"], responses={200: SittingStateOut}, errors=(404,))
async def get_sitting(request: Request) -> Response:
    """A sitting with its status, enrolled candidates and whether each may start now (admins; its own proctors)."""
    view = await services(request).db.read(
        access.watched_sitting_view, sitting_id=request.path_params["sitting_id"], who=current_user(request)
    )
    return json_response(sitting_out(view))


@operation(tags=["sittings"], body=SittingPatchIn, responses={200: SittingStateOut}, errors=(404, 409))
async def update_sitting(request: Request, body: SittingPatchIn) -> Response:
    """Change the window, proctors, capacity or zone (only the fields given). 409 `would_cut_attempt` when the new
    close comes before a running attempt's deadline; 409 `sitting_cancelled` once cancelled."""
    view = await services(request).db.run(
        sitting_changes.update_sitting,
        sitting_id=request.path_params["sitting_id"],
        actor_id=current_user(request).user_id,
        **body.changes(),
    )
    return json_response(sitting_out(view))


@operation(tags=["sittings"], body=CancelIn, responses={200: CancelledOut}, errors=(404, 409))
async def cancel_sitting(request: Request, body: CancelIn) -> Response:
    """Cancel a sitting nobody has started, with the reason its candidates are shown; 409 once anyone started."""
    view = await services(request).db.run(
        sitting_changes.cancel_sitting,
        sitting_id=request.path_params["sitting_id"],
        actor_id=current_user(request).user_id,
        reason=body.reason,
    )
    return json_response(CancelledOut(sitting_id=view.sitting_id, status=view.status.value))


@operation(tags=["sittings"], body=EnrolIn, responses={201: EnrolledCandidateOut}, errors=(404, 409))
async def enrol_candidate(request: Request, body: EnrolIn) -> Response:
    """Enrol a candidate with their accommodations (each the larger of the one given and the one granted on
    request); 409 `sitting_full`, `already_enrolled` or `sitting_cancelled`."""
    view = await services(request).db.run(
        accommodated_enrolment.enrol_candidate,
        sitting_id=request.path_params["sitting_id"],
        actor_id=current_user(request).user_id,
        request=sittings.EnrollmentRequest(**body.model_dump()),
    )
    enrolled = next(c for c in view.candidates if c.user_id == body.user_id)
    return json_response(
        EnrolledCandidateOut(
            sitting_id=view.sitting_id,
            user_id=body.user_id,
            time_multiplier=enrolled.time_multiplier,
            extra_minutes=enrolled.extra_minutes,
            enrolled=len(view.candidates),
            capacity=view.capacity,
        ),
        201,
    )


@operation(tags=["sittings"], responses={200: RemovedOut}, errors=(404, 409))
async def remove_candidate(request: Request) -> Response:
    """Take a candidate who has not started off the sitting; 409 `candidate_started` once they started."""
    user_id = request.path_params["user_id"]
    view = await services(request).db.run(
        sitting_changes.remove_candidate,
        sitting_id=request.path_params["sitting_id"],
        user_id=user_id,
        actor_id=current_user(request).user_id,
    )
    return json_response(RemovedOut(sitting_id=view.sitting_id, user_id=user_id, enrolled=len(view.candidates)))


@operation(tags=["sittings"], query=SittingListQuery, responses={200: SittingListOut}, errors=(404,))
async def exam_sittings(request: Request, query: SittingListQuery) -> Response:
    """The exam's sittings, latest opening first, with their status, a page at a time."""
    page = await services(request).db.read(
        sitting_list.exam_sittings,
        exam_id=request.path_params["exam_id"],
        now=utcnow(),
        cursor=query.cursor,
        limit=query.limit,
    )
    items = [SittingRowOut(**{**row.__dict__, "status": row.status.value}) for row in page.items]
    return json_response(SittingListOut(items=items, next_cursor=page.next_cursor))
