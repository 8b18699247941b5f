"""Proctor pages: only assigned sittings, live rows with progress and incidents, actions with reasons on the record."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from examengine.db import Database
from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.shown import as_shown
from tests.web.browsing import csrf_from, log_in


def proctor_client(app_client: TestClient, email: str) -> TestClient:
    client = TestClient(app_client.app)
    log_in(client, email, TEST_PASSWORD)
    return client


def test_dashboard_rows_and_actions(app_client: TestClient, db: Database, sitting: dict[str, Any]) -> None:  # noqa: F811
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    cara = sitting["headers"]["cara"]
    answer = as_shown(db, attempt_id, 1, "A")
    app_client.put(f"/api/v1/attempts/{attempt_id}/responses/1", json={"response": answer, "seq": 1}, headers=cara)
    app_client.post(f"/api/v1/attempts/{attempt_id}/events", json={"type": "paste_attempt"}, headers=cara)
    proctor = proctor_client(app_client, "proctor@example.org")
    assert sitting["sitting_id"] in proctor.get("/proctor").text
    board = proctor.get(f"/proctor/sittings/{sitting['sitting_id']}")
    assert board.status_code == 200
    text = board.text
    assert "1 / 4" in text and "paste attempt: 1" in text and "not checked in" in text
    assert text.index("Test User") < text.rindex("not checked in")  # attention rows (incidents) sort first
    fragment = proctor.get(
        f"/proctor/sittings/{sitting['sitting_id']}", headers={"HX-Request": "true", "HX-Target": "live-rows"}
    )
    assert "<html" not in fragment.text and "1 / 4" in fragment.text
    filtered = proctor.get(f"/proctor/sittings/{sitting['sitting_id']}?status=not_checked_in")
    assert "1 / 4" not in filtered.text

    act = f"/proctor/attempts/{attempt_id}/actions"
    token = csrf_from(board)
    no_reason = proctor.post(act, data={"csrf_token": token, "action": "pause"})
    assert no_reason.status_code == 422 and "Give the reason to pause" in no_reason.text
    assert (
        proctor.post(
            act, data={"csrf_token": token, "action": "pause", "reason": "noise"}, follow_redirects=False
        ).status_code
        == 303
    )
    refused = app_client.put(
        f"/api/v1/attempts/{attempt_id}/responses/2", json={"response": "A", "seq": 1}, headers=cara
    )
    assert refused.json()["error"]["code"] == "attempt_paused"
    for form in (
        {"action": "resume"},
        {"action": "extend", "minutes": "5", "reason": "outage"},
        {"action": "note", "reason": "ID checked again", "category": "identity"},
        {"action": "terminate", "reason": "second phone"},
    ):
        assert proctor.post(act, data={"csrf_token": token, **form}, follow_redirects=False).status_code == 303
    timeline = proctor.get(f"/proctor/attempts/{attempt_id}")
    for entry in ("paused", "in progress", "extended", "incident", "terminated", "second phone", "ID checked again"):
        assert entry in timeline.text
    exported = proctor.get(f"/proctor/attempts/{attempt_id}?format=csv")
    assert exported.headers["content-type"].startswith("text/csv") and "terminated" in exported.text
    assert '"events"' in proctor.get(f"/proctor/attempts/{attempt_id}?format=json").text
    candidate_view = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=cara).text
    assert "ID checked again" not in candidate_view and "second phone" not in candidate_view


def test_proctors_see_only_their_sittings(app_client: TestClient, sitting: dict[str, Any]) -> None:  # noqa: F811
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    stranger = proctor_client(app_client, "stranger@example.org")
    assert sitting["sitting_id"] not in stranger.get("/proctor").text
    assert stranger.get(f"/proctor/sittings/{sitting['sitting_id']}").status_code == 404
    assert stranger.get(f"/proctor/attempts/{attempt_id}").status_code == 404
    token = csrf_from(stranger.get("/proctor"))
    assert (
        stranger.post(
            f"/proctor/attempts/{attempt_id}/actions", data={"csrf_token": token, "action": "terminate", "reason": "x"}
        ).status_code
        == 404
    )
    live = app_client.get(f"/api/v1/sittings/{sitting['sitting_id']}/attempts", headers=sitting["headers"]["stranger"])
    assert live.status_code == 404
    rows = app_client.get(f"/api/v1/sittings/{sitting['sitting_id']}/attempts", headers=sitting["headers"]["proctor"])
    assert sorted(r["status"] for r in rows.json()["items"]) == ["in_progress", "not_checked_in"]
