"""Admin exam pages: a blueprint in YAML with clear errors, its pools and a preview form, publishing with the
shortfall, and scheduling a sitting with candidates from CSV (all or nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_exams_api import approved_bank, bearer, native_items
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in, post_form

BLUEPRINT = """code: WEB-1
title: Web exam
time_limit_minutes: 20
sections:
  - title: Part A
    draw: [{domain: D1, count: 3}]
  - title: Part B
    draw: [{domain: D2, count: 2}]
"""


@pytest.fixture
def admin(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    users = {
        name: make_user(f"{name}@example.org", role)
        for name, role in (("admin", "admin"), ("author", "author"), ("proctor", "proctor"), ("cara", "candidate"))
    }
    people = {"users": users, "headers": {n: bearer(app_client, u.email) for n, u in users.items()}}
    approved_bank(app_client, people, native_items("D1", 4) + native_items("D2", 1))
    client = TestClient(app_client.app)
    log_in(client, "admin@example.org", TEST_PASSWORD)
    return {"client": client, **people}


def test_blueprint_pool_preview_publish_and_sitting(admin: dict[str, Any]) -> None:
    client: TestClient = admin["client"]
    bad = post_form(client, "/admin/exams", {"source": "code: [unclosed"}, from_page="/admin/exams/new")
    assert bad.status_code == 422 and "not valid YAML" in bad.text
    invalid = post_form(
        client, "/admin/exams", {"source": "code: X\ntitle: T\nsections: []\n"}, from_page="/admin/exams/new"
    )
    assert invalid.status_code == 422 and "sections" in invalid.text
    created = post_form(client, "/admin/exams", {"source": BLUEPRINT}, from_page="/admin/exams/new")
    assert created.status_code == 303
    detail_url = created.headers["location"]
    detail = client.get(detail_url)
    assert "domain D2 needs 2, has 1 approved" in detail.text and "A generated form" not in detail.text
    refused = post_form(client, detail_url + "/publish", {}, from_page=detail_url)
    assert refused.status_code == 422 and "domain D2 needs 2, has 1 approved" in refused.text

    approved_bank(client, admin, native_items("D2", 3)[1:])
    detail = client.get(detail_url)
    assert "A generated form" in detail.text and detail.text.count("<li>D1 item") == 3
    assert post_form(client, detail_url + "/publish", {}, from_page=detail_url).status_code == 303
    assert "published" in client.get(detail_url).text

    sitting_url = detail_url + "/sittings"
    token = csrf_from(client.get(sitting_url + "/new"))
    form = {
        "csrf_token": token,
        "title": "Morning",
        "opens_at": "2030-01-01T09:00",
        "closes_at": "2030-01-01T12:00",
        "location": "Room 1",
        "proctor_ids": admin["users"]["proctor"].id,
    }
    rows = b"email,time_multiplier,accommodation_reason\ncara@example.org,1.5,assessed\nghost@example.org,,\n"
    rejected = client.post(sitting_url, data=form, files={"candidates": ("c.csv", rows, "text/csv")})
    assert rejected.status_code == 422 and "Line 3: No user with the email ghost@example.org" in rejected.text
    good = b"email,time_multiplier,accommodation_reason\ncara@example.org,1.5,assessed\n"
    scheduled = client.post(
        sitting_url, data=form, files={"candidates": ("c.csv", good, "text/csv")}, follow_redirects=False
    )
    assert scheduled.status_code == 303
    board = client.get(scheduled.headers["location"])
    assert "Morning" in board.text and "cara@example.org" in board.text
