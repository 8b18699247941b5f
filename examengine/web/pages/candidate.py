"""Candidate pages: my exams, check-in, one item per page with autosave, review, submit.

Every page works as plain forms without JavaScript; static/exam/ adds autosave on change with an offline queue,
the ticking countdown and the browser signals. Time always comes from the server.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from examengine.clock import utcnow
from examengine.delivery import answers, attempt_view, device, navigation, overview, sections, start
from examengine.delivery.states import FINAL, AttemptStatus
from examengine.errors import Conflict, DomainError, InvalidInput, MalformedInput
from examengine.http.json_body import read_json
from examengine.http.params import attempt_slot, section_index
from examengine.http.request import credential_check, current_user, services
from examengine.programs.admission import eligibility as admitted
from examengine.scoring import release
from examengine.web.errors import domain_error_json, error_body, status_for
from examengine.web.forms import read_form, text_field
from examengine.web.pages import certificates as certificate_pages
from examengine.web.pages.item_markup import PREFIX, item_markup
from examengine.web.templating import navigate, render
from examengine.workflows import finish
from itembank.html import responses_from_form, unknown_values

T = TypeVar("T")


def _attempt_id(request: Request) -> str:
    return str(request.path_params["attempt_id"])


async def my_exams(request: Request) -> Response:
    rows = await services(request).db.read(
        overview.candidate_sittings, user_id=current_user(request).user_id, now=utcnow(), eligible=admitted
    )
    certificates = await certificate_pages.codes_by_attempt(request)
    return render(request, "candidate/home.html", {"sittings": rows, "agree_error": None, "certificates": certificates})


async def start_attempt(request: Request) -> Response:
    form = await read_form(request)
    sitting_id = str(request.path_params["sitting_id"])
    if text_field(form, "agree") != "yes":
        rows = await services(request).db.read(
            overview.candidate_sittings, user_id=current_user(request).user_id, now=utcnow(), eligible=admitted
        )
        certificates = await certificate_pages.codes_by_attempt(request)
        context = {"sittings": rows, "agree_error": sitting_id, "certificates": certificates}
        return render(request, "candidate/home.html", context, status_code=422)
    outcome = await start.start_attempt(
        services(request).db, sitting_id=sitting_id, user_id=current_user(request).user_id, eligible=admitted
    )
    return RedirectResponse(f"/candidate/attempts/{outcome.view.attempt_id}", status_code=303)


def _holder(request: Request) -> str | None:
    return device.holder_of(current_user(request))


def _device_lock_page(handler: Callable[..., Awaitable[Response]]) -> Callable[..., Awaitable[Response]]:
    """A page of the attempt answers a session that does not hold it with the device lock's page (409)."""

    @functools.wraps(handler)
    async def page(request: Request, **kwargs: Any) -> Response:
        try:
            return await handler(request, **kwargs)
        except Conflict as error:
            if error.code != device.LOCKED_CODE:
                raise
            context = {"attempt_id": _attempt_id(request), "message": error.message}
            return render(request, "candidate/device_locked.html", context, status_code=409)

    return page


async def _view(request: Request) -> attempt_view.AttemptView:
    view, _ = await _view_and(request, lambda session, page, now: None)
    return view


async def _view_and(
    request: Request, also: Callable[[Any, attempt_view.AttemptPage, datetime], T]
) -> tuple[attempt_view.AttemptView, T]:
    """The candidate's attempt behind the device lock, and what `also` reads beside it in the same unit of work: a
    read, and a write only while this session does not hold the attempt yet (it takes a free attempt, or is
    refused with device_locked). On a `rechecked` route (the item page) the read re-checks the session first."""
    user_id, holder, now = current_user(request).user_id, _holder(request), utcnow()
    credential = credential_check(request)

    def read(*, session: Any) -> tuple[attempt_view.AttemptView, bool, T]:
        page = attempt_view.page(session, _attempt_id(request), user_id, now, credential)
        return page.view, device.needs_claim(page.attempt, holder), also(session, page, now)

    view, unclaimed, extra = await services(request).db.read_hot(read)
    if unclaimed:
        await services(request).db.run(device.claim, attempt_id=view.attempt_id, user_id=user_id, holder=holder)
    return view, extra


