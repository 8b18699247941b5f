"""Running the program through the API (API.md "Running the program"): changing a sitting never cuts a running
attempt short, cancelling is refused once anyone started and then refuses starts, candidates are enrolled and
removed one at a time within the capacity, an exam lists its sittings a page at a time; every change is audited."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.context import Services
from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture

Sitting = dict[str, Any]


def _url(s: Sitting, tail: str = "") -> str:
    return f"/api/v1/sittings/{s['sitting_id']}{tail}"


def _new_sitting(client: TestClient, s: Sitting, **changes: Any) -> str:
    now = datetime.now(UTC)
    body = {
        "exam_id": s["exam_id"],
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=1, hours=3)).isoformat(),
        "candidates": [{"user_id": s["users"]["nina"].id}],
        **changes,
    }
    created = client.post("/api/v1/sittings", headers=s["headers"]["admin"], json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["sitting_id"])


def _audit(services: Services, kind: AuditKind, subject: str) -> list[dict[str, Any]]:
    def read(*, session: Session) -> list[dict[str, Any]]:
        query = select(AuditRecord).where(col(AuditRecord.kind) == kind, col(AuditRecord.subject) == subject)
        return [r.detail | {"actor_id": r.actor_id} for r in session.scalars(query.order_by(col(AuditRecord.id)))]

    return services.db.call(read, write=False)


def test_a_new_close_never_cuts_a_running_attempt_short(
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
    services: Services,
) -> None:
    admin = sitting["headers"]["admin"]
    attempt = start(app_client, sitting).json()  # 30 minutes from now
    deadline = datetime.fromisoformat(attempt["deadline"])
    too_early = datetime.now(UTC) + timedelta(minutes=20)
    cut = app_client.patch(_url(sitting), headers=admin, json={"closes_at": too_early.isoformat()})
    assert cut.status_code == 409, cut.text
    assert cut.json()["error"]["code"] == "would_cut_attempt"
    message = cut.json()["error"]["message"]
    assert "UTC" in message and not re.search(r"\d{4}-\d\d-\d\dT", message), message
    assert app_client.get(_url(sitting), headers=admin).json()["closes_at"] != too_early.isoformat()

    enough = deadline + timedelta(minutes=1)
    moved = app_client.patch(_url(sitting), headers=admin, json={"closes_at": enough.isoformat(), "capacity": 5})
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert datetime.fromisoformat(body["closes_at"]) == enough and body["capacity"] == 5 and body["status"] == "open"
    after = app_client.get(f"/api/v1/attempts/{attempt['attempt_id']}", headers=sitting["headers"]["cara"]).json()
    assert datetime.fromisoformat(after["deadline"]) == deadline  # its own limit, not the new close

    record = _audit(services, AuditKind.SITTING_CHANGED, f"sitting:{sitting['sitting_id']}")
    assert record[-1]["capacity"] == {"from": None, "to": 5} and set(record[-1]) == {
        "closes_at",
        "capacity",
        "actor_id",
    }
    assert record[-1]["actor_id"] == sitting["users"]["admin"].id


def test_changes_are_checked(app_client: TestClient, sitting: Sitting) -> None:  # noqa: F811
    admin = sitting["headers"]["admin"]
    now = datetime.now(UTC)
    cases: list[tuple[dict[str, Any], int, str | None]] = [
        ({"opens_at": (now + timedelta(hours=5)).isoformat()}, 422, "invalid_window"),
        ({"closes_at": (now - timedelta(hours=5)).isoformat()}, 422, "invalid_window"),
        ({"opens_at": "2026-12-06T10:00:00"}, 422, None),  # no zone
        ({"opens_at": "tomorrow"}, 422, None),
        ({"closes_at": None}, 422, None),
        ({"capacity": 1}, 409, "capacity_below_enrolled"),
        ({"capacity": 0}, 422, None),
        ({"time_zone": "Mars/Olympus"}, 422, "invalid_time_zone"),
        ({"proctor_ids": ["ab" * 16]}, 404, "user_not_found"),
        ({"proctor_ids": [sitting["users"]["cara"].id]}, 422, "invalid_proctor"),
        ({"title": "x"}, 422, None),
    ]
    for body, status, code in cases:
        answer = app_client.patch(_url(sitting), headers=admin, json=body)
        assert answer.status_code in ((400, 422) if code is None else (status,)), (body, answer.text)
        if code:
            assert answer.json()["error"]["code"] == code, body
    assert app_client.patch(_url(sitting), headers=sitting["headers"]["proctor"], json={}).status_code == 403
    assert app_client.patch("/api/v1/sittings/" + "cd" * 16, headers=admin, json={}).status_code == 404
    zoned = app_client.patch(_url(sitting), headers=admin, json={"time_zone": "Europe/Paris", "capacity": None})
    assert zoned.status_code == 200 and zoned.json()["time_zone"] == "Europe/Paris"
    stranger = sitting["users"]["stranger"].id
    swapped = app_client.patch(_url(sitting), headers=admin, json={"proctor_ids": [stranger]})
    assert swapped.status_code == 200 and swapped.json()["proctor_ids"] == [stranger]


def test_cancel_is_refused_once_anyone_started_and_then_refuses_starts(
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
    services: Services,
) -> None:
    admin = sitting["headers"]["admin"]
    assert start(app_client, sitting).status_code == 201
    refused = app_client.post(_url(sitting, "/cancel"), headers=admin, json={"reason": "storm"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "attempts_started"

    later = {**sitting, "sitting_id": _new_sitting(app_client, sitting)}
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        assert app_client.post(_url(later, "/cancel"), headers=admin, json=body).status_code in (400, 422)
    assert (
        app_client.post(_url(later, "/cancel"), headers=sitting["headers"]["proctor"], json={"reason": "x"}).status_code
        == 403
    )
    done = app_client.post(_url(later, "/cancel"), headers=admin, json={"reason": "The room flooded"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    shown = app_client.get(_url(later), headers=admin).json()
    assert shown["status"] == "cancelled" and shown["cancel_reason"] == "The room flooded"
    assert [c["eligible"] for c in shown["candidates"]] == [False]
    # a start meets the cancellation before any other rule (the window has not opened either)
    started = start(app_client, later, "nina")
    assert started.status_code == 409 and started.json()["error"]["code"] == "sitting_cancelled"
    after_cancel: list[tuple[str, str, dict[str, Any]]] = [
        ("post", "/cancel", {"reason": "again"}),
        ("patch", "", {"capacity": 3}),
        ("post", "/candidates", {"user_id": sitting["users"]["cara"].id}),
    ]
    for method, tail, body in after_cancel:
        again = getattr(app_client, method)(_url(later, tail), headers=admin, json=body)
        assert again.status_code == 409 and again.json()["error"]["code"] == "sitting_cancelled", (tail, again.text)
    listed = app_client.get(f"/api/v1/exams/{sitting['exam_id']}/sittings", headers=admin).json()["items"]
    assert {row["sitting_id"]: row["status"] for row in listed} == {
        sitting["sitting_id"]: "open",
        later["sitting_id"]: "cancelled",
    }
    cancelled = _audit(services, AuditKind.SITTING_CANCELLED, f"sitting:{later['sitting_id']}")
    assert [(r["reason"], r["actor_id"]) for r in cancelled] == [("The room flooded", sitting["users"]["admin"].id)]


def test_candidates_are_enrolled_within_the_capacity_and_removed_until_they_start(
    app_client: TestClient,
    sitting: Sitting,  # noqa: F811
    make_user: Any,
    services: Services,
) -> None:
    admin, users = sitting["headers"]["admin"], sitting["users"]
    enrol = _url(sitting, "/candidates")
    extra = make_user("extra@example.org", "candidate")
    added = app_client.post(
        enrol,
        headers=admin,
        json={"user_id": users["nina"].id, "time_multiplier": 1.25, "accommodation_reason": "assessed"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["time_multiplier"] == 1.25 and added.json()["enrolled"] == 3
    refusals = [
        ({"user_id": users["nina"].id}, 409, "already_enrolled"),
        ({"user_id": users["stranger"].id}, 422, "invalid_candidate"),
        ({"user_id": "ef" * 16}, 404, "user_not_found"),
        ({"user_id": extra.id, "time_multiplier": 9}, 422, None),
        ({"user_id": "not an id"}, 422, None),
        ({}, 422, None),
    ]
    for body, status, code in refusals:
        answer = app_client.post(enrol, headers=admin, json=body)
        assert answer.status_code in ((400, 422) if code is None else (status,)), (body, answer.text)
        if code:
            assert answer.json()["error"]["code"] == code
    assert app_client.patch(_url(sitting), headers=admin, json={"capacity": 3}).status_code == 200
    full = app_client.post(enrol, headers=admin, json={"user_id": extra.id})
    assert full.status_code == 409 and full.json()["error"]["code"] == "sitting_full"
    assert "3 seats" in full.json()["error"]["message"]

    assert start(app_client, sitting).status_code == 201  # cara started
    started = app_client.delete(_url(sitting, f"/candidates/{users['cara'].id}"), headers=admin)
    assert started.status_code == 409 and started.json()["error"]["code"] == "candidate_started"
    removed = app_client.delete(_url(sitting, f"/candidates/{users['nina'].id}"), headers=admin)
    assert removed.status_code == 200 and removed.json()["enrolled"] == 2
    gone = app_client.delete(_url(sitting, f"/candidates/{users['nina'].id}"), headers=admin)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_enrolled"
    assert start(app_client, sitting, "nina").json()["error"]["code"] == "not_enrolled"
    assert app_client.post(enrol, headers=admin, json={"user_id": extra.id}).status_code == 201  # the seat is back
    subject = f"sitting:{sitting['sitting_id']}"
    assert [r["user_id"] for r in _audit(services, AuditKind.CANDIDATE_ENROLLED, subject)] == [
        users["nina"].id,
        extra.id,
    ]
    assert [r["user_id"] for r in _audit(services, AuditKind.CANDIDATE_REMOVED, subject)] == [users["nina"].id]


def test_an_exam_lists_its_sittings_a_page_at_a_time(app_client: TestClient, sitting: Sitting) -> None:  # noqa: F811
    admin = sitting["headers"]["admin"]
    made = [sitting["sitting_id"], *(_new_sitting(app_client, sitting) for _ in range(2))]
    url = f"/api/v1/exams/{sitting['exam_id']}/sittings"
    seen: list[str] = []
    cursor = None
    while True:
        page = app_client.get(url, headers=admin, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += [row["sitting_id"] for row in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(made) and len(seen) == 3
    assert seen[-1] == sitting["sitting_id"]  # latest opening first
    row = app_client.get(url, headers=admin).json()["items"][-1]
    assert set(row) >= {"sitting_id", "opens_at", "closes_at", "status"} and row["status"] == "open"
    assert app_client.get(url, headers=admin, params={"cursor": "ab" * 16}).status_code == 422
    assert app_client.get("/api/v1/exams/" + "ab" * 16 + "/sittings", headers=admin).status_code == 404
    assert app_client.get(url, headers=sitting["headers"]["proctor"]).status_code == 403
