"""Proctor actions beyond one attempt's pause and extend: incident time credited within the exam's cap (with the
browser's reported offline time as a suggestion only), and pausing and resuming a whole sitting."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from examengine.context import Services
from examengine.delivery import credit
from examengine.delivery.models import Attempt
from tests.api.test_delivery_api import sitting, start  # noqa: F401  (sitting: the fixture)


def test_credit_moves_the_deadline_within_the_cap(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    services: Services,
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    base = f"/api/v1/attempts/{attempt_id}"
    cara, proctor = sitting["headers"]["cara"], sitting["headers"]["proctor"]
    before = app_client.get(base, headers=proctor).json()["remaining_seconds"]
    credited = app_client.post(f"{base}/credit", json={"minutes": 10, "reason": "outage"}, headers=proctor)
    assert credited.status_code == 200, credited.text
    assert 595 <= credited.json()["remaining_seconds"] - before <= 600
    over = app_client.post(f"{base}/credit", json={"minutes": 21, "reason": "outage"}, headers=proctor)
    assert over.status_code == 422 and over.json()["error"]["code"] == "credit_over_cap"
    assert "20 minutes are left" in over.json()["error"]["message"]
    assert app_client.post(f"{base}/credit", json={"minutes": 20, "reason": "more"}, headers=proctor).status_code == 200
    assert app_client.post(f"{base}/credit", json={"minutes": 1, "reason": "x"}, headers=proctor).status_code == 422
    assert app_client.post(f"{base}/credit", json={"minutes": 1, "reason": "x"}, headers=cara).status_code == 403
    stranger = sitting["headers"]["stranger"]
    assert app_client.post(f"{base}/credit", json={"minutes": 1, "reason": "x"}, headers=stranger).status_code == 404
    events = app_client.get(f"{base}/events", headers=proctor).json()["events"]
    credits = [e["detail"] for e in events if e["type"] == "time_credited"]
    assert [(d["minutes"], d["credited_minutes"], d["cap_minutes"]) for d in credits] == [(10, 10, 30), (20, 30, 30)]
    app_client.post(f"{base}/submit", headers=cara)
    finished = app_client.post(f"{base}/credit", json={"minutes": 1, "reason": "x"}, headers=proctor)
    assert finished.status_code == 409


def test_reported_offline_time_is_a_suggestion_capped_by_the_policy(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
    services: Services,
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    cara = sitting["headers"]["cara"]
    for seconds in (130, 10**9, "lots"):  # never more than the server saw (tests/delivery/test_client_events.py)
        reported = app_client.post(
            f"/api/v1/attempts/{attempt_id}/events",
            json={"type": "online", "detail": {"offline_seconds": seconds}},
            headers=cara,
        )
        assert reported.status_code == 201

    def read(*, session: Any) -> credit.CreditPolicy:
        return credit.policy(session=session, attempt=session.get(Attempt, attempt_id))

    rules = services.db.call(read)
    assert rules.reported_offline_seconds <= 5  # the server saw the candidate a moment ago: no outage to credit
    assert credit.CreditPolicy(30, 60, 130).suggested_minutes == 2  # 70 s still owed, rounded up
    assert credit.CreditPolicy(30, 600, 130).suggested_minutes == 0


def test_a_whole_sitting_pauses_and_resumes_but_an_individual_pause_stays(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    cara_attempt = start(app_client, sitting).json()["attempt_id"]
    carl_attempt = start(app_client, sitting, "carl").json()["attempt_id"]
    proctor, sitting_id = sitting["headers"]["proctor"], sitting["sitting_id"]
    individual = app_client.post(
        f"/api/v1/attempts/{carl_attempt}/pause", json={"reason": "identity check"}, headers=proctor
    )
    assert individual.status_code == 200
    paused = app_client.post(f"/api/v1/sittings/{sitting_id}/pause", json={"reason": "fire alarm"}, headers=proctor)
    assert paused.status_code == 200 and paused.json() == {"sitting_id": sitting_id, "changed": 1}
    refused = app_client.put(
        f"/api/v1/attempts/{cara_attempt}/responses/1",
        json={"response": "A", "seq": 1},
        headers=sitting["headers"]["cara"],
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "attempt_paused"
    resumed = app_client.post(f"/api/v1/sittings/{sitting_id}/resume", json={}, headers=proctor)
    assert resumed.json() == {"sitting_id": sitting_id, "changed": 1}
    assert app_client.get(f"/api/v1/attempts/{cara_attempt}", headers=proctor).json()["status"] == "in_progress"
    assert app_client.get(f"/api/v1/attempts/{carl_attempt}", headers=proctor).json()["status"] == "paused"
    stranger = sitting["headers"]["stranger"]
    assert (
        app_client.post(f"/api/v1/sittings/{sitting_id}/pause", json={"reason": "x"}, headers=stranger).status_code
        == 404
    )
    assert (
        app_client.post(f"/api/v1/sittings/{sitting_id}/pause", json={"reason": ""}, headers=proctor).status_code == 422
    )
