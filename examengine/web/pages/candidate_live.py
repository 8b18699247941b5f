"""The exam page's live channel: a small JSON answer the page (static/live.js) polls every few seconds."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examengine.clock import rfc3339, utcnow
from examengine.delivery import live as live_service
from examengine.errors import DomainError
from examengine.proctoring import device
from examengine.web.auth import current_user, services
from examengine.web.errors import error_body, status_for


async def live(request: Request) -> Response:
    """The attempt's status, time and version, read once (never written: an overdue attempt reports 0 left)."""
    principal = current_user(request)
    try:
        state = await services(request).db.read_core(
            live_service.live_state,
            attempt_id=str(request.path_params["attempt_id"]),
            user_id=principal.user_id,
            holder=device.holder_of(principal),
            now=utcnow(),
        )
    except DomainError as error:
        return JSONResponse(error_body(error.code, error.message), status_code=status_for(error))
    body = {
        "status": state.status.value,
        "paused": state.paused,
        "remaining_seconds": state.remaining_seconds,
        "deadline": None if state.deadline is None else rfc3339(state.deadline),
        "open_section": state.open_section,
        "added_seconds": state.added_seconds,
        "version": state.version,
        "announcement": None
        if state.announcement_id is None
        else {"id": state.announcement_id, "message": state.announcement},
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})
