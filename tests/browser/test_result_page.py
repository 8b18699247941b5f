"""The candidate's result page in Chromium: "result" in the title and heading, the domains as the blueprint names
them, the scale explained; before release it says what happens next and shows no score."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in

DEMO_PASSWORD = "examengine-demo"
DOMAINS = [{"code": "D1", "name": "Fire safety"}, {"code": "D2", "name": "Hazardous substances"}]


@contextmanager
def api_as(base: str, email: str) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=base) as client:
        token = client.post("/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
        client.headers["Authorization"] = f"Bearer {token.json()['token']}"
        yield client


def submitted_attempt(base: str, email: str, code: str, **blueprint: Any) -> str:
    """A published exam drawing from D1 and D2 of the demo bank, a sitting open now for the candidate, and the
    candidate's attempt there submitted unanswered; returns its id."""
    with api_as(base, "admin@example.org") as admin, api_as(base, email) as candidate:
        user_id = next(u["id"] for u in admin.get("/api/v1/users", params={"q": email}).json()["items"])
        body = {
            "code": code,
            "title": "Safety result page",
            "time_limit_minutes": 30,
            "sections": [{"title": "Part A", "draw": [{"domain": "D1", "count": 2}, {"domain": "D2", "count": 1}]}],
            "cut_score": {"type": "percent", "value": 70},
            "scale": {"min": 200, "max": 800, "cut": 500},
            "domains": DOMAINS,
            **blueprint,
        }
        created = admin.post("/api/v1/exams", json=body)
        assert created.status_code == 201, created.text
        exam_id = created.json()["exam_id"]
        assert admin.post(f"/api/v1/exams/{exam_id}/publish").status_code == 200
        now = datetime.now(UTC)
        sitting = admin.post(
            "/api/v1/sittings",
            json={
                "exam_id": exam_id,
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(hours=2)).isoformat(),
                "proctor_ids": [],
                "candidates": [{"user_id": user_id}],
            },
        )
        assert sitting.status_code == 201, sitting.text
        started = candidate.post(f"/api/v1/sittings/{sitting.json()['sitting_id']}/attempts")
        assert started.status_code in (200, 201), started.text
        attempt_id = str(started.json()["attempt_id"])
        assert candidate.post(f"/api/v1/attempts/{attempt_id}/submit").status_code == 200
        return attempt_id


def test_the_result_page_names_domains_explains_the_scale_and_says_result(live_server: str, page: Page) -> None:
    released = submitted_attempt(live_server, "candidate2@example.org", "RESULT-1")
    withheld = submitted_attempt(live_server, "candidate2@example.org", "RESULT-2", result_release="manual")
    sign_in(page, live_server, "candidate2@example.org")

    page.goto(f"{live_server}/candidate/attempts/{released}/done")
    expect(page).to_have_title(re.compile(r"^Your result"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your result")
    expect(page.get_by_text("Scaled score 200 on a scale of 200\N{EN DASH}800; passing score 500.")).to_be_visible()
    table = page.get_by_role("table", name="By domain")
    expect(table.get_by_role("rowheader")).to_have_text(["Fire safety", "Hazardous substances"])
    expect(table).not_to_contain_text("D1")
    expect(page.get_by_role("main")).not_to_contain_text(re.compile("submitted", re.IGNORECASE))

    page.goto(f"{live_server}/candidate/attempts/{withheld}/done")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your exam was submitted")
    expect(page).to_have_title(re.compile(r"^Your exam was submitted"))
    next_step = page.get_by_role("region", name="What happens next")
    expect(next_step).to_contain_text("Results are released when the exam's results are published.")
    expect(page.get_by_text(re.compile("Scaled score"))).to_have_count(0)
    expect(page.get_by_role("table")).to_have_count(0)
