"""Timed sections through the API: one section open at a time, on its own clock inside the exam's; the next one
opening when its time is up (for every reader at once, recorded by the next write or the sweep) or when the
candidate finishes it early; answers to closed and later sections refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import col
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.db import Database
from examengine.delivery import attempts as attempt_service
from examengine.delivery.models import Attempt, AttemptEvent
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting
from tests.shown import as_shown


@pytest.fixture
def sitting(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "proctor": make_user("proctor@example.org", "proctor"),
        "cara": make_user("cara@example.org", "candidate"),
        "carl": make_user("carl@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    people = {"users": users, "headers": headers}
    approved_bank(app_client, people, native_items("D1", 6))
    sections = [
        {"title": "Part A", "time_limit_minutes": 10, "shuffle_items": False, "draw": [{"domain": "D1", "count": 2}]},
        {"title": "Part B", "time_limit_minutes": 20, "shuffle_items": False, "draw": [{"domain": "D1", "count": 2}]},
    ]
    body = blueprint(sections=sections, time_limit_minutes=60)
    candidates = [
        {"user_id": users["cara"].id},
        {"user_id": users["carl"].id, "time_multiplier": 1.5, "accommodation_reason": "assessed"},
    ]
    _, sitting_id = open_sitting(app_client, headers["admin"], body, candidates, (users["proctor"].id,))
    return {**people, "sitting_id": sitting_id}


def start(client: TestClient, s: dict[str, Any], who: str = "cara") -> dict[str, Any]:
    response = client.post(f"/api/v1/sittings/{s['sitting_id']}/attempts", headers=s["headers"][who])
    assert response.status_code == 201, response.text
    return dict(response.json())


def rewind(services: Services, attempt_id: str, minutes: float) -> None:
    """Move the attempt's recorded times back, as if `minutes` had passed."""
    back = timedelta(minutes=minutes)

    def move(*, session: Any) -> None:
        attempt = session.get(Attempt, attempt_id)
        values = {
            name: getattr(attempt, name) - back
            for name in ("started_at", "section_opened_at", "deadline_at", "paused_at")
            if getattr(attempt, name) is not None
        }
        session.execute(update(Attempt).where(col(Attempt.id) == attempt_id).values(**values))

    services.db.call(move)


def stored(services: Services, attempt_id: str) -> Attempt:
    def read(*, session: Any) -> Attempt:
        attempt = session.get(Attempt, attempt_id)
        session.expunge(attempt)
        return attempt  # type: ignore[no-any-return]

    return services.db.call(read)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


def test_one_section_at_a_time_on_its_own_clock(
    app_client: TestClient, db: Database, sitting: dict[str, Any], services: Services
) -> None:
    attempt = start(app_client, sitting)
    attempt_id, cara = attempt["attempt_id"], sitting["headers"]["cara"]
    base = f"/api/v1/attempts/{attempt_id}"
    assert attempt["open_section"] == 0 and attempt["clock_ends_exam"] is False
    assert 595 <= attempt["remaining_seconds"] <= 600
    assert [[s["slot"] for s in section["slots"]] for section in attempt["sections"]] == [[1, 2], [3, 4]]
    live = app_client.get(f"/api/v1/sittings/{sitting['sitting_id']}/attempts", headers=sitting["headers"]["proctor"])
    [row] = [r for r in live.json()["items"] if r["attempt_id"] == attempt_id]
    assert 595 <= row["remaining_seconds"] <= 600  # the proctor sees the section's clock too
    assert (
        app_client.put(
            f"{base}/responses/1", json={"response": as_shown(db, base, 1, "A"), "seq": 1}, headers=cara
        ).status_code
        == 200
    )
    later = app_client.put(f"{base}/responses/3", json={"response": as_shown(db, base, 3, "A"), "seq": 1}, headers=cara)
    assert later.status_code == 409 and error_code(later) == "section_not_open"
    assert error_code(app_client.get(f"{base}/items/3", headers=cara)) == "section_not_open"
    assert error_code(app_client.put(f"{base}/flags/4", json={"flagged": True}, headers=cara)) == "section_not_open"

    rewind(services, attempt_id, 10)  # Part A's ten minutes are up
    state = app_client.get(base, headers=cara).json()
    assert state["open_section"] == 1 and state["clock_ends_exam"] is True
    assert 1195 <= state["remaining_seconds"] <= 1200  # Part B's twenty minutes, from Part A's deadline
    assert stored(services, attempt_id).open_section == 0  # reading wrote nothing
    assert app_client.get(f"{base}/items/3", headers=cara).status_code == 200
    closed = app_client.put(
        f"{base}/responses/1", json={"response": as_shown(db, base, 1, "B"), "seq": 2}, headers=cara
    )
    assert closed.status_code == 409 and error_code(closed) == "section_closed"
    saved = app_client.put(f"{base}/responses/3", json={"response": as_shown(db, base, 3, "B"), "seq": 1}, headers=cara)
    assert saved.status_code == 200 and saved.json()["saved_seq"] == 1
    after = stored(services, attempt_id)
    assert after.open_section == 1 and after.section_opened_at is not None
    assert app_client.get(base, headers=cara).json()["responses"] == {
        "1": as_shown(db, base, 1, "A"),
        "3": as_shown(db, base, 3, "B"),
    }

    def opened_events(*, session: Any) -> list[AttemptEvent]:
        return list(
            session.scalars(
                select(AttemptEvent).where(
                    col(AttemptEvent.attempt_id) == attempt_id, col(AttemptEvent.type) == "section_opened"
                )
            )
        )

    [event] = services.db.call(opened_events)
    assert event.detail == {"section": 1, "closed": [0], "reason": "time is up"}
    assert event.at == after.section_opened_at  # Part B opened at Part A's deadline, not at the save's time


