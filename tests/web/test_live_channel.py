"""The exam page's live channel: GET /candidate/attempts/{id}/live, one read the page polls (static/live.js)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import select
from starlette.testclient import TestClient

from examengine.db import Database
from examengine.delivery.live import LIVE_BY_ID
from examengine.delivery.models import AttemptEvent
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in


def _started(app_client: TestClient, s: dict[str, Any]) -> tuple[TestClient, str]:
    cara = TestClient(app_client.app)
    log_in(cara, "cara@example.org", TEST_PASSWORD)
    home = cara.get("/candidate")
    started = cara.post(
        f"/candidate/sittings/{s['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=False,
    )
    attempt_url = started.headers["location"]
    assert cara.get(attempt_url + "/items/1").status_code == 200  # the page takes the device lock
    return cara, attempt_url


def _events(db: Database) -> int:
    def count(*, session: Any) -> int:
        return len(session.exec(select(AttemptEvent)).all())

    return db.call(count, write=False)


def test_the_live_state_follows_what_the_proctor_does(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara, attempt_url = _started(app_client, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    proctor = sitting["headers"]["proctor"]
    api = f"/api/v1/attempts/{attempt_id}"

    first = cara.get(attempt_url + "/live")
    assert first.status_code == 200 and "no-store" in first.headers["cache-control"]
    body = first.json()
    assert body["status"] == "in_progress" and body["paused"] is False
    assert 1790 <= body["remaining_seconds"] <= 1800 and body["deadline"].endswith("Z")
    assert body["open_section"] is None and body["added_seconds"] == 0 and body["version"] > 0

    before = _events(db)
    assert cara.get(attempt_url + "/live").json()["version"] == body["version"]
    assert _events(db) == before  # a poll never writes

    assert app_client.post(api + "/pause", json={"reason": "fire alarm"}, headers=proctor).status_code == 200
    paused = cara.get(attempt_url + "/live").json()
    assert paused["status"] == "paused" and paused["paused"] is True and paused["version"] > body["version"]
    assert abs(paused["remaining_seconds"] - body["remaining_seconds"]) <= 2

    assert app_client.post(api + "/resume", json={}, headers=proctor).status_code == 200
    resumed = cara.get(attempt_url + "/live").json()
    assert resumed["paused"] is False and resumed["version"] > paused["version"]

    extended = app_client.post(api + "/extend", json={"minutes": 10, "reason": "rest break"}, headers=proctor)
    assert extended.status_code == 200
    longer = cara.get(attempt_url + "/live").json()
    assert longer["added_seconds"] == 600 and longer["remaining_seconds"] >= resumed["remaining_seconds"] + 595

    assert app_client.post(api + "/terminate", json={"reason": "notes"}, headers=proctor).status_code == 200
    ended = cara.get(attempt_url + "/live").json()
    assert ended["status"] == "terminated" and ended["remaining_seconds"] == 0 and ended["paused"] is False


def test_another_candidate_or_device_learns_nothing(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    _, attempt_url = _started(app_client, sitting)
    carl = TestClient(app_client.app)
    log_in(carl, "carl@example.org", TEST_PASSWORD)
    unknown = carl.get(attempt_url + "/live")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "attempt_not_found"
    assert carl.get("/candidate/attempts/" + "z" * 40 + "/live").status_code == 404

    other_device = TestClient(app_client.app)
    log_in(other_device, "cara@example.org", TEST_PASSWORD)
    before = _events(db)
    locked = other_device.get(attempt_url + "/live")
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "device_locked"
    assert _events(db) == before  # refused without a write: the page load records the second device
    anonymous = TestClient(app_client.app)
    assert anonymous.get(attempt_url + "/live", follow_redirects=False).status_code in (302, 303, 401)


def test_the_paused_page_sends_no_question_and_its_form_clears_no_answer(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara, attempt_url = _started(app_client, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    proctor = sitting["headers"]["proctor"]
    page = cara.get(attempt_url + "/items/1")
    radio_name = re.search(r'name="(r\.[A-Z_]+)"', page.text).group(1)  # type: ignore[union-attr]
    chosen = re.findall(r'type="radio" [^>]*value="([^"]+)"', page.text)[0]
    saved = cara.post(
        attempt_url + "/items/1",
        data={"csrf_token": csrf_from(page), radio_name: chosen, "action": "stay"},
        follow_redirects=False,
    )
    assert saved.status_code == 303

    assert app_client.post(f"/api/v1/attempts/{attempt_id}/pause", json={"reason": "alarm"}, headers=proctor).is_success
    paused = cara.get(attempt_url + "/items/1")
    assert paused.status_code == 200 and "Your exam is paused by the proctor" in paused.text
    assert 'type="radio"' not in paused.text and radio_name not in paused.text  # the question is not sent
    assert 'name="question_hidden" value="yes"' in paused.text

    assert app_client.post(f"/api/v1/attempts/{attempt_id}/resume", json={}, headers=proctor).is_success
    # Without JavaScript the candidate presses Next on the page rendered while paused: the answer stays.
    moved = cara.post(
        attempt_url + "/items/1",
        data={"csrf_token": csrf_from(paused), "question_hidden": "yes", "action": "goto:2"},
        follow_redirects=False,
    )
    assert moved.status_code == 303 and moved.headers["location"].endswith("/items/2")
    again = cara.get(attempt_url + "/items/1")
    assert f'value="{chosen}" checked' in again.text


def test_proctor_announcements_reach_one_candidate_or_the_sitting(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara, attempt_url = _started(app_client, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    headers = sitting["headers"]
    assert cara.get(attempt_url + "/live").json()["announcement"] is None

    one = f"/api/v1/attempts/{attempt_id}/announce"
    sent = app_client.post(one, json={"message": "  Ten minutes of quiet, please.  "}, headers=headers["proctor"])
    assert sent.status_code == 200, sent.text
    first = cara.get(attempt_url + "/live").json()["announcement"]
    assert first["message"] == "Ten minutes of quiet, please." and first["id"] > 0
    timeline = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=headers["proctor"])
    assert timeline.status_code == 200 and "announcement" in timeline.text  # a proctor action on the timeline

    for bad in ({"message": ""}, {"message": "   "}, {"message": "x" * 1001}, {}):
        refused = app_client.post(one, json=bad, headers=headers["proctor"])
        assert refused.status_code == 422, bad
    assert app_client.post(one, json={"message": "hi"}, headers=headers["stranger"]).status_code == 404
    assert app_client.post(one, json={"message": "hi"}, headers=headers["cara"]).status_code == 403

    whole = f"/api/v1/sittings/{sitting['sitting_id']}/announce"
    everyone = app_client.post(whole, json={"message": "The fire drill is over."}, headers=headers["admin"])
    assert everyone.status_code == 200 and everyone.json()["changed"] == 1
    second = cara.get(attempt_url + "/live").json()["announcement"]
    assert second["message"] == "The fire drill is over." and second["id"] > first["id"]
    assert app_client.post(whole, json={"message": "hi"}, headers=headers["stranger"]).status_code == 404

    assert app_client.post(
        f"/api/v1/attempts/{attempt_id}/terminate", json={"reason": "x"}, headers=headers["proctor"]
    ).is_success
    closed = app_client.post(one, json={"message": "too late"}, headers=headers["proctor"])
    assert closed.status_code == 409 and closed.json()["error"]["code"] == "attempt_closed"
    assert app_client.post(whole, json={"message": "nobody"}, headers=headers["admin"]).json()["changed"] == 0


def query_plan(db: Database, statement: Any, bound: dict[str, Any]) -> str:
    """The database's plan for a prebuilt statement with these bound values (PostgreSQL's with fresh statistics)."""
    with db.engine.connect() as connection:
        compiled = statement.compile(connection)
        params = compiled.construct_params(bound)
        if connection.dialect.name == "sqlite":
            values = tuple(params[name] for name in compiled.positiontup or ())
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled), values)
            return "\n".join(str(row[3]) for row in rows)
        connection.exec_driver_sql("ANALYZE attempt_event")
        return "\n".join(str(row[0]) for row in connection.exec_driver_sql("EXPLAIN " + str(compiled), params))


def add_answer_saves(db: Database, attempt_id: str, count: int) -> None:
    """An essay's autosaves: `count` answer_saved events on the attempt's timeline, written at once."""
    now = datetime.now(UTC)
    saves = [
        {"attempt_id": attempt_id, "at": now, "type": "answer_saved", "detail": {"slot": 1, "seq": n}}
        for n in range(count)
    ]
    with db.engine.begin() as connection:
        connection.execute(insert(AttemptEvent), saves)


def test_a_poll_never_walks_the_answer_saves(
    app_client: TestClient,
    db: Database,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    """An essay autosaves on every pause in typing: an attempt gathers thousands of answer_saved events, and each
    poll (every 3 s from every open page) must not read them, only the few other events (the partial index)."""
    cara, attempt_url = _started(app_client, sitting)
    attempt_id = attempt_url.rsplit("/", 1)[1]
    add_answer_saves(db, attempt_id, 2_000)
    plan = query_plan(db, LIVE_BY_ID, {"b_attempt_id": attempt_id})
    assert "ix_attempt_event_attempt" not in plan and "ix_attempt_event_chain" in plan, plan
    assert "Seq Scan on attempt_event" not in plan, plan
    body = cara.get(attempt_url + "/live").json()  # and it still answers what it did
    assert body["status"] == "in_progress" and body["announcement"] is None and body["version"] > 0
