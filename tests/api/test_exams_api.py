"""Exams and sittings through the API: blueprints, publishing with pinned versions or shortfalls, sittings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_PASSWORD


def bearer(client: TestClient, email: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def native_items(domain: str, count: int, *, enemy: str | None = None) -> list[dict[str, Any]]:
    return [
        {
            "id": f"{domain}-{n}",
            "kind": "single_choice",
            "title": f"{domain} item {n}",
            "stem": f"<p>{domain} {n}?</p>",
            "options": [{"id": "A", "text": "yes", "correct": True}, {"id": "B", "text": "no"}],
            "metadata": {
                "domain": domain,
                "tags": ["calc"] if n % 2 else [],
                "enemy_groups": [enemy] if enemy and n < 2 else [],
            },
        }
        for n in range(count)
    ]


@pytest.fixture
def people(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "proctor": make_user("proctor@example.org", "proctor"),
        "other_proctor": make_user("other@example.org", "proctor"),
        "cara": make_user("cara@example.org", "candidate"),
        "carl": make_user("carl@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items() if name != "carl"}
    return {"users": users, "headers": headers}


def approved_bank(client: TestClient, people: dict[str, Any], items: list[dict[str, Any]]) -> list[str]:
    author, admin = people["headers"]["author"], people["headers"]["admin"]
    response = client.post(
        "/api/v1/items/import", headers=author, files={"file": ("bank.json", json.dumps({"items": items}).encode())}
    )
    assert response.status_code == 201, response.text
    ids = [ref["item_id"] for ref in response.json()["imported"]]
    for item_id in ids:
        client.post(f"/api/v1/items/{item_id}/versions/1/transition", json={"to": "review"}, headers=author)
        assert (
            client.post(
                f"/api/v1/items/{item_id}/versions/1/transition", json={"to": "approved"}, headers=admin
            ).status_code
            == 200
        )
    return ids


def blueprint(**changes: Any) -> dict[str, Any]:
    body = {
        "code": "SAFE-101",
        "title": "Workplace safety",
        "instructions": "Answer every question.",
        "time_limit_minutes": 60,
        "assembly": "loft",
        "sections": [
            {
                "title": "Part A",
                "time_limit_minutes": None,
                "shuffle_items": True,
                "shuffle_options": True,
                "items": [],
                "draw": [{"domain": "D1", "count": 3}, {"tag": "calc", "count": 1}],
            }
        ],
        "cut_score": {"type": "percent", "value": 70},
        "scale": {"min": 200, "max": 800, "cut": 500},
        "retake_policy": {"max_attempts": 3, "wait_days_after_fail": 14, "allow_after_pass": False},
        "result_release": "immediate",
        "program": "kept as given",
    }
    body.update(changes)
    return body


def open_sitting(
    client: TestClient,
    admin: dict[str, str],
    body: dict[str, Any],
    candidates: list[dict[str, Any]],
    proctor_ids: tuple[str, ...] = (),
) -> tuple[str, str]:
    """Create and publish the exam, then schedule a sitting open from a minute ago for two hours; returns
    (exam id, sitting id)."""
    exam_id = client.post("/api/v1/exams", json=body, headers=admin).json()["exam_id"]
    assert client.post(f"/api/v1/exams/{exam_id}/publish", headers=admin).status_code == 200
    now = datetime.now(UTC)
    created = client.post(
        "/api/v1/sittings",
        headers=admin,
        json={
            "exam_id": exam_id,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=2)).isoformat(),
            "proctor_ids": list(proctor_ids),
            "candidates": candidates,
        },
    )
    assert created.status_code == 201, created.text
    return exam_id, str(created.json()["sitting_id"])


def test_create_publish_pins_versions(app_client: TestClient, people: dict[str, Any]) -> None:
    approved_bank(app_client, people, native_items("D1", 5) + native_items("D2", 2))
    author, admin = people["headers"]["author"], people["headers"]["admin"]
    created = app_client.post("/api/v1/exams", json=blueprint(), headers=author)
    assert created.status_code == 201 and created.json()["status"] == "draft" and created.json()["version"] == 1
    exam_id = created.json()["exam_id"]
    assert app_client.get(f"/api/v1/exams/{exam_id}", headers=author).json()["definition"]["program"] == "kept as given"
    assert app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=author).status_code == 403
    published = app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=admin)
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=admin)
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_a_draft"
    duplicate = app_client.post("/api/v1/exams", json=blueprint(), headers=author)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "exam_code_taken"
    v2 = app_client.post(f"/api/v1/exams/{exam_id}/versions", json=blueprint(title="Safety v2"), headers=author)
    assert v2.status_code == 201 and v2.json()["version"] == 2


def test_publish_reports_the_shortfall_per_rule(app_client: TestClient, people: dict[str, Any]) -> None:
    approved_bank(app_client, people, native_items("D1", 3, enemy="E1") + native_items("D2", 1))
    admin = people["headers"]["admin"]
    body = blueprint(sections=[{"title": "A", "draw": [{"domain": "D1", "count": 3}, {"domain": "D2", "count": 8}]}])
    exam_id = app_client.post("/api/v1/exams", json=body, headers=admin).json()["exam_id"]
    refused = app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=admin)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "pool_shortfall"
    messages = [s["message"] for s in error["details"]["shortfalls"]]
    assert messages == [
        "domain D1 needs 3, has 2 approved",
        "domain D2 needs 8, has 1 approved",
    ]
    assert app_client.get(f"/api/v1/exams/{exam_id}", headers=admin).json()["status"] == "draft"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"sections": []}, "sections"),
        ({"sections": [{"title": "A"}]}, "has no items"),
        ({"sections": [{"title": "A", "draw": [{"count": 2}]}]}, "names a domain, a tag or both"),
        ({"cut_score": {"type": "percent", "value": 120}}, "at most 100"),
        ({"scale": {"min": 200, "max": 800, "cut": 900}}, "min < cut < max"),
        ({"code": "bad code!"}, "code"),
        ({"result_release": "on_date"}, "needs release_at"),
    ],
)
def test_bad_blueprints_are_refused_clearly(
    app_client: TestClient, people: dict[str, Any], change: dict[str, Any], fragment: str
) -> None:
    response = app_client.post("/api/v1/exams", json=blueprint(**change), headers=people["headers"]["admin"])
    assert response.status_code == 422
    assert fragment in response.text
    assert app_client.get("/api/v1/exams", headers=people["headers"]["admin"]).json()["items"] == []


def test_sittings_enrol_with_accommodations_and_only_their_proctors_see_them(
    app_client: TestClient, people: dict[str, Any]
) -> None:
    approved_bank(app_client, people, native_items("D1", 5))
    admin, users = people["headers"]["admin"], people["users"]
    exam_id = app_client.post("/api/v1/exams", json=blueprint(), headers=admin).json()["exam_id"]
    now = datetime.now(UTC)
    body = {
        "exam_id": exam_id,
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(hours=3)).isoformat(),
        "proctor_ids": [users["proctor"].id],
        "candidates": [
            {"user_id": users["cara"].id},
            {"user_id": users["carl"].id, "time_multiplier": 1.5, "accommodation_reason": "dyslexia, assessed 2026-03"},
        ],
    }
    unpublished = app_client.post("/api/v1/sittings", json=body, headers=admin)
    assert unpublished.status_code == 409 and unpublished.json()["error"]["code"] == "exam_not_published"
    app_client.post(f"/api/v1/exams/{exam_id}/publish", headers=admin)
    # The contract's own body (`{user_id, time_multiplier?}`) is enough: a reason is kept when given, never required.
    no_reason = {**body, "candidates": [{"user_id": users["carl"].id, "time_multiplier": 1.5}]}
    assert app_client.post("/api/v1/sittings", json=no_reason, headers=admin).status_code == 201
    wrong_role = {**body, "proctor_ids": [users["cara"].id]}
    assert app_client.post("/api/v1/sittings", json=wrong_role, headers=admin).status_code == 422
    backwards = {**body, "closes_at": body["opens_at"]}
    assert app_client.post("/api/v1/sittings", json=backwards, headers=admin).status_code == 422
    created = app_client.post("/api/v1/sittings", json=body, headers=admin)
    assert created.status_code == 201
    sitting_id = created.json()["sitting_id"]
    sitting = app_client.get(f"/api/v1/sittings/{sitting_id}", headers=people["headers"]["proctor"]).json()
    assert sitting["window"] == "open" and sitting["exam_version"] == 1
    by_name = {c["name"]: c for c in sitting["candidates"]}
    assert by_name["Test User"]["eligible"] is True
    assert sorted((c["time_multiplier"], c["accommodation_reason"]) for c in sitting["candidates"]) == [
        (1.0, ""),
        (1.5, "dyslexia, assessed 2026-03"),
    ]
    assert (
        app_client.get(f"/api/v1/sittings/{sitting_id}", headers=people["headers"]["other_proctor"]).status_code == 404
    )
    assert app_client.get(f"/api/v1/sittings/{sitting_id}", headers=people["headers"]["cara"]).status_code == 403
