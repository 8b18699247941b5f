"""Delivery and proctoring of attempts (API.md: Delivery, Proctoring). Candidates reach only their own attempts;
proctors only attempts of sittings assigned to them; admins all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from examengine.accounts.credentials import Principal
from examengine.api.results import candidate_result_out
from examengine.api.schemas import (
    AttemptOut,
    AttemptStarted,
    EventIn,
    EventRecorded,
    ExtendIn,
    FlagIn,
    ItemForCandidateOut,
    LiveRowOut,
    LiveRowsOut,
    NoteIn,
    OptionalReasonIn,
    ReasonIn,
    SaveIn,
    SaveOut,
    SectionOut,
    SlotOut,
    SubmitOut,
    TimelineEventOut,
    TimelineOut,
)
from examengine.api.spec import json_response, operation
from examengine.clock import utcnow
from examengine.delivery import answers, attempt_view, attempts, navigation, sections, start
from examengine.delivery.attempt_view import AttemptView
from examengine.http.params import attempt_slot, section_index
from examengine.http.request import credential_check, current_user, services
from examengine.proctoring import access, dashboard, notes
from examengine.proctoring.access import watched_sitting
from examengine.programs import admission
from examengine.scoring import release
from examengine.workflows import finish

WATCH_ERRORS = (404, 409)


def sections_out(view: AttemptView) -> list[SectionOut]:
    return [
        SectionOut(title=title, slots=[SlotOut(slot=s.slot, answered=s.answered, flagged=s.flagged) for s in slots])
        for title, slots in view.sections
    ]


def attempt_out(view: AttemptView, *, with_responses: bool) -> AttemptOut:
    return AttemptOut(
        attempt_id=view.attempt_id,
        status=view.status,
        deadline=view.deadline,
        remaining_seconds=view.remaining_seconds,
        sections=sections_out(view),
        responses={str(k): v for k, v in view.responses.items()} if with_responses else {},
        flags=[s.slot for _, slots in view.sections for s in slots if s.flagged],
        answered=view.answered,
        total=view.total,
        started_at=view.started_at,
        finished_at=view.finished_at,
        open_section=view.open_section,
        clock_ends_exam=view.clock_ends_exam,
        current_slot=view.current_slot,
    )


@operation(tags=["delivery"], responses={201: AttemptStarted, 200: AttemptStarted}, errors=(404, 409))
async def start_attempt(request: Request) -> Response:
    """Start (201) or resume (200) the candidate's attempt in a sitting; refused with the rule that blocks it."""
    who = current_user(request)
    ctx = services(request)
    outcome = await start.start_attempt(
        ctx.db,
        sitting_id=request.path_params["sitting_id"],
        user_id=who.user_id,
        eligible=admission.eligibility,
        credential=credential_check(request),
    )
    view = outcome.view
    body = AttemptStarted(
        attempt_id=view.attempt_id,
        status=view.status,
        deadline=view.deadline,
        remaining_seconds=view.remaining_seconds,
        sections=sections_out(view),
        open_section=view.open_section,
        clock_ends_exam=view.clock_ends_exam,
    )
    return json_response(body, 201 if outcome.created else 200)


async def _watchable(request: Request, who: Principal) -> tuple[str, bool]:
    """The attempt id if the caller may see it, and whether they are its candidate."""
    attempt_id = request.path_params["attempt_id"]
    own = await services(request).db.read(access.own_or_watched_attempt, attempt_id=attempt_id, who=who)
    return attempt_id, own


async def _as_presented(request: Request, view: AttemptView) -> AttemptView:
    """The candidate's own view with answers in the identifiers their attempt shows (never authored ones)."""
    if not view.responses:
        return view
    responses = await services(request).db.read(
        answers.presented_answers, attempt_id=view.attempt_id, responses=view.responses
    )
    return replace(view, responses=responses)


@operation(tags=["delivery"], responses={200: AttemptOut}, errors=(404,))
async def get_attempt(request: Request) -> Response:
    """The attempt's state, time left (the server's clock), answers and flags."""
    who = current_user(request)
    attempt_id, own = await _watchable(request, who)

    def read(*, session: Session) -> AttemptView:
        attempt = attempts.load(session, attempt_id)
        view = attempt_view.view(session, attempt, utcnow())
        if not own:
            return view
        return replace(
            view, responses=answers.presented_answers(session=session, attempt=attempt, responses=view.responses)
        )

    view = await services(request).db.read(read)
    return json_response(attempt_out(view, with_responses=own))