def test_finishing_a_section_early_starts_the_next_clock_now(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    attempt = start(app_client, sitting, "carl")  # 1.5x time: 15 and 30 minutes
    attempt_id, carl = attempt["attempt_id"], sitting["headers"]["carl"]
    base = f"/api/v1/attempts/{attempt_id}"
    assert 895 <= attempt["remaining_seconds"] <= 900
    rewind(services, attempt_id, 4)
    finished = app_client.post(f"{base}/sections/0/finish", headers=carl)
    assert finished.status_code == 200, finished.text
    assert finished.json()["open_section"] == 1 and 1795 <= finished.json()["remaining_seconds"] <= 1800
    again = app_client.post(f"{base}/sections/0/finish", headers=carl)
    assert again.status_code == 200 and again.json()["open_section"] == 1  # a repeat changes nothing
    last = app_client.post(f"{base}/sections/1/finish", headers=carl)
    assert last.status_code == 409 and error_code(last) == "last_section"
    beyond = app_client.post(f"{base}/sections/5/finish", headers=carl)
    assert beyond.status_code == 409 and error_code(beyond) == "section_not_open"
    other = app_client.post(f"{base}/sections/1/finish", headers=sitting["headers"]["cara"])
    assert other.status_code == 404


def test_the_sweep_opens_the_next_section_then_expires_at_the_last_deadline(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    attempt_id = start(app_client, sitting)["attempt_id"]
    rewind(services, attempt_id, 10.5)
    assert services.db.call(attempt_service.expire_overdue) == 0  # Part A closed; Part B is open, not expired
    moved = stored(services, attempt_id)
    assert moved.status == "in_progress" and moved.open_section == 1
    assert moved.deadline_at == moved.section_opened_at + timedelta(minutes=20)  # type: ignore[operator]
    rewind(services, attempt_id, 20)
    assert services.db.call(attempt_service.expire_overdue) == 1
    done = stored(services, attempt_id)
    assert done.status == "expired" and done.finished_at == done.deadline_at


def test_the_exam_limit_ends_the_attempt_even_mid_section(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    attempt_id = start(app_client, sitting)["attempt_id"]
    rewind(services, attempt_id, 70)  # beyond both sections and the 60-minute exam
    state = app_client.put(
        f"/api/v1/attempts/{attempt_id}/responses/3",
        json={"response": "A", "seq": 1},
        headers=sitting["headers"]["cara"],
    )
    assert state.status_code == 409 and error_code(state) == "attempt_closed"
    done = stored(services, attempt_id)
    assert done.status == "expired" and done.finished_at == done.started_at + timedelta(minutes=30)  # type: ignore[operator]


def test_a_pause_stops_the_section_clock(app_client: TestClient, sitting: dict[str, Any], services: Services) -> None:
    attempt_id = start(app_client, sitting)["attempt_id"]
    base, proctor = f"/api/v1/attempts/{attempt_id}", sitting["headers"]["proctor"]
    assert app_client.post(f"{base}/pause", json={"reason": "fire alarm"}, headers=proctor).status_code == 200
    rewind(services, attempt_id, 30)  # thirty minutes paused
    assert app_client.get(base, headers=proctor).json()["open_section"] == 0
    resumed = app_client.post(f"{base}/resume", json={"reason": "all clear"}, headers=proctor).json()
    assert resumed["open_section"] == 0 and 595 <= resumed["remaining_seconds"] <= 600
