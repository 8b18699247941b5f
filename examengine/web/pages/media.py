"""Media files used by item content, served by their content hash (immutable, so cacheable)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.web.auth import services
from itembank import service


async def media_file(request: Request) -> Response:
    media = await services(request).db.read(service.get_media, sha256=request.path_params["sha256"])
    return Response(
        media.data,
        media_type=media.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Disposition": "inline",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        },
    )
