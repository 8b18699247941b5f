"""The URL table's router, indexed by the first segment of the path.

Starlette tries every route of the table in order, a regular expression each, until one matches: with some three
hundred routes a request near the end of the table paid more for finding its route than a bare endpoint pays for
its whole answer. This router asks only the routes that can match: those whose fixed first segment is the
request's (`/api/...`, `/candidate/...`), and those whose first segment has a parameter, in the table's own order,
so the outcome (a match, 405 for a wrong method, 404) is exactly Starlette's.
"""

from __future__ import annotations

from collections import defaultdict

from starlette.routing import BaseRoute, Match, Mount, Route, Router, WebSocketRoute
from starlette.types import Receive, Scope, Send

ANY = ""  # the index's key for routes whose first segment is not fixed


def first_segment(path: str) -> str:
    """The fixed first segment of a route's path ('' when it starts with a parameter or there is none)."""
    head = path.lstrip("/").split("/", 1)[0]
    return ANY if "{" in head else head


def _key(route: BaseRoute) -> str:
    return first_segment(route.path) if isinstance(route, Route | WebSocketRoute | Mount) else ANY


class IndexedRouter(Router):
    """Starlette's router, asking only the routes whose first segment can match the request's path."""

    _indexed: tuple[int, dict[str, list[BaseRoute]], list[BaseRoute]] | None = None

    def _index(self) -> tuple[dict[str, list[BaseRoute]], list[BaseRoute]]:
        if self._indexed is None or self._indexed[0] != len(self.routes):
            keyed: defaultdict[str, list[tuple[int, BaseRoute]]] = defaultdict(list)
            anywhere = [(n, r) for n, r in enumerate(self.routes) if _key(r) == ANY]
            for n, route in enumerate(self.routes):
                if _key(route) != ANY:
                    keyed[_key(route)].append((n, route))
            by_segment = {
                key: [r for _, r in sorted(found + anywhere, key=lambda p: p[0])] for key, found in keyed.items()
            }
            self._indexed = (len(self.routes), by_segment, [r for _, r in anywhere])
        return self._indexed[1], self._indexed[2]

    def candidates(self, scope: Scope) -> list[BaseRoute]:
        by_segment, anywhere = self._index()
        path, root = scope["path"], scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :]
        head = path.lstrip("/").split("/", 1)[0]
        return by_segment.get(head, anywhere)

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await super().app(scope, receive, send)
            return
        if "router" not in scope:
            scope["router"] = self
        partial: BaseRoute | None = None
        partial_scope: Scope = {}
        for route in self.candidates(scope):
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                scope["route"] = route
                scope.update(child_scope)
                await route.handle(scope, receive, send)
                return
            if match is Match.PARTIAL and partial is None:
                partial, partial_scope = route, child_scope
        if partial is not None:
            scope["route"] = partial
            scope.update(partial_scope)
            await partial.handle(scope, receive, send)
            return
        # Nothing here: Starlette's own pass over the whole table (its trailing-slash redirect, then 404).
        await super().app(scope, receive, send)
