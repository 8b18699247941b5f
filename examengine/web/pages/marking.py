"""Marking pages: the queue of answers waiting for a person's mark, and the page where one is marked.

A marker sees scripts by their anonymous id only; nothing here names the attempt or its candidate.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.marking import marks
from examengine.marking import queue as marking_queue
from examengine.marking.view import marking_task
from examengine.web.auth import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import read_form, text_field
from examengine.web.params import attempt_slot
from examengine.web.templating import render
from itembank.html import render_item_html

NOTICES = {
    "final": "Your mark was recorded and the answer has its final score.",
    "next_stage": "Your mark was recorded; the answer now waits for its next mark by another marker.",
}


async def _queue(
    request: Request, *, message: str | None = None, notice: str | None = None, status: int = 200
) -> Response:
    who = current_user(request)
    groups = await services(request).db.read(marking_queue.queue, marker_id=who.user_id, now=utcnow())
    context = {"groups": groups, "message": message, "notice": notice}
    return render(request, "marking/queue.html", context, status_code=status)


async def queue(request: Request) -> Response:
    return await _queue(request, notice=NOTICES.get(request.query_params.get("notice", "")))


async def take_next(request: Request) -> Response:
    form = await read_form(request)
    exam_id = text_field(form, "exam_id")[:32] or None
    item_id = text_field(form, "item_id")[:32] or None
    try:
        claimed = await services(request).db.run(
            marking_queue.claim_next,
            marker_id=current_user(request).user_id,
            now=utcnow(),
            exam_id=exam_id,
            item_id=item_id,
        )
    except NotFound as error:
        return await _queue(request, message=error.message, status=404)
    return RedirectResponse(f"/marking/scripts/{claimed.script_id}/items/{claimed.slot}", status_code=303)


async def _script(
    request: Request, *, error: str | None = None, score: str = "", comment: str = "", status: int = 200
) -> Response:
    script_id = str(request.path_params["script_id"])
    slot = attempt_slot(request)

    def read(*, session: Session) -> dict[str, Any]:
        task = marking_task(
            session=session, script_id=script_id, slot=slot, marker_id=current_user(request).user_id, now=utcnow()
        )
        return {
            "task": task,
            "item_html": render_item_html(task.item_view, responses=task.responses, name_prefix="shown", disabled=True),
        }

    try:
        context = await services(request).db.read(read)
    except (NotFound, Conflict) as refused:
        return await _queue(request, message=refused.message, status=status_for(refused))
    return render(
        request,
        "marking/script.html",
        {**context, "error": error, "score": score, "comment": comment},
        status_code=status,
    )


async def script(request: Request) -> Response:
    return await _script(request)


def _score(text: str) -> float:
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        raise InvalidInput("Enter the mark as a number, for example 3 or 2.5.", code="invalid_mark") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise InvalidInput("Enter the mark as a number, for example 3 or 2.5.", code="invalid_mark")
    return value


async def submit(request: Request) -> Response:
    form = await read_form(request)
    score_text = text_field(form, "score")
    comment = text_field(form, "comment")
    try:
        stage = int(text_field(form, "stage") or "0")
        recorded = await services(request).db.run(
            marks.submit_mark,
            script_id=str(request.path_params["script_id"]),
            slot=attempt_slot(request),
            stage=stage,
            score=_score(score_text),
            marker_id=current_user(request).user_id,
            now=utcnow(),
            comment=comment,
        )
    except InvalidInput as error:
        return await _script(request, error=error.message, score=score_text, comment=comment, status=422)
    except ValueError:
        return await _script(request, error="The form is out of date; reload the page.", status=422)
    except (Conflict, NotFound) as refused:
        return await _queue(request, message=refused.message, status=status_for(refused))
    notice = "final" if recorded.final_score is not None else "next_stage"
    return RedirectResponse(f"/marking?notice={notice}", status_code=303)
