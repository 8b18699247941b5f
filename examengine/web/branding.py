"""The organisation's identity for the page being rendered: read once per page request (usually from the
process cache) by the guard, so that rendering, which does no I/O, can show it in every page's header."""

from __future__ import annotations

from starlette.requests import Request

from examengine import organisation
from examengine.http.request import services

STATE_KEY = "organisation"


async def load(request: Request) -> None:
    ctx = services(request)
    found = organisation.cached_identity(ctx.caches) or await ctx.db.read(organisation.identity)
    setattr(request.state, STATE_KEY, found)


def of(request: Request) -> organisation.Identity:
    """The identity the guard loaded, else the last one this process read (a page rendered outside the URL
    table's guard, such as a 404 for an unknown address), else the defaults."""
    found = getattr(request.state, STATE_KEY, None)
    if isinstance(found, organisation.Identity):
        return found
    return organisation.last_known(services(request).caches)
