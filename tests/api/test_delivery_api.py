"""Delivery through the API: start or resume, items without keys, saves with seq, flags, events, the clock,
pause/resume/extend/terminate, submission exactly once and the expiry sweep."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.db import Database
from examengine.delivery import attempts as attempt_service
from examengine.delivery.models import Attempt
from examengine.exams.form_document import FormDocument
from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting
from tests.shown import as_shown


@pytest.fixture
def sitting(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "proctor": make_user("proctor@example.org", "proctor"),
        "stranger": make_user("stranger@example.org", "proctor"),
        "cara": make_user("cara@example.org", "candidate"),
        "carl": make_user("carl@example.org", "candidate"),
        "nina": make_user("nina@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    people = {"users": users, "headers": headers}
    items = native_items("D1", 6)
    items[0]["rationale"] = "RATIONALE-CANARY"
    approved_bank(app_client, people, items)
    body = blueprint(sections=[{"title": "Part A", "draw": [{"domain": "D1", "count": 4}]}], time_limit_minutes=30)
    candidates = [
        {"user_id": users["cara"].id},
        {"user_id": users["carl"].id, "time_multiplier": 1.5, "accommodation_reason": "assessed"},
    ]
    exam_id, sitting_id = open_sitting(app_client, headers["admin"], body, candidates, (users["proctor"].id,))
    return {**people, "sitting_id": sitting_id, "exam_id": exam_id}


def start(client: TestClient, s: dict[str, Any], who: str = "cara") -> Any:
    return client.post(f"/api/v1/sittings/{s['sitting_id']}/attempts", headers=s["headers"][who])


def test_start_resume_and_refusals(app_client: TestClient, sitting: dict[str, Any]) -> None:
    first = start(app_client, sitting)
    assert first.status_code == 201
    body = first.json()
    assert body["status"] == "in_progress" and 1795 <= body["remaining_seconds"] <= 1800
    assert [len(s["slots"]) for s in body["sections"]] == [4]
    again = start(app_client, sitting)
    assert again.status_code == 200 and again.json()["attempt_id"] == body["attempt_id"]
    carl = start(app_client, sitting, "carl").json()
    assert 2695 <= carl["remaining_seconds"] <= 2700  # 30 minutes x 1.5
    refused = start(app_client, sitting, "nina")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_enrolled"
    assert start(app_client, sitting, "proctor").status_code == 403


def test_items_never_carry_the_key_and_saves_are_ordered_by_seq(
    app_client: TestClient, db: Database, sitting: dict[str, Any]
) -> None:
    attempt = start(app_client, sitting).json()
    base = f"/api/v1/attempts/{attempt['attempt_id']}"
    cara = sitting["headers"]["cara"]
    for slot in range(1, 5):
        item = app_client.get(f"{base}/items/{slot}", headers=cara)
        assert item.status_code == 200
        text = item.text
        assert "RATIONALE-CANARY" not in text and "correct" not in text and "mapping" not in text
        shown = sorted(o["identifier"] for o in item.json()["item"]["interactions"][0]["options"])
        assert shown == sorted(as_shown(db, attempt["attempt_id"], slot, ["A", "B"])) and not {"A", "B"} & set(shown)

    def save(value: Any, seq: int) -> Any:
        answer = as_shown(db, attempt["attempt_id"], 1, value)
        return app_client.put(f"{base}/responses/1", json={"response": answer, "seq": seq}, headers=cara)

    assert save("A", 2).json()["saved_seq"] == 2
    stale = save("B", 1)
    assert stale.status_code == 200 and stale.json()["saved_seq"] == 2
    assert save("B", 2).json()["saved_seq"] == 2  # a retry of seq 2 with other content changes nothing
    state = app_client.get(base, headers=cara).json()
    assert state["responses"] == {"1": as_shown(db, attempt["attempt_id"], 1, "A")} and state["answered"] == 1
    assert save("B", 3).json()["saved_seq"] == 3
    assert app_client.get(base, headers=cara).json()["responses"] == {"1": as_shown(db, attempt["attempt_id"], 1, "B")}
    assert app_client.put(f"{base}/responses/9", json={"response": "A", "seq": 1}, headers=cara).status_code == 404
    bad = app_client.put(f"{base}/responses/1", json={"response": [["nested"]], "seq": 4}, headers=cara)
    assert bad.status_code == 422
    shown_a = as_shown(db, attempt["attempt_id"], 1, "A")
    other = app_client.put(
        f"{base}/responses/1", json={"response": shown_a, "seq": 9}, headers=sitting["headers"]["carl"]
    )
    assert other.status_code == 404  # someone else's attempt does not exist for you


def test_flags_events_and_the_timeline(app_client: TestClient, sitting: dict[str, Any]) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    cara, proctor = sitting["headers"]["cara"], sitting["headers"]["proctor"]
    flagged = app_client.put(f"/api/v1/attempts/{attempt_id}/flags/2", json={"flagged": True}, headers=cara)
    assert flagged.status_code == 200 and flagged.json()["flags"] == [2]
    assert (
        app_client.post(
            f"/api/v1/attempts/{attempt_id}/events",
            headers=cara,
            json={"type": "focus_lost", "client_time": "2026-01-01T10:00:00Z"},
        ).status_code
        == 201
    )
    assert (
        app_client.post(f"/api/v1/attempts/{attempt_id}/events", headers=cara, json={"type": "made_up"}).status_code
        == 422
    )
    timeline = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=proctor).json()["events"]
    assert [e["type"] for e in timeline] == ["started", "flagged", "focus_lost"]
    assert timeline[2]["client_time"].startswith("2026-01-01T10:00:00")
    assert (
        app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=sitting["headers"]["stranger"]).status_code
        == 404
    )
    assert app_client.get(f"/api/v1/attempts/{attempt_id}", headers=proctor).json()["responses"] == {}


def test_pause_stops_the_clock_and_refuses_saves(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    cara, proctor = sitting["headers"]["cara"], sitting["headers"]["proctor"]
    base = f"/api/v1/attempts/{attempt_id}"
    assert app_client.post(f"{base}/pause", json={"reason": ""}, headers=proctor).status_code == 422
    paused = app_client.post(f"{base}/pause", json={"reason": "fire alarm"}, headers=proctor)
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    refused = app_client.put(f"{base}/responses/1", json={"response": "A", "seq": 1}, headers=cara)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "attempt_paused"
    remaining = paused.json()["remaining_seconds"]

    def ten_minutes_of_pause(*, session: Any) -> None:
        session.execute(
            update(Attempt)
            .where(col(Attempt.id) == attempt_id)
            .values(
                paused_at=datetime.now(UTC) - timedelta(minutes=10),
                started_at=datetime.now(UTC) - timedelta(minutes=10),
            )
        )

    services.db.call(ten_minutes_of_pause)
    resumed = app_client.post(f"{base}/resume", json={}, headers=proctor).json()
    assert resumed["status"] == "in_progress" and abs(resumed["remaining_seconds"] - remaining) <= 2
    extended = app_client.post(f"{base}/extend", json={"minutes": 5, "reason": "outage"}, headers=proctor).json()
    assert abs(extended["remaining_seconds"] - remaining - 300) <= 2
    assert (
        app_client.post(f"{base}/pause", json={"reason": "x"}, headers=sitting["headers"]["stranger"]).status_code
        == 404
    )
    assert app_client.post(f"{base}/pause", json={"reason": "x"}, headers=cara).status_code == 403
    ended = app_client.post(f"{base}/terminate", json={"reason": "phone in use"}, headers=proctor).json()
    assert ended["status"] == "terminated"
    after = app_client.put(f"{base}/responses/1", json={"response": "A", "seq": 2}, headers=cara)
    assert after.status_code == 409 and after.json()["error"]["code"] == "attempt_closed"


def _expire_one_second_ago(services: Services, attempt_id: str) -> datetime:
    deadline = datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)

    def move(*, session: Any) -> None:
        session.execute(
            update(Attempt)
            .where(col(Attempt.id) == attempt_id)
            .values(started_at=deadline - timedelta(minutes=30), deadline_at=deadline)
        )

    services.db.call(move)
    return deadline


def test_a_save_after_the_deadline_is_refused_and_finishes_at_the_deadline(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    deadline = _expire_one_second_ago(services, attempt_id)
    late = app_client.put(
        f"/api/v1/attempts/{attempt_id}/responses/1",
        json={"response": "A", "seq": 1},
        headers=sitting["headers"]["cara"],
    )
    assert late.status_code == 409 and late.json()["error"]["code"] == "attempt_closed"
    state = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=sitting["headers"]["cara"]).json()
    assert state["status"] == "expired"
    assert datetime.fromisoformat(state["finished_at"]) == deadline


def test_the_sweep_expires_once_even_when_run_twice(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    deadline = _expire_one_second_ago(services, attempt_id)
    assert services.db.call(attempt_service.expire_overdue) == 1
    assert services.db.call(attempt_service.expire_overdue) == 0
    submitted = app_client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=sitting["headers"]["cara"])
    assert submitted.status_code == 200 and submitted.json()["status"] == "expired"
    events = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=sitting["headers"]["proctor"]).json()
    assert [e["type"] for e in events["events"]].count("expired") == 1
    state = app_client.get(f"/api/v1/attempts/{attempt_id}", headers=sitting["headers"]["cara"]).json()
    assert datetime.fromisoformat(state["finished_at"]) == deadline


def test_submit_is_harmless_to_repeat_scores_and_the_retake_policy_applies(
    app_client: TestClient, sitting: dict[str, Any]
) -> None:
    attempt_id = start(app_client, sitting).json()["attempt_id"]
    cara = sitting["headers"]["cara"]
    first = app_client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=cara)
    second = app_client.post(f"/api/v1/attempts/{attempt_id}/submit", headers=cara)
    assert first.json()["status"] == second.json()["status"] == "submitted"
    events = app_client.get(f"/api/v1/attempts/{attempt_id}/events", headers=sitting["headers"]["admin"]).json()
    assert [e["type"] for e in events["events"]].count("submitted") == 1
    assert first.json()["result"]["passed"] is False and first.json()["result"]["raw_score"] == 0
    retake = start(app_client, sitting)  # a fail, and the blueprint says wait 14 days after a fail
    assert retake.status_code == 403 and retake.json()["error"]["code"] == "retake_wait"
    assert "You may retake from" in retake.json()["error"]["message"]


def test_the_form_is_reproducible_from_its_seed(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    from examengine.delivery.start import StartPlan, _plan
    from examengine.exams.form_inputs import FormInputs, assemble_form
    from examengine.scoring.retake import eligibility

    attempt_id = start(app_client, sitting).json()["attempt_id"]
    stored = services.db.call(lambda *, session: session.get(Attempt, attempt_id), write=False)
    carl = sitting["users"]["carl"].id
    plan = services.db.call(
        _plan, sitting_id=sitting["sitting_id"], user_id=carl, now=datetime.now(UTC), eligible=eligibility, write=False
    )
    assert isinstance(plan, StartPlan) and isinstance(plan.form, FormInputs) and stored is not None
    rebuilt = assemble_form(plan.form, stored.seed)  # carl has sat nothing: the inputs cara's form was built from
    slots = [(s.item_id, s.version) for section in rebuilt.sections for s in section.slots]
    assert slots == [(v.item_id, v.version) for v in stored.form.slots.values()]
    assert json.dumps(stored.form.to_json()["slots"])  # JSON-serialisable as stored


def test_fixed_forms_rotate_are_identical_per_form_and_a_retake_gets_another(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    headers, users = sitting["headers"], sitting["users"]
    body = blueprint(
        code="FIX-1",
        assembly="fixed",
        forms=2,
        sections=[{"title": "A", "draw": [{"domain": "D1", "count": 3}]}],
        retake_policy={"max_attempts": 3, "wait_days_after_fail": 0, "allow_after_pass": True},
    )
    exam_id = app_client.post("/api/v1/exams", json=body, headers=headers["admin"]).json()["exam_id"]
    assert app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=headers["admin"]).status_code == 200
    now = datetime.now(UTC)
    sitting_id = app_client.post(
        "/api/v1/sittings",
        headers=headers["admin"],
        json={
            "exam_id": exam_id,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=2)).isoformat(),
            "proctor_ids": [],
            "candidates": [{"user_id": users[n].id} for n in ("cara", "carl", "nina")],
        },
    ).json()["sitting_id"]

    def form_of(who: str) -> FormDocument:
        attempt_id = app_client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=headers[who]).json()[
            "attempt_id"
        ]
        form: FormDocument = services.db.call(lambda *, session: session.get(Attempt, attempt_id).form, write=False)
        return form

    cara, carl, nina = form_of("cara"), form_of("carl"), form_of("nina")
    assert (cara.form_name, carl.form_name, nina.form_name) == ("Form A", "Form B", "Form A")
    assert cara.slots == nina.slots  # one fixed form: the same items, order and option orders
    assert (cara.form_index, carl.form_index) == (0, 1)


def test_a_retake_on_fixed_forms_gets_a_form_not_sat_before(
    app_client: TestClient, sitting: dict[str, Any], services: Services
) -> None:
    from examengine.exams.form_inputs import fixed_form_seed

    assert fixed_form_seed("e1", 1, 0) == fixed_form_seed("e1", 1, 0) != fixed_form_seed("e1", 1, 1)
    headers, users = sitting["headers"], sitting["users"]
    body = blueprint(
        code="FIX-2",
        assembly="fixed",
        forms=2,
        cut_score=None,
        sections=[{"title": "A", "draw": [{"domain": "D1", "count": 2}]}],
        retake_policy={"max_attempts": 3, "wait_days_after_fail": 0},
    )
    exam_id = app_client.post("/api/v1/exams", json=body, headers=headers["admin"]).json()["exam_id"]
    app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=headers["admin"])
    now = datetime.now(UTC)
    sitting_id = app_client.post(
        "/api/v1/sittings",
        headers=headers["admin"],
        json={
            "exam_id": exam_id,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=2)).isoformat(),
            "candidates": [{"user_id": users["cara"].id}, {"user_id": users["nina"].id}],
        },
    ).json()["sitting_id"]

    def start_form(who: str) -> tuple[str, str]:
        attempt_id = app_client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=headers[who]).json()[
            "attempt_id"
        ]
        form = services.db.call(lambda *, session: session.get(Attempt, attempt_id).form, write=False)
        return attempt_id, str(form.form_name)

    first, first_form = start_form("cara")
    assert first_form == "Form A"
    assert start_form("nina")[1] == "Form B"
    app_client.post(f"/api/v1/attempts/{first}/submit", headers=headers["cara"])
    assert start_form("cara")[1] == "Form B"  # the rotation says A, but Cara has sat A
