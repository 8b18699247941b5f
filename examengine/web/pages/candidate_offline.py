"""The exam page's offline kit: GET /candidate/attempts/{id}/offline, the items the candidate may move between now,
rendered as the item page renders them, for static/exam/offline.js to keep in memory and show offline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examengine.clock import utcnow
from examengine.delivery import device, offline
from examengine.errors import DomainError
from examengine.http.request import current_user, services
from examengine.web.errors import domain_error_json
from examengine.web.pages.item_markup import item_markup


async def open_items(request: Request) -> Response:
    """The open items with their stored answers and flags, in the attempt's presentation (opaque option ids, its
    option orders, never a key). Refused like the live channel: JSON errors, no write."""
    principal = current_user(request)
    try:
        found = await services(request).db.read(
            offline.open_items,
            attempt_id=str(request.path_params["attempt_id"]),
            user_id=principal.user_id,
            holder=device.holder_of(principal),
            now=utcnow(),
        )
    except DomainError as error:
        return domain_error_json(error)
    positions = {s.slot: n for n, s in enumerate((s for _, slots in found.view.sections for s in slots), 1)}
    body = {
        "attempt_id": found.view.attempt_id,
        "open_section": found.view.open_section,
        "total": found.view.total,
        "allow_flagging": found.view.allow_flagging,
        "items": [
            {
                "slot": item.slot,
                "position": positions[item.slot],
                "html": str(item_markup(services(request).caches, found.view.attempt_id, item)),
                "answered": item.response is not None,
                "flagged": item.flagged,
                "seq": item.seq,
            }
            for item in found.items
        ],
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