@_device_lock_page
async def attempt_home(request: Request) -> Response:
    view = await _view(request)
    # The waiting room polls this address with htmx: once admitted (or finished) the whole next page must load.
    if view.status in FINAL:
        return navigate(request, f"/candidate/attempts/{view.attempt_id}/done")
    if view.status == AttemptStatus.WAITING:
        return render(request, "candidate/waiting.html", {"view": view})
    reachable = _reachable_slots(view)
    first_open = next((s.slot for s in reachable if not s.answered), reachable[0].slot if reachable else 1)
    if view.current_slot is not None:
        first_open = view.current_slot
    return navigate(request, f"/candidate/attempts/{view.attempt_id}/items/{first_open}")


@_device_lock_page
async def sign_out_page(request: Request) -> Response:
    """Sign out asks first during an attempt: the clock keeps running, and only this browser gets the attempt back
    without the proctor (its device cookie). The page's form posts to the ordinary /logout."""
    view = await _view(request)
    if view.status in FINAL:
        return RedirectResponse(f"/candidate/attempts/{view.attempt_id}/done", status_code=303)
    return render(request, "candidate/sign_out.html", {"view": view})


def _reachable_slots(view: attempt_view.AttemptView) -> list[attempt_view.SlotState]:
    """The slots the candidate may visit: all of them, the open section's when sections are timed, or only the
    current one when navigation is linear."""
    return [
        s
        for index, (_, slots) in enumerate(view.sections)
        for s in slots
        if (view.open_section is None or index == view.open_section)
        and (view.current_slot is None or s.slot == view.current_slot)
    ]


def _next_in_order(view: attempt_view.AttemptView, slot: int) -> int | None:
    """Linear navigation: whether a question follows in the open section (or the exam), for the Next button."""
    parts = view.sections if view.open_section is None else [view.sections[view.open_section]]
    order = [s.slot for _, slots in parts for s in slots]
    return order[order.index(slot) + 1] if slot in order and order.index(slot) + 1 < len(order) else None


def _neighbours(view: attempt_view.AttemptView, slot: int) -> tuple[int | None, int | None]:
    order = [s.slot for s in _reachable_slots(view)]
    index = order.index(slot) if slot in order else 0
    return (order[index - 1] if index > 0 else None, order[index + 1] if index + 1 < len(order) else None)


def _shows(view: attempt_view.AttemptView, slot: int) -> bool:
    """Whether the item page can show this slot now: the attempt is under way and the slot is reachable."""
    if view.status in FINAL or view.status == AttemptStatus.WAITING:
        return False
    restricted = view.open_section is not None or view.current_slot is not None
    return not restricted or slot in {s.slot for s in _reachable_slots(view)}


@_device_lock_page
async def item_page(request: Request, *, notice: str | None = None, status_code: int = 200) -> Response:
    slot = attempt_slot(request)

    def item_if_shown(session: Any, page: attempt_view.AttemptPage, now: datetime) -> answers.ItemForCandidate | None:
        if not _shows(page.view, slot):
            return None
        return answers.shown_item(session, page.attempt, page.slots.get(slot), slot, now)

    view, item = await _view_and(request, item_if_shown)
    if view.status in FINAL:
        return RedirectResponse(f"/candidate/attempts/{view.attempt_id}/done", status_code=303)
    if item is None:
        return RedirectResponse(f"/candidate/attempts/{view.attempt_id}", status_code=303)
    paused = view.status == AttemptStatus.PAUSED
    previous, following = _neighbours(view, slot)
    if view.current_slot is not None:
        following = _next_in_order(view, slot)
    context = {
        "view": view,
        "slot": slot,
        "item": item,
        "previous": previous,
        "following": following,
        "item_html": item_markup(services(request).caches, view.attempt_id, item, disabled=paused),
        "paused": paused,
        "notice": notice,
        "saved_seq": item.seq,
        "position": next(i for i, s in enumerate((s for _, ss in view.sections for s in ss), 1) if s.slot == slot),
        "last_section": _in_last_section(view),
    }
    return render(request, "candidate/attempt.html", context, status_code=status_code)


