"""The dashboard's rows, value by value, at chosen instants: progress, time left on a timed section's clock (the 5
minute boundary), last activity from saves and from browser signals, live / stale / offline, incident counters,
attention and its order; one SQL statement even when sections are timed; names escaped in the refreshed rows."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts.models import User
from examengine.context import Services
from examengine.delivery import answers, attempts
from examengine.delivery.models import Attempt
from examengine.proctoring.dashboard import CandidateRow, sitting_rows
from tests.api.test_sections_api import sitting, start  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD, save_answer
from tests.shown import as_shown
from tests.web.browsing import log_in


def rows_at(services: Services, sitting_id: str, now: datetime) -> list[CandidateRow]:
    return services.db.call(sitting_rows, sitting_id=sitting_id, now=now, write=False)


def started_at(services: Services, attempt_id: str) -> datetime:
    def read(*, session: Session) -> datetime:
        found = session.get(Attempt, attempt_id)
        assert found is not None and found.started_at is not None
        return found.started_at

    return services.db.call(read, write=False)


@pytest.fixture
def cara_active(app_client: TestClient, services: Services, sitting: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """Cara started (Part A: 10 minutes, Part B: 20, the exam 60), answered slot 1 a minute in, pasted at 90 s and
    lost focus at 100 s and 110 s; Carl has not checked in."""
    attempt_id = start(app_client, sitting)["attempt_id"]
    began = started_at(services, attempt_id)
    cara = sitting["users"]["cara"].id
    save_answer(
        services.db,
        attempt_id=attempt_id,
        user_id=cara,
        slot=1,
        response=as_shown(services.db, attempt_id, 1, "A"),
        seq=1,
        now=began + timedelta(seconds=60),
    )
    for kind, seconds in (("paste_attempt", 90), ("focus_lost", 100), ("focus_lost", 110)):
        services.db.call(
            answers.report_event,
            attempt_id=attempt_id,
            user_id=cara,
            kind=kind,
            client_time=None,
            detail={},
            now=began + timedelta(seconds=seconds),
        )
    return {**sitting, "attempt_id": attempt_id, "began": began}


def test_a_running_candidate_and_one_not_checked_in(services: Services, cara_active: dict[str, Any]) -> None:
    began = cara_active["began"]
    first, second = rows_at(services, cara_active["sitting_id"], began + timedelta(minutes=5))
    assert (first.email, second.email) == ("cara@example.org", "carl@example.org")
    assert (first.status, first.answered, first.total, first.progress_label) == ("in_progress", 1, 4, "1 / 4")
    # Part A's clock: 600 s from the start, 300 left; exactly 5 minutes is not "under 5 minutes".
    assert (first.remaining_seconds, first.time_left_label) == (300, "5:00")
    assert first.last_seen == began + timedelta(seconds=110)
    assert (first.last_seen_seconds_ago, first.last_activity_label) == (190, "3 min ago")
    assert (first.connection, first.offline_for_seconds, first.connection_label) == ("stale", 190, "stale (3 min)")
    assert first.incidents == {"focus_lost": 2, "paste_attempt": 1}
    assert first.incidents_label == "focus lost: 2, paste attempt: 1"
    assert first.attention == ("incidents",)

    assert second.status == "not_checked_in" and second.status_label == "not checked in"
    assert (second.answered, second.total, second.progress_label, second.time_left_label) == (0, 0, "", "")
    assert (second.connection, second.last_activity_label, second.incidents, second.attention) == ("none", "", {}, ())


@pytest.mark.parametrize(
    ("seconds", "remaining", "connection", "attention"),
    [
        (170, 430, "live", ("incidents",)),  # 60 s after the last signal: still live
        (171, 429, "stale", ("incidents",)),
        (300, 300, "stale", ("incidents",)),
        (301, 299, "stale", ("incidents", "under 5 minutes left")),
        (410, 190, "stale", ("incidents", "under 5 minutes left")),  # 300 s quiet: still stale
        (411, 189, "offline", ("offline", "incidents", "under 5 minutes left")),
    ],
)
def test_boundaries_of_connection_and_time_left(
    services: Services,
    cara_active: dict[str, Any],
    seconds: int,
    remaining: int,
    connection: str,
    attention: tuple[str, ...],
) -> None:
    row = rows_at(services, cara_active["sitting_id"], cara_active["began"] + timedelta(seconds=seconds))[0]
    assert (row.remaining_seconds, row.connection, row.attention) == (remaining, connection, attention)


def test_a_save_counts_as_activity_and_a_pause_stops_the_clock(services: Services, cara_active: dict[str, Any]) -> None:
    began, attempt_id = cara_active["began"], cara_active["attempt_id"]
    cara = cara_active["users"]["cara"].id
    save_answer(
        services.db,
        attempt_id=attempt_id,
        user_id=cara,
        slot=2,
        response=as_shown(services.db, attempt_id, 2, "B"),
        seq=1,
        now=began + timedelta(seconds=200),
    )
    row = rows_at(services, cara_active["sitting_id"], began + timedelta(seconds=230))[0]
    assert (row.answered, row.last_seen, row.connection) == (2, began + timedelta(seconds=200), "live")

    proctor = cara_active["users"]["proctor"].id
    services.db.call(
        attempts.pause, attempt_id=attempt_id, actor_id=proctor, reason="noise", now=began + timedelta(seconds=240)
    )
    for later in (300, 900):  # the open pause stops Part A's clock at 360 s left
        row = rows_at(services, cara_active["sitting_id"], began + timedelta(seconds=later))[0]
        assert (row.status, row.remaining_seconds, row.time_left_label) == ("paused", 360, "6:00")
        assert row.attention[0] == "paused"


def test_one_statement_for_the_rows_even_with_timed_sections(
    services: Services,
    cara_active: dict[str, Any],
) -> None:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    def read(*, session: Session) -> list[CandidateRow]:
        event.listen(Engine, "before_cursor_execute", count)
        try:
            return sitting_rows(session=session, sitting_id=cara_active["sitting_id"], now=cara_active["began"])
        finally:
            event.remove(Engine, "before_cursor_execute", count)

    rows = services.db.call(read, write=False)
    assert rows[0].remaining_seconds == 600 and len(statements) == 1


def test_names_are_escaped_in_the_refreshed_rows(
    app_client: TestClient, services: Services, cara_active: dict[str, Any]
) -> None:
    def rename(*, session: Session) -> None:
        session.execute(
            update(User).where(col(User.id) == cara_active["users"]["cara"].id).values(name='<b>Cara</b> & "Co"')
        )

    services.db.call(rename)
    proctor = TestClient(app_client.app)
    log_in(proctor, "proctor@example.org", TEST_PASSWORD)
    fragment = proctor.get(
        f"/proctor/sittings/{cara_active['sitting_id']}", headers={"HX-Request": "true", "HX-Target": "live-rows"}
    ).text
    assert "<b>Cara" not in fragment
    assert fragment.count("&lt;b&gt;Cara&lt;/b&gt; &amp; &#34;Co&#34;") == 2  # the name cell and the link's name
