"""Starting an attempt under concurrency and across sittings: one candidate's parallel starts (the API and the HTML
Start button) make exactly one attempt and every answer names it; one running attempt per candidate per exam,
across sittings, in the start service and by a unique index."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from starlette.testclient import TestClient

from examengine.db import Database
from examengine.delivery.models import Attempt
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

PARALLEL = 12


def in_parallel(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at the same moment from threads (the app answers them concurrently on its event loop)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def worker(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def attempts_of(db: Database, user_id: str) -> int:
    with db.engine.connect() as connection:
        return int(connection.execute(select(func.count()).where(col(Attempt.user_id) == user_id)).scalar_one())


def test_parallel_api_starts_make_one_attempt(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    path = f"/api/v1/sittings/{two_sittings['sittings'][0]}/attempts"
    cara = two_sittings["headers"]["cara"]
    answers = in_parallel([lambda: app_client.post(path, headers=cara)] * PARALLEL)
    assert sorted({a.status_code for a in answers}) in ([200, 201], [201]), [a.text for a in answers]
    assert [a.status_code for a in answers].count(201) == 1
    assert len({a.json()["attempt_id"] for a in answers}) == 1
    assert attempts_of(db, two_sittings["users"]["cara"].id) == 1


def test_parallel_html_starts_make_one_attempt(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    assert log_in(app_client, "cara@example.org", TEST_PASSWORD).status_code == 303
    token = csrf_from(app_client.get("/candidate"))
    path = f"/candidate/sittings/{two_sittings['sittings'][0]}/start"

    def start() -> Any:
        return app_client.post(path, data={"csrf_token": token, "agree": "yes"}, follow_redirects=False)

    answers = in_parallel([start] * PARALLEL)
    assert {a.status_code for a in answers} == {303}, [a.text[:300] for a in answers]
    assert len({a.headers["location"] for a in answers}) == 1
    assert attempts_of(db, two_sittings["users"]["cara"].id) == 1


def test_parallel_starts_in_two_sittings_of_one_exam_make_one_attempt(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    cara = two_sittings["headers"]["cara"]
    paths = [f"/api/v1/sittings/{s}/attempts" for s in two_sittings["sittings"]]
    answers = in_parallel([partial(app_client.post, paths[i % 2], headers=cara) for i in range(PARALLEL)])
    codes = [a.status_code for a in answers]
    assert set(codes) <= {200, 201, 409} and codes.count(201) == 1, [a.text for a in answers]
    assert len({a.json()["attempt_id"] for a in answers if a.status_code < 300}) == 1
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} <= {"attempt_running"}
    assert attempts_of(db, two_sittings["users"]["cara"].id) == 1


def test_a_second_sitting_of_the_exam_refuses_while_an_attempt_runs(
    app_client: TestClient, two_sittings: dict[str, Any]
) -> None:
    cara = two_sittings["headers"]["cara"]
    first, second = two_sittings["sittings"]
    started = app_client.post(f"/api/v1/sittings/{first}/attempts", headers=cara)
    assert started.status_code == 201
    refused = app_client.post(f"/api/v1/sittings/{second}/attempts", headers=cara)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "attempt_running" and "one running attempt per exam" in error["message"]
    home = app_client.get("/candidate", headers=cara)
    assert home.status_code == 200
    attempt_id = started.json()["attempt_id"]
    submitted = app_client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=cara)
    assert submitted.status_code == 200, submitted.text
    assert app_client.post(f"/api/v1/sittings/{second}/attempts", headers=cara).status_code == 201


def test_the_database_refuses_a_second_running_attempt_at_one_exam(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    """By construction: even a write that skipped the start service cannot store two running attempts."""
    cara = two_sittings["headers"]["cara"]
    started = app_client.post(f"/api/v1/sittings/{two_sittings['sittings'][0]}/attempts", headers=cara).json()
    columns = (
        "id, sitting_id, user_id, exam_id, exam_version, number, status, seed, form, created_at, window_closes_at, "
        "extension_seconds, credited_seconds, paused_seconds, section_offset_seconds"
    )
    copy = (
        f"INSERT INTO attempt ({columns}) SELECT 'copy', :sitting, user_id, exam_id, exam_version, number + 1, "
        "status, seed, form, created_at, window_closes_at, 0, 0, 0, 0 FROM attempt WHERE id = :id"
    )
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text(copy), {"id": started["attempt_id"], "sitting": two_sittings["sittings"][1]})
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE attempt SET status = 'submitted' WHERE id = :id"), {"id": started["attempt_id"]}
        )
        connection.execute(text(copy), {"id": started["attempt_id"], "sitting": two_sittings["sittings"][1]})


def test_an_attempt_whose_time_is_up_does_not_block_a_start_before_the_sweep(
    app_client: TestClient, two_sittings: dict[str, Any], db: Database
) -> None:
    cara = two_sittings["headers"]["cara"]
    first, second = two_sittings["sittings"]
    started = app_client.post(f"/api/v1/sittings/{first}/attempts", headers=cara)
    assert started.status_code == 201
    attempt_id = started.json()["attempt_id"]
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    with db.engine.begin() as connection:
        connection.execute(
            text("UPDATE attempt SET started_at = :at, deadline_at = :ends WHERE id = :id"),
            {"at": long_ago, "ends": long_ago + timedelta(minutes=30), "id": attempt_id},
        )
    again = app_client.post(f"/api/v1/sittings/{second}/attempts", headers=cara)
    assert again.status_code == 201, again.text
    assert again.json()["attempt_id"] != attempt_id
    old = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=cara)
    assert old.json()["status"] == "expired"