@operation(tags=["delivery"], responses={200: ItemForCandidateOut}, errors=WATCH_ERRORS)
async def get_item(request: Request) -> Response:
    """The item in this slot as the candidate sees it: never a key, score or rationale. Option identifiers are
    the attempt's own (opaque, stable for the attempt, never the authored ones) and options come in the attempt's
    order: ordering, matching (both columns), association and gap-match options are always shuffled."""
    item = await services(request).db.read_hot(
        answers.item_for_candidate,
        attempt_id=request.path_params["attempt_id"],
        user_id=current_user(request).user_id,
        slot=attempt_slot(request),
        credential=credential_check(request),
    )
    return json_response(
        ItemForCandidateOut(
            slot=item.slot, section=item.section, item=item.view, response=item.response, flagged=item.flagged
        )
    )


@operation(tags=["delivery"], body=SaveIn, responses={200: SaveOut}, errors=WATCH_ERRORS)
async def save_response(request: Request, body: SaveIn) -> Response:
    """Save an answer; 200 means it is durable. A seq at or below the stored one changes nothing. Options are
    named by the identifiers GET .../items/{slot} gave this attempt ("ID" or ["ID", ...], pairs as "ID ID");
    any other identifier (an authored one included) is refused with 422 unknown_option."""
    result = await answers.save_answer(
        services(request).db,
        attempt_id=request.path_params["attempt_id"],
        user_id=current_user(request).user_id,
        slot=attempt_slot(request),
        response=body.response,
        seq=body.seq,
        credential=credential_check(request),
    )
    return json_response(
        SaveOut(slot=result.slot, saved_seq=result.saved_seq, remaining_seconds=result.remaining_seconds)
    )


