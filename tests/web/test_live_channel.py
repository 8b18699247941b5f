"""The exam page's live channel: GET /candidate/attempts/{id}/live, one read the page polls (static/live.js)."""

from __future__ import annotations

from typing import Any

from sqlmodel import select
from starlette.testclient import TestClient

from examengine.db import Database
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
