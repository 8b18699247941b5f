"""Admission: a candidate waiting for the proctor sees the first question by themselves once admitted (the waiting
room polls its address with htmx; a plain redirect there used to swap in nothing and strand the candidate)."""

from __future__ import annotations

import re

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_sections import schedule_sitting


def test_an_admitted_candidate_reaches_the_first_question_without_a_reload(live_server: str, page: Page) -> None:
    schedule_sitting(live_server, "candidate1@example.org", "SAFE-101", "Admitted sitting", requires_admission=True)
    sign_in(page, live_server, "candidate1@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    card = page.locator("section.sitting").filter(has_text="Admitted sitting")
    card.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    card.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()
    attempt_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    with httpx2.Client(base_url=live_server) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        admitted = api.post(
            f"/api/v1/attempts/{attempt_id}/admit",
            json={"reason": "identity checked"},
            headers={"Authorization": f"Bearer {token.json()['token']}"},
        )
    assert admitted.status_code == 200, admitted.text

    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of \d+"))).to_be_visible(timeout=15_000)
    expect(page.get_by_role("timer")).to_be_visible()
    assert re.search(rf"/candidate/attempts/{attempt_id}/items/\d+$", page.url)