@operation(tags=["delivery"], body=FlagIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def set_flag(request: Request, body: FlagIn) -> Response:
    """Flag an item for review, or clear the flag."""
    view = await services(request).db.run(
        answers.set_flag,
        attempt_id=request.path_params["attempt_id"],
        user_id=current_user(request).user_id,
        slot=attempt_slot(request),
        flagged=body.flagged,
    )
    return json_response(attempt_out(await _as_presented(request, view), with_responses=True))


@operation(tags=["delivery"], responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def finish_section(request: Request) -> Response:
    """Close the open timed section early; the next section opens now. Repeating it is harmless; the last
    section is finished by submitting (409 last_section)."""
    view = await services(request).db.run(
        sections.finish_section,
        attempt_id=request.path_params["attempt_id"],
        user_id=current_user(request).user_id,
        section=section_index(request),
    )
    return json_response(attempt_out(await _as_presented(request, view), with_responses=True))


@operation(tags=["delivery"], responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def next_item(request: Request) -> Response:
    """Linear navigation: go on from this question to the next (there is no way back). Repeating it is harmless;
    the last question of a timed section or of the exam answers 409 last_slot."""
    view = await services(request).db.run(
        navigation.advance,
        attempt_id=request.path_params["attempt_id"],
        user_id=current_user(request).user_id,
        from_slot=attempt_slot(request),
    )
    return json_response(attempt_out(await _as_presented(request, view), with_responses=True))


@operation(tags=["delivery"], body=EventIn, responses={201: EventRecorded}, errors=(404, 409))
async def report_event(request: Request, body: EventIn) -> Response:
    """Record a signal from the candidate's browser: focus_lost, fullscreen_exit, paste_attempt, … (422
    server_event for a kind the server detects itself, such as second_device; 409 attempt_* once finished). An
    `online` report's detail.offline_seconds is stored capped at the quiet the server itself saw."""
    await services(request).db.run(
        answers.report_event,
        attempt_id=request.path_params["attempt_id"],
        user_id=current_user(request).user_id,
        kind=body.type,
        client_time=body.client_time,
        detail=body.detail,
    )
    return json_response(EventRecorded(recorded=True), 201)


@operation(tags=["delivery"], responses={200: SubmitOut}, errors=WATCH_ERRORS)
async def submit(request: Request) -> Response:
    """Submit the attempt; repeating it is harmless."""
    finished = await finish.submit_and_finish(
        services(request).db, attempt_id=request.path_params["attempt_id"], who=current_user(request), now=utcnow()
    )
    found = finished.result
    result = candidate_result_out(found).model_dump(mode="json") if isinstance(found, release.CandidateResult) else None
    return json_response(SubmitOut(status=finished.view.status, result=result))


async def proctor_action(request: Request, action: Callable[..., AttemptView], **kwargs: object) -> Response:
    """A proctor's action: the service checks who may act (never on their own attempt), the reason, the minutes."""
    attempt_id = request.path_params["attempt_id"]
    view = await services(request).db.run(
        action, attempt_id=attempt_id, actor_id=current_user(request).user_id, **kwargs
    )
    return json_response(attempt_out(view, with_responses=False))


@operation(tags=["proctoring"], body=ReasonIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def pause(request: Request, body: ReasonIn) -> Response:
    """Pause the attempt: its clock stops and saves are refused until it is resumed."""
    return await proctor_action(request, attempts.pause, reason=body.reason)


@operation(tags=["proctoring"], body=OptionalReasonIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def resume(request: Request, body: OptionalReasonIn) -> Response:
    """Resume a paused attempt with the time it had left."""
    return await proctor_action(request, attempts.resume, reason=body.reason)


@operation(tags=["proctoring"], body=ExtendIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def extend(request: Request, body: ExtendIn) -> Response:
    """Give the attempt more minutes (never past the sitting's close), with the reason."""
    return await proctor_action(request, attempts.extend, minutes=body.minutes, reason=body.reason)


@operation(tags=["proctoring"], body=ReasonIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def terminate(request: Request, body: ReasonIn) -> Response:
    """End the attempt now, with the reason; it is closed and marked for review."""
    return await proctor_action(request, attempts.terminate, reason=body.reason)


@operation(tags=["proctoring"], responses={200: TimelineOut}, errors=(404,))
async def timeline(request: Request) -> Response:
    """Every event of the attempt in order, with server and client time."""
    attempt_id = request.path_params["attempt_id"]
    rows = await services(request).db.read(
        attempts.events, attempt_id=attempt_id, actor_id=current_user(request).user_id
    )
    return json_response(
        TimelineOut(
            attempt_id=attempt_id,
            events=[
                TimelineEventOut(
                    id=e.id or 0,
                    at=e.at,
                    type=e.type,
                    actor_id=e.actor_id,
                    client_time=e.client_time,
                    detail=e.detail,
                    prev_hash=e.prev_hash,
                    hash=e.hash,
                )
                for e in rows
            ],
        )
    )


@operation(tags=["proctoring"], body=NoteIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def add_note(request: Request, body: NoteIn) -> Response:
    """Add a note, or with a category an incident report, to the attempt's timeline (never shown to the candidate);
    an incident with `hold: true` withholds the result until an admin's incident decision."""
    return await proctor_action(request, notes.add_note, text=body.text, category=body.category, hold=body.hold)


@operation(tags=["proctoring"], body=OptionalReasonIn, responses={200: AttemptOut}, errors=WATCH_ERRORS)
async def admit(request: Request, body: OptionalReasonIn) -> Response:
    """Admit a checked-in candidate after the identity check: their clock starts now."""
    return await proctor_action(request, attempts.admit, reason=body.reason)


@operation(tags=["proctoring"], responses={200: LiveRowsOut}, errors=(404,))
async def live_rows(request: Request) -> Response:
    """One live row per enrolled candidate: status, progress, time left, last activity, incidents."""
    who = current_user(request)
    sitting_id = request.path_params["sitting_id"]

    def read(*, session: Session) -> list[dashboard.CandidateRow]:
        watched_sitting(session=session, sitting_id=sitting_id, user_id=who.user_id)
        return dashboard.sitting_rows(session=session, sitting_id=sitting_id, now=utcnow(), viewer_id=who.user_id)

    rows = await services(request).db.read(read)
    return json_response(
        LiveRowsOut(
            sitting_id=sitting_id,
            items=[
                LiveRowOut(
                    attempt_id=r.attempt_id,
                    user_id=r.user_id,
                    candidate=r.candidate,
                    email=r.email,
                    status=r.status,
                    answered=r.answered,
                    total=r.total,
                    remaining_seconds=r.remaining_seconds,
                    last_seen=r.last_seen,
                    connection=r.connection,
                    offline_for_seconds=r.offline_for_seconds,
                    incidents=r.incidents,
                    attention=list(r.attention),
                )
                for r in rows
            ],
        )
    )
