"""The review queue: versions waiting for a decision, with the moves the viewer may make, one by one or in bulk."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from examengine.errors import InvalidInput
from examengine.http.request import current_user, services
from examengine.web.forms import list_field, read_form, text_field
from examengine.web.templating import render
from itembank import review
from itembank.models import ItemStatus

QUEUE_STATUSES = (ItemStatus.REVIEW, ItemStatus.DRAFT, ItemStatus.APPROVED)


def _status(value: str | None) -> ItemStatus:
    return next((s for s in QUEUE_STATUSES if s.value == value), ItemStatus.REVIEW)


async def _page(request: Request, status: ItemStatus, status_code: int = 200, **extra: Any) -> Response:
    ctx = services(request)
    queue = await ctx.db.read(
        review.review_queue,
        actor_id=current_user(request).user_id,
        status=status,
        separation_of_duties=ctx.settings.separation_of_duties,
    )
    context = {
        "queue": queue,
        "statuses": QUEUE_STATUSES,
        "labels": review.MOVE_LABELS,
        "outcomes": (),
        "error": None,
        **extra,
    }
    return render(request, "author/review.html", context, status_code=status_code)


async def review_queue(request: Request) -> Response:
    return await _page(request, _status(request.query_params.get("status")))


def _selected(values: list[str]) -> list[tuple[str, int]]:
    chosen = []
    for value in values:
        item_id, _, version = value.partition("/")
        if not item_id or not version.isdecimal() or len(version) > 9:
            raise InvalidInput("The selection names a version this page did not offer; reload the queue.")
        chosen.append((item_id, int(version)))
    return chosen


async def bulk_transition(request: Request) -> Response:
    """Move the checked versions to the chosen status; the page then says, version by version, what happened."""
    ctx = services(request)
    form = await read_form(request)
    status = _status(text_field(form, "status"))
    to = next((s for s in review.MOVE_LABELS if s.value == text_field(form, "to")), None)
    try:
        if to is None:
            raise InvalidInput("Choose what to do with the selected versions.", code="no_action")
        outcomes = await ctx.db.run(
            review.transition_many,
            versions=_selected(list_field(form, "version")),
            to=to,
            actor_id=current_user(request).user_id,
            comment=text_field(form, "comment")[:2000],
            separation_of_duties=ctx.settings.separation_of_duties,
        )
    except InvalidInput as error:
        return await _page(request, status, status_code=422, error=error.message)
    moved_any = any(outcome.moved for outcome in outcomes)
    return await _page(request, status, status_code=200 if moved_any else 409, outcomes=outcomes)
