"""The indexed router finds, for every address of the URL table, the route Starlette's plain pass over the whole
table finds: the same route for each method, the same 405 and the same 404."""

from __future__ import annotations

import re

import pytest
from starlette.routing import BaseRoute, Match, Mount, Route, Router

from examengine.settings import Settings
from examengine.web.router import IndexedRouter
from examengine.web.routes import routes

CONVERTED = {"int": "7", "path": "a/b.css", "str": "x1", "float": "1.5", "uuid": "00000000-0000-0000-0000-000000000000"}


def sample(path: str) -> str:
    return re.sub(r"\{[^}:]+(?::(\w+))?\}", lambda m: CONVERTED[m.group(1) or "str"], path)


def first_match(table: list[BaseRoute], path: str, method: str) -> tuple[str, Match]:
    scope = {"type": "http", "path": path, "root_path": "", "method": method, "headers": []}
    partial = None
    for route in table:
        match, _ = route.matches(scope)
        if match is Match.FULL:
            return repr(route), match
        if match is Match.PARTIAL and partial is None:
            partial = route
    return (repr(partial), Match.PARTIAL) if partial is not None else ("", Match.NONE)


def addresses(table: list[BaseRoute]) -> list[str]:
    found = []
    for route in table:
        if isinstance(route, Route):
            found.append(sample(route.path))
        elif isinstance(route, Mount):
            found.append(route.path + "/app.css")
    return [*found, "/", "/nowhere", "/api/v1/nowhere", "/candidate/attempts/x/nowhere", "/static/elsewhere/x"]


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH"])
def test_every_address_finds_the_route_the_plain_router_finds(method: str) -> None:
    table = routes(Settings.from_env())
    indexed = IndexedRouter(routes=table)
    plain_paths = addresses(table)
    assert len(plain_paths) > 200
    for path in plain_paths:
        scope = {"type": "http", "path": path, "root_path": "", "method": method}
        assert first_match(indexed.candidates(scope), path, method) == first_match(
            Router(routes=table).routes, path, method
        ), path
