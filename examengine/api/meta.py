"""Health and the OpenAPI document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from examengine.api.schemas import Health
from examengine.api.spec import json_response, operation
from examengine.db import ping
from examengine.http.request import services


@operation(tags=["meta"], responses={200: Health, 503: Health}, secured=False)
async def healthz(request: Request) -> Response:
    """Liveness and database reachability (no auth)."""
    try:
        await services(request).db.read(ping)
    except Exception:
        return json_response(Health(status="degraded", database="unreachable"), 503)
    return json_response(Health(status="ok", database="ok"))


async def openapi_document(request: Request) -> Response:
    return JSONResponse(request.app.state.openapi.document)
