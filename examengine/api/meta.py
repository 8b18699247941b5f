"""Health and the OpenAPI document."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examengine.api.schemas import Health
from examengine.api.spec import json_response, operation
from examengine.web.auth import services


def _ping(*, session: Session) -> None:
    session.execute(text("SELECT 1"))


@operation(tags=["meta"], responses={200: Health, 503: Health}, secured=False)
async def healthz(request: Request) -> Response:
    """Liveness and database reachability (no auth)."""
    try:
        await services(request).db.read(_ping)
    except Exception:
        return json_response(Health(status="degraded", database="unreachable"), 503)
    return json_response(Health(status="ok", database="ok"))


async def openapi_document(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi.document)
