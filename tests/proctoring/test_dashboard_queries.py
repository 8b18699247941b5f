"""A dashboard refresh costs the same number of SQL statements whatever the number of candidates: one for the rows,
plus the constant checks of who is asking (session, roles, the sitting, its proctors)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from bench.dashboard import FRAGMENT_HEADERS, populate
from examengine.clock import utcnow
from examengine.context import Services
from examengine.proctoring.dashboard import sitting_rows
from examengine.web.auth import SESSION_COOKIE

ROWS_STATEMENTS = 1
LIVE_FEED = "attempt_event.id > "  # the live hub's change feed (examengine/delivery/live_hub.py)
ACCESS_STATEMENTS = 3  # the session with its user and roles (one statement), the sitting, its proctor assignment


@contextmanager
def counted() -> Iterator[list[str]]:
    """The SQL statements sent meanwhile by any engine of this process, transaction control left out, and so is
    the read of the organisation's identity that any page makes once its cached copy is a few seconds old (a
    slow first render can age it between the warm-up and the counted request), and the live hub's read of the change
    feed, which the app runs once a second on a thread of its own."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM organisation" in statement or LIVE_FEED in statement:
            return
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


def test_the_statement_count_does_not_grow_with_the_candidates(app_client: TestClient, services: Services) -> None:
    small, large = populate(services, 5), populate(services, 50)  # one in fifty of the large one is paused
    per_refresh = {}
    for (sitting_id, web_token, _api_token), size in ((small, 5), (large, 50)):

        def rows(*, session: Session, sitting_id: str = sitting_id) -> int:
            with counted() as statements:
                found = sitting_rows(session=session, sitting_id=sitting_id, now=utcnow())
            assert len(statements) == ROWS_STATEMENTS
            return len(found)

        assert services.db.call(rows, write=False) == size
        app_client.cookies.set(SESSION_COOKIE, web_token)
        path = f"/proctor/sittings/{sitting_id}"
        for name, headers in (("page", {}), ("fragment", FRAGMENT_HEADERS)):
            assert app_client.get(path, headers=headers).status_code == 200  # warm: nothing first-time is counted
            with counted() as statements:
                response = app_client.get(path, headers=headers)
            assert response.status_code == 200 and response.text.count("Timeline and actions") == size
            per_refresh[name, size] = len(statements)
    expected = ROWS_STATEMENTS + ACCESS_STATEMENTS
    assert per_refresh == {
        ("page", 5): expected,
        ("fragment", 5): expected,
        ("page", 50): expected,
        ("fragment", 50): expected,
    }
