"""The waiting room: a candidate on My exams before the sitting opens sees when it opens, and the check-in form
appears by itself once it does, without a reload."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in


def schedule_sitting_opening_soon(base: str, candidate_email: str, opens_in_seconds: int) -> None:
    with httpx2.Client(base_url=base) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        candidate = next(u for u in api.get("/api/v1/users").json()["items"] if u["email"] == candidate_email)
        exam = next(e for e in api.get("/api/v1/exams").json()["items"] if e["code"] == "SAFE-101")
        now = datetime.now(UTC)
        created = api.post(
            "/api/v1/sittings",
            json={
                "exam_id": exam["exam_id"],
                "title": "Evening sitting",
                "opens_at": (now + timedelta(seconds=opens_in_seconds)).isoformat(),
                "closes_at": (now + timedelta(hours=2)).isoformat(),
                "candidates": [{"user_id": candidate["id"]}],
            },
        )
        assert created.status_code == 201, created.text


def test_the_check_in_opens_by_itself(live_server: str, page: Page) -> None:
    schedule_sitting_opening_soon(live_server, "candidate3@example.org", opens_in_seconds=6)
    sign_in(page, live_server, "candidate3@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    card = page.locator("section.sitting").filter(has_text="Evening sitting")
    expect(card).to_contain_text(re.compile(r"The sitting opens at \d{4}-\d\d-\d\d \d\d:\d\d UTC"))
    expect(card).to_contain_text("This page opens the check-in by itself")
    expect(card.get_by_role("button", name="Start exam")).to_have_count(0)
    expect(card.get_by_role("button", name="Start exam")).to_be_visible(timeout=30_000)
    expect(card.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement")).to_be_visible()
