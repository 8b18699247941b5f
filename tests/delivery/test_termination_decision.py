"""A terminated attempt holds the candidate: no new attempt at the exam until an admin records a decision (uphold,
allow_retake, void) with a reason, on the attempt's chain; what each decision means for the retake rules; the
pages that show the hold and take the decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

HELD = "held after a terminated attempt until an administrator decides"


@pytest.fixture
def exam(app_client: TestClient, make_user: Callable[..., Any]) -> Callable[..., dict[str, Any]]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "other_admin": make_user("root@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "proctor": make_user("proctor@example.org", "proctor"),
        "cara": make_user("cara@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    people = {"users": users, "headers": headers}
    approved_bank(app_client, people, native_items("D1", 6))

    def make(code: str = "SAFE-101", **policy: Any) -> dict[str, Any]:
        body = blueprint(sections=[{"title": "A", "draw": [{"domain": "D1", "count": 4}]}], time_limit_minutes=30)
        body["code"] = code
        body["retake_policy"] = {"max_attempts": 1, **policy}
        candidates = [{"user_id": users["cara"].id}]
        exam_id, sitting_id = open_sitting(app_client, headers["admin"], body, candidates, (users["proctor"].id,))
        return {**people, "exam_id": exam_id, "sitting_id": sitting_id}

    return make


def start(client: TestClient, s: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/sittings/{s['sitting_id']}/attempts", headers=s["headers"]["cara"])


def terminated(client: TestClient, s: dict[str, Any]) -> str:
    attempt_id = str(start(client, s).json()["attempt_id"])
    ended = client.post(
        f"/api/v1/attempts/{attempt_id}/terminate",
        json={"reason": "notes on the desk"},
        headers=s["headers"]["proctor"],
    )
    assert ended.status_code == 200, ended.text
    return attempt_id


def decide(client: TestClient, s: dict[str, Any], attempt_id: str, decision: str, who: str = "admin") -> Any:
    return client.post(
        f"/api/v1/attempts/{attempt_id}/termination-decision",
        json={"decision": decision, "reason": "reviewed the proctor's notes"},
        headers=s["headers"][who],
    )


def test_a_terminated_attempt_holds_the_candidate_until_an_admin_decides(
    app_client: TestClient, exam: Callable[..., dict[str, Any]]
) -> None:
    s = exam(max_attempts=3)
    attempt_id = terminated(app_client, s)
    held = start(app_client, s)
    assert held.status_code == 409 and held.json()["error"]["code"] == "termination_pending"
    assert HELD in held.json()["error"]["message"]
    assert log_in(app_client, "cara@example.org", TEST_PASSWORD).status_code == 303
    home = app_client.get("/candidate")
    assert HELD in home.text and "Start exam" not in home.text
    decided = decide(app_client, s, attempt_id, "uphold")
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["decision"] == "uphold" and body["decided_by"] == s["users"]["admin"].id
    assert start(app_client, s).status_code == 201  # upheld: it counts as one of three, retake rules apply


@pytest.mark.parametrize(
    ("decision", "then"),
    [("uphold", 403), ("allow_retake", 201), ("void", 201)],
)
def test_what_each_decision_means_for_the_attempts_left(
    app_client: TestClient, exam: Callable[..., dict[str, Any]], decision: str, then: int
) -> None:
    """One attempt allowed: an upheld termination used it; allow_retake and void do not count it."""
    s = exam(max_attempts=1)
    attempt_id = terminated(app_client, s)
    assert decide(app_client, s, attempt_id, decision).status_code == 200
    after = start(app_client, s)
    assert after.status_code == then, after.text
    if then == 403:
        assert after.json()["error"]["code"] == "max_attempts_reached"
    else:
        assert after.json()["attempt_id"] != attempt_id


def test_the_decision_is_recorded_once_with_who_and_why_on_the_chain(
    app_client: TestClient, exam: Callable[..., dict[str, Any]]
) -> None:
    s = exam()
    attempt_id = terminated(app_client, s)
    assert decide(app_client, s, attempt_id, "void").status_code == 200
    again = decide(app_client, s, attempt_id, "allow_retake", who="other_admin")
    assert again.status_code == 409 and again.json()["error"]["code"] == "termination_decided"
    events = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=s["headers"]["admin"]).json()["events"]
    decided = [e for e in events if e["type"] == "termination_decided"]
    assert len(decided) == 1
    assert decided[0]["detail"] == {"decision": "void", "reason": "reviewed the proctor's notes"}
    audit = app_client.get("/api/v1/audit", params={"subject": f"attempt:{attempt_id}"}, headers=s["headers"]["admin"])
    assert audit.status_code == 200
    assert any(r.get("detail", {}).get("event") == "termination_decided" for r in audit.json()["items"])


def test_only_an_admin_decides_about_a_terminated_attempt_with_a_reason(
    app_client: TestClient, exam: Callable[..., dict[str, Any]]
) -> None:
    s = exam()
    running = start(app_client, s).json()["attempt_id"]
    refused = decide(app_client, s, running, "void")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "attempt_not_terminated"
    app_client.post(f"/api/v1/attempts/{running}/terminate", json={"reason": "r"}, headers=s["headers"]["proctor"])
    for who in ("proctor", "cara", "author"):
        assert decide(app_client, s, running, "void", who=who).status_code == 403
    path = f"/api/v1/attempts/{running}/termination-decision"
    admin = s["headers"]["admin"]
    for body in ({"decision": "pardon", "reason": "r"}, {"decision": "void", "reason": ""}, {"decision": "void"}):
        assert app_client.post(path, json=body, headers=admin).status_code == 422
    assert app_client.post(path, json={"decision": "void", "reason": "   "}, headers=admin).status_code == 422
    missing = app_client.post(
        "/api/v1/attempts/0123abcd/termination-decision", json={"decision": "void", "reason": "r"}, headers=admin
    )
    assert missing.status_code == 404


def test_the_pages_show_the_hold_and_take_the_decision(
    app_client: TestClient, exam: Callable[..., dict[str, Any]]
) -> None:
    s = exam()
    elsewhere = exam(code="SAFE-102")["exam_id"]  # the form of another exam's page does not reach this attempt
    attempt_id = terminated(app_client, s)
    assert log_in(app_client, "proctor@example.org", TEST_PASSWORD).status_code == 303
    dashboard = app_client.get(f"/proctor/sittings/{s['sitting_id']}")
    assert "terminated: held until an administrator decides" in dashboard.text
    assert HELD in app_client.get(f"/proctor/attempts/{attempt_id}").text
    assert log_in(app_client, "admin@example.org", TEST_PASSWORD).status_code == 303
    results = app_client.get(f"/admin/exams/{s['exam_id']}/results")
    assert "Held: awaiting a decision" in results.text
    form_path = f"/admin/exams/{s['exam_id']}/attempts/{attempt_id}/termination-decision"
    wrong_exam = app_client.post(
        f"/admin/exams/{elsewhere}/attempts/{attempt_id}/termination-decision",
        data={"csrf_token": csrf_from(results), "decision": "void", "reason": "r"},
    )
    assert wrong_exam.status_code == 404
    no_reason = app_client.post(form_path, data={"csrf_token": csrf_from(results), "decision": "void", "reason": ""})
    assert no_reason.status_code == 422
    decided = app_client.post(
        form_path,
        data={"csrf_token": csrf_from(results), "decision": "allow_retake", "reason": "fire alarm"},
        follow_redirects=True,
    )
    assert decided.status_code == 200
    assert "The decision about the terminated attempt was recorded." in decided.text
    assert "allow retake: fire alarm" in decided.text and "Held: awaiting a decision" not in decided.text
