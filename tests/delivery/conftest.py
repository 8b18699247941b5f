"""Fixtures of the delivery tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_exams_api import approved_bank, bearer, blueprint, native_items, open_sitting


@pytest.fixture
def two_sittings(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    """One exam (two attempts allowed) with two open sittings, the candidate cara enrolled in both."""
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "cara": make_user("cara@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items()}
    people = {"users": users, "headers": headers}
    approved_bank(app_client, people, native_items("D1", 6))
    body = blueprint(sections=[{"title": "Part A", "draw": [{"domain": "D1", "count": 4}]}], time_limit_minutes=30)
    body["retake_policy"] = {"max_attempts": 3}
    candidates = [{"user_id": users["cara"].id}]
    exam_id, first = open_sitting(app_client, headers["admin"], body, candidates)
    now = datetime.now(UTC)
    second = app_client.post(
        "/api/v1/sittings",
        headers=headers["admin"],
        json={
            "exam_id": exam_id,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=2)).isoformat(),
            "candidates": candidates,
        },
    )
    assert second.status_code == 201, second.text
    return {**people, "exam_id": exam_id, "sittings": [first, second.json()["sitting_id"]]}