def _slot_value(view: dict[str, Any], form_items: list[tuple[str, str]]) -> Any:
    values = responses_from_form(view, form_items, name_prefix=PREFIX)
    if all(value is None for value in values.values()):
        return None
    if len(values) == 1:
        return next(iter(values.values()))
    return values


async def _save_form(request: Request, slot: int, seq: int | None) -> answers.SaveResult:
    form = await read_form(request)
    user_id = current_user(request).user_id
    item = await services(request).db.read_hot(
        answers.item_for_candidate, attempt_id=_attempt_id(request), user_id=user_id, slot=slot
    )
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    if unknown_values(item.view, fields, name_prefix=PREFIX):
        await services(request).db.run(
            answers.refuse_unshown,
            attempt_id=_attempt_id(request),
            user_id=user_id,
            slot=slot,
            holder=_holder(request),
            credential=credential_check(request),
        )
        raise InvalidInput(
            "The answer names an option this page did not show (reload the question and answer again).",
            code="unknown_option",
        )
    value = _slot_value(item.view, fields)
    if seq is None:
        seq = item.seq + 1
    return await answers.save_answer(
        services(request).db,
        attempt_id=_attempt_id(request),
        user_id=user_id,
        slot=slot,
        response=value,
        seq=seq,
        holder=_holder(request),
        credential=credential_check(request),
    )


@_device_lock_page
async def item_submit(request: Request) -> Response:
    """The no-JavaScript path: save the form, then go where the pressed button says."""
    slot = attempt_slot(request)
    form = await read_form(request)
    action = text_field(form, "action") or "stay"
    raw_seq = text_field(form, "seq")
    try:
        # A page rendered while paused showed no question, so its form carries no answer: it must not clear one.
        if text_field(form, "question_hidden") != "yes":
            await _save_form(request, slot, int(raw_seq) if raw_seq.isdecimal() and len(raw_seq) < 18 else None)
    except DomainError as error:
        if error.code in ("attempt_closed",):
            return RedirectResponse(f"/candidate/attempts/{_attempt_id(request)}/done", status_code=303)
        return await item_page(request, notice=error.message, status_code=status_for(error))
    base = f"/candidate/attempts/{_attempt_id(request)}"
    if action in ("flag", "unflag"):
        await services(request).db.run(
            answers.set_flag,
            attempt_id=_attempt_id(request),
            user_id=current_user(request).user_id,
            slot=slot,
            flagged=action == "flag",
            holder=_holder(request),
        )
        return RedirectResponse(f"{base}/items/{slot}", status_code=303)
    if action == "review":
        return RedirectResponse(f"{base}/review", status_code=303)
    if action == "next":
        try:
            await services(request).db.run(
                device.held(navigation.advance),
                attempt_id=_attempt_id(request),
                user_id=current_user(request).user_id,
                holder=_holder(request),
                from_slot=slot,
            )
        except DomainError as error:
            if error.code == "last_slot":
                return RedirectResponse(f"{base}/review", status_code=303)
            raise
        return RedirectResponse(base, status_code=303)
    if action.startswith("goto:") and action[5:].isdecimal():
        return RedirectResponse(f"{base}/items/{int(action[5:])}", status_code=303)
    return RedirectResponse(f"{base}/items/{slot}", status_code=303)


async def autosave(request: Request) -> Response:
    """The JavaScript path: save at once, answer JSON with the server's remaining time (or the refusal)."""
    raw_seq = request.headers.get("x-seq", "")
    try:
        if not raw_seq.isdecimal() or len(raw_seq) > 18:
            raise InvalidInput("The save carries no sequence number.", code="invalid_seq")
        result = await _save_form(request, attempt_slot(request), int(raw_seq))
    except DomainError as error:
        return domain_error_json(error)
    return JSONResponse(
        {"slot": result.slot, "saved_seq": result.saved_seq, "remaining_seconds": result.remaining_seconds}
    )


