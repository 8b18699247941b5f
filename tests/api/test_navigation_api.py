"""Linear navigation through the API: one question at a time, forward only, no flags when the exam says so; with
timed sections, finishing a section moves the candidate to the next section's first question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.db import Database
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting
from tests.shown import as_shown


def linear_sitting(client: TestClient, make_user: Callable[..., Any], sections: list[dict[str, Any]]) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "cara": make_user("cara@example.org", "candidate"),
    }
    headers = {name: bearer(client, user.email) for name, user in users.items()}
    approved_bank(client, {"users": users, "headers": headers}, native_items("D1", 6))
    navigation = {"mode": "linear", "allow_review": False, "allow_flagging": False}
    body = blueprint(sections=sections, time_limit_minutes=60, navigation=navigation)
    _, sitting_id = open_sitting(client, headers["admin"], body, [{"user_id": users["cara"].id}])
    started = client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=headers["cara"])
    assert started.status_code == 201, started.text
    return {"base": f"/api/v1/attempts/{started.json()['attempt_id']}", "cara": headers["cara"]}


def code(response: Any) -> str:
    return str(response.json()["error"]["code"])


@pytest.fixture
def one_part(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    part = {"title": "Part A", "shuffle_items": False, "draw": [{"domain": "D1", "count": 3}]}
    return linear_sitting(app_client, make_user, [part])


def test_forward_only_one_question_at_a_time(app_client: TestClient, db: Database, one_part: dict[str, Any]) -> None:
    base, cara = one_part["base"], one_part["cara"]
    assert app_client.get(base, headers=cara).json()["current_slot"] == 1
    assert code(app_client.get(f"{base}/items/2", headers=cara)) == "linear_navigation"
    ahead = app_client.put(f"{base}/responses/2", json={"response": as_shown(db, base, 2, "A"), "seq": 1}, headers=cara)
    assert ahead.status_code == 409 and code(ahead) == "linear_navigation"
    assert (
        app_client.put(
            f"{base}/responses/1", json={"response": as_shown(db, base, 1, "A"), "seq": 1}, headers=cara
        ).status_code
        == 200
    )
    assert code(app_client.put(f"{base}/flags/1", json={"flagged": True}, headers=cara)) == "flagging_not_allowed"
    moved = app_client.post(f"{base}/items/1/next", headers=cara)
    assert moved.status_code == 200 and moved.json()["current_slot"] == 2
    again = app_client.post(f"{base}/items/1/next", headers=cara)
    assert again.status_code == 200 and again.json()["current_slot"] == 2  # a repeat moves nothing
    back = app_client.put(f"{base}/responses/1", json={"response": as_shown(db, base, 1, "B"), "seq": 2}, headers=cara)
    assert back.status_code == 409 and code(back) == "linear_navigation"
    assert app_client.get(f"{base}/items/2", headers=cara).status_code == 200
    assert app_client.post(f"{base}/items/2/next", headers=cara).json()["current_slot"] == 3
    last = app_client.post(f"{base}/items/3/next", headers=cara)
    assert last.status_code == 409 and code(last) == "last_slot"
    assert app_client.get(base, headers=cara).json()["responses"] == {"1": as_shown(db, base, 1, "A")}
    assert app_client.post(f"{base}/submit", headers=cara).json()["status"] == "submitted"


def test_finishing_a_timed_section_moves_to_its_first_question(
    app_client: TestClient, db: Database, make_user: Callable[..., Any]
) -> None:
    parts = [
        {"title": "Part A", "time_limit_minutes": 10, "shuffle_items": False, "draw": [{"domain": "D1", "count": 2}]},
        {"title": "Part B", "time_limit_minutes": 10, "shuffle_items": False, "draw": [{"domain": "D1", "count": 2}]},
    ]
    sitting = linear_sitting(app_client, make_user, parts)
    base, cara = sitting["base"], sitting["cara"]
    assert app_client.post(f"{base}/items/1/next", headers=cara).json()["current_slot"] == 2
    assert code(app_client.post(f"{base}/items/2/next", headers=cara)) == "last_slot"  # Part A ends at 2
    finished = app_client.post(f"{base}/sections/0/finish", headers=cara).json()
    assert finished["open_section"] == 1 and finished["current_slot"] == 3
    assert (
        app_client.put(
            f"{base}/responses/3", json={"response": as_shown(db, base, 3, "A"), "seq": 1}, headers=cara
        ).status_code
        == 200
    )
