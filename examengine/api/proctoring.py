"""Proctor actions beyond the per-attempt ones of API.md: crediting incident time, pausing a whole sitting, moving an
attempt to a new device."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from examengine.api.delivery import proctor_action
from examengine.api.schemas import NO_NUL, AttemptOut, ExtendIn, OptionalReasonIn, ReasonIn, Strict
from examengine.api.spec import json_response, operation
from examengine.delivery import credit, device
from examengine.http.request import current_user, services
from examengine.proctoring import announcements, sitting_actions


class SittingActionOut(BaseModel):
    sitting_id: str
    changed: int  # how many attempts were paused or resumed


@operation(tags=["proctoring"], body=ExtendIn, responses={200: AttemptOut}, errors=(404, 409, 422))
async def credit_time(request: Request, body: ExtendIn) -> Response:
    """Credit incident time (an outage): the deadline moves by the minutes, within the exam's cap on incident
    credit (422 credit_over_cap names what is left). Recorded on the timeline with the reason."""
    return await proctor_action(request, credit.credit, minutes=body.minutes, reason=body.reason)


@operation(tags=["proctoring"], body=ReasonIn, responses={200: AttemptOut}, errors=(404, 409, 422))
async def unlock_device(request: Request, body: ReasonIn) -> Response:
    """Move the attempt to a new device: the web session holding it is ended (that device is signed out) and the
    session refused for it (the candidate's new device) takes it, or the next session to open it when none is
    waiting. Answers and clock are kept. 409 device_not_held when no session holds it, attempt_* once finished."""
    return await proctor_action(request, device.move_to_new_device, reason=body.reason)


async def _sitting_action(request: Request, action: str, reason: str) -> Response:
    who = current_user(request)
    sitting_id = request.path_params["sitting_id"]

    def run(*, session: Session) -> int:
        act = sitting_actions.pause_sitting if action == "pause" else sitting_actions.resume_sitting
        return act(session=session, sitting_id=sitting_id, actor_id=who.user_id, reason=reason)

    changed = await services(request).db.run(run)
    return json_response(SittingActionOut(sitting_id=sitting_id, changed=changed))


@operation(tags=["proctoring"], body=ReasonIn, responses={200: SittingActionOut}, errors=(404,))
async def pause_sitting(request: Request, body: ReasonIn) -> Response:
    """Pause every attempt in progress in the sitting (each gets its own pause event with the reason)."""
    return await _sitting_action(request, "pause", body.reason)


@operation(tags=["proctoring"], body=OptionalReasonIn, responses={200: SittingActionOut}, errors=(404,))
async def resume_sitting(request: Request, body: OptionalReasonIn) -> Response:
    """Resume the attempts the sitting pause stopped; a candidate paused on their own stays paused."""
    return await _sitting_action(request, "resume", body.reason)


class AnnouncementIn(Strict):
    message: str = Field(min_length=1, max_length=1000, pattern=NO_NUL)


@operation(tags=["proctoring"], body=AnnouncementIn, responses={200: AttemptOut}, errors=(404, 409, 422))
async def announce(request: Request, body: AnnouncementIn) -> Response:
    """A message to the attempt's candidate, shown on their open exam page within seconds and recorded on the
    timeline (announcement). 409 attempt_closed once the attempt has finished."""
    return await proctor_action(request, announcements.announce, message=body.message)


@operation(tags=["proctoring"], body=AnnouncementIn, responses={200: SittingActionOut}, errors=(404, 422))
async def announce_sitting(request: Request, body: AnnouncementIn) -> Response:
    """A message to every candidate of the sitting still sitting (waiting, in progress or paused); `changed` says
    how many got it."""
    who = current_user(request)
    sitting_id = request.path_params["sitting_id"]
    changed = await services(request).db.run(
        announcements.announce_sitting, sitting_id=sitting_id, actor_id=who.user_id, message=body.message
    )
    return json_response(SittingActionOut(sitting_id=sitting_id, changed=changed))