async def client_event(request: Request) -> Response:
    try:
        body = await read_json(request, empty={})
        if not isinstance(body, dict):
            raise MalformedInput("An event is a JSON object.", code="invalid_event")
        kind = str(body.get("type", ""))[:40]
        client_time = datetime.fromisoformat(body["client_time"]) if body.get("client_time") else None
        await services(request).db.run(
            answers.report_event,
            attempt_id=_attempt_id(request),
            user_id=current_user(request).user_id,
            kind=kind,
            client_time=client_time,
            detail={k: v for k, v in body.items() if k in ("slot", "visible", "offline_seconds")},
            holder=_holder(request),
        )
    except (ValueError, TypeError, AttributeError):
        return JSONResponse(error_body("invalid_event", "The event could not be read."), status_code=400)
    except DomainError as error:
        return domain_error_json(error)
    return Response(status_code=204)


@_device_lock_page
async def review(request: Request) -> Response:
    view = await _view(request)
    if view.status in FINAL:
        return RedirectResponse(f"/candidate/attempts/{view.attempt_id}/done", status_code=303)
    in_scope = [
        s for index, (_, slots) in enumerate(view.sections) for s in slots if view.open_section in (None, index)
    ]
    context = {
        "view": view,
        "unanswered": [s.slot for s in in_scope if not s.answered],
        "flagged": [s.slot for s in in_scope if s.flagged],
        "linkable": {s.slot for s in _reachable_slots(view)} if view.allow_review else set(),
        "last_section": _in_last_section(view),
        "paused": view.status == AttemptStatus.PAUSED,
    }
    return render(request, "candidate/review.html", context)


def _in_last_section(view: attempt_view.AttemptView) -> bool:
    return view.open_section is None or view.open_section + 1 >= len(view.sections)


@_device_lock_page
async def finish_section(request: Request) -> Response:
    """Close the open timed section after the candidate confirmed it on the review page."""
    form = await read_form(request)
    base = f"/candidate/attempts/{_attempt_id(request)}"
    if text_field(form, "confirm") != "yes":
        return RedirectResponse(f"{base}/review", status_code=303)
    try:
        await services(request).db.run(
            device.held(sections.finish_section),
            attempt_id=_attempt_id(request),
            user_id=current_user(request).user_id,
            holder=_holder(request),
            section=section_index(request),
        )
    except DomainError as error:
        if error.code.startswith("attempt_") and error.code != "attempt_paused":
            return RedirectResponse(f"{base}/done", status_code=303)
        raise
    return RedirectResponse(base, status_code=303)


@_device_lock_page
async def submit(request: Request) -> Response:
    form = await read_form(request)
    if text_field(form, "confirm") != "yes":
        return RedirectResponse(f"/candidate/attempts/{_attempt_id(request)}/review", status_code=303)
    await finish.submit_and_finish(
        services(request).db, attempt_id=_attempt_id(request), who=current_user(request), now=utcnow()
    )
    return RedirectResponse(f"/candidate/attempts/{_attempt_id(request)}/done", status_code=303)


@_device_lock_page
async def done(request: Request) -> Response:
    view = await _view(request)
    if view.status not in FINAL:
        return RedirectResponse(f"/candidate/attempts/{view.attempt_id}", status_code=303)
    found = await services(request).db.read(
        release.result_for_candidate, attempt_id=view.attempt_id, user_id=current_user(request).user_id, now=utcnow()
    )
    # The same service as GET /api/v1/attempts/{id}/result: a result shows only once released.
    released = found if isinstance(found, release.CandidateResult) else None
    withheld = found if isinstance(found, release.ResultWithheld) else None
    certificate_code = await certificate_pages.code_of_attempt(request, view.attempt_id) if released else None
    context = {"view": view, "result": released, "withheld": withheld, "certificate_code": certificate_code}
    return render(request, "candidate/done.html", context)
