"""The exam page's live channel (static/live.js): a stream of server-sent events (GET .../events) while it works,
and a small JSON answer (GET .../live) the page polls when it cannot stream."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from examengine.clock import utcnow
from examengine.delivery import device
from examengine.delivery import live as live_service
from examengine.errors import DomainError
from examengine.http.request import current_user, services
from examengine.web.errors import domain_error_json, error_body

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nginx: pass each event on at once


async def _state(request: Request) -> live_service.LiveState:
    principal = current_user(request)
    return await services(request).db.read_core_hot(
        live_service.live_state,
        attempt_id=str(request.path_params["attempt_id"]),
        user_id=principal.user_id,
        holder=device.holder_of(principal),
        now=utcnow(),
    )


async def live(request: Request) -> Response:
    """The attempt's status, time and version, read once (never written: an overdue attempt reports 0 left)."""
    try:
        state = await _state(request)
    except DomainError as error:
        return domain_error_json(error)
    return JSONResponse(live_service.as_json(state), headers={"Cache-Control": "no-store"})


async def events(request: Request) -> Response:
    """The live state as server-sent events: the whole state first, then each change, and a ping every 20 s.
    Checked once here as /live is (someone else's attempt 404, another device 409); the process's hub re-checks
    the session every ping round and ends the stream when it is gone or the attempt moved to another device."""
    principal = current_user(request)
    hub = services(request).live
    # Registered before the first read: a change committed after that read is pushed by the hub's next round.
    stream = hub.open(
        attempt_id=str(request.path_params["attempt_id"]),
        user_id=principal.user_id,
        holder=device.holder_of(principal),
        token_hash=principal.token_hash,
    )
    try:
        state = await _state(request)
    except DomainError as error:
        if stream is not None:
            hub.close(stream)
        return domain_error_json(error)
    if stream is None:
        return JSONResponse(
            error_body("live_streams_full", "This server holds all the live streams it can; the page asks every 3 s."),
            status_code=503,
            headers={"Retry-After": "60", "Cache-Control": "no-store"},
        )
    return StreamingResponse(
        hub.messages(stream, live_service.as_json(state)), media_type="text/event-stream", headers=STREAM_HEADERS
    )
