"""Media files used by item content, served by their content hash (immutable, so cacheable) to those who may see
an item that uses them (see `scoring.media_access`), as the type the allow-list gives and never sniffed."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from examengine.http.request import current_user, services
from examengine.scoring.media_access import media_for
from itembank.media_types import EXTENSIONS


async def media_file(request: Request) -> Response:
    who = current_user(request)
    media = await services(request).db.read(
        media_for, sha256=request.path_params["sha256"], user_id=who.user_id, roles=who.roles
    )
    filename = f"{media.sha256[:16]}{EXTENSIONS[media.content_type]}"
    return Response(
        media.data,
        media_type=media.content_type,
        headers={
            "Cache-Control": "private, max-age=31536000, immutable",
            "Content-Disposition": f'inline; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
