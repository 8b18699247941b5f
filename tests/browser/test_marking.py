"""Marking and rescoring in Chromium: a marker marks an essay blind and the candidate's result completes; an
admin previews a rescore, applies it and sees the candidates whose pass/fail changed.

The exams are set up through the public API (fixed forms, so the essay is surely on the form)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2
from playwright.sync_api import Page, expect

from examengine.demo import DEMO_PASSWORD
from tests.browser.test_admin_users import sign_in


class Api:
    def __init__(self, base: str, email: str) -> None:
        self.base = base
        token = httpx2.post(f"{base}/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}).json()
        self.headers = {"Authorization": f"Bearer {token['token']}"}

    def call(self, method: str, path: str, body: Any = None, expect_status: int = 200) -> Any:
        response = httpx2.request(method, f"{self.base}{path}", json=body, headers=self.headers, timeout=30)
        assert response.status_code == expect_status, response.text
        return response.json()


def _exam_taken(base: str, code: str, titles: list[str], candidate: str, answer: dict[str, Any]) -> tuple[str, str]:
    """A published fixed exam of the demo items with these titles, a sitting for the candidate, and the
    candidate's submitted attempt answering by item title; returns the exam and attempt ids."""
    admin = Api(base, "admin@example.org")
    items = {i["title"]: i["item_id"] for i in admin.call("GET", "/api/v1/items?limit=200")["items"]}
    exam = admin.call(
        "POST",
        "/api/v1/exams",
        {
            "code": code,
            "title": f"{code} exam",
            "assembly": "fixed",
            "sections": [{"title": "All", "items": [{"item_id": items[t], "version": 1} for t in titles]}],
            "cut_score": {"type": "percent", "value": 100},
            "retake_policy": {"max_attempts": 3},
            "result_release": "immediate",
        },
        expect_status=201,
    )
    admin.call("POST", f"/api/v1/exams/{exam['exam_id']}/publish")
    user_id = admin.call("GET", f"/api/v1/users?q={candidate}")["items"][0]["id"]
    now = datetime.now(UTC)
    sitting = admin.call(
        "POST",
        "/api/v1/sittings",
        {
            "exam_id": exam["exam_id"],
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(hours=3)).isoformat(),
            "candidates": [{"user_id": user_id}],
        },
        expect_status=201,
    )
    me = Api(base, candidate)
    attempt = me.call("POST", f"/api/v1/sittings/{sitting['sitting_id']}/attempts", expect_status=201)
    attempt_id = attempt["attempt_id"]
    slots = [s["slot"] for section in attempt["sections"] for s in section["slots"]]
    for slot in slots:
        item = me.call("GET", f"/api/v1/attempts/{attempt_id}/items/{slot}")["item"]
        # a choice is answered by its option's text: the identifiers are the attempt's own
        by_text = {
            re.sub(r"<[^>]+>", "", o["html"]).strip(): o["identifier"]
            for i in item["interactions"]
            for o in i.get("options", [])
        }
        value = by_text.get(answer[item["title"]], answer[item["title"]])
        me.call("PUT", f"/api/v1/attempts/{attempt_id}/responses/{slot}", {"response": value, "seq": 1})
    me.call("POST", f"/api/v1/attempts/{attempt_id}/submit")
    return exam["exam_id"], attempt_id


def test_a_marker_marks_an_essay_and_the_result_completes(live_server: str, page: Page) -> None:
    essay = "Identify hazards & people at risk; <b>control</b> them."
    _, attempt_id = _exam_taken(
        live_server,
        "MARK-1",
        ["Class A fires", "Risk assessment"],
        "candidate2@example.org",
        {"Class A fires": "Wood and paper", "Risk assessment": essay},
    )
    candidate = Api(live_server, "candidate2@example.org")
    assert candidate.call("GET", f"/api/v1/attempts/{attempt_id}/result")["status"] == "received"

    sign_in(page, live_server, "marker@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Marking").click()
    expect(page.get_by_role("heading", name="Marking")).to_be_visible()
    page.get_by_role("button", name="Next script: MARK-1, Risk assessment").click()
    expect(page.get_by_role("heading", name=re.compile(r"Script S-[0-9A-F]{12}, item \d+"))).to_be_visible()
    expect(page.locator("pre.answer")).to_have_text(essay)  # shown as text, not markup
    expect(page.get_by_role("region", name="Rubric and scoring guidance")).to_contain_text("Identify hazards")
    expect(page.locator("main")).not_to_contain_text("Carl Candidate")
    expect(page.locator("main")).not_to_contain_text("candidate2@example.org")
    page.get_by_label("Mark (0 to 5)").fill("5")
    page.get_by_label("Comment (optional)").fill("All five steps.")
    page.get_by_role("button", name="Record mark").click()
    expect(page.get_by_role("status")).to_have_text("Your mark was recorded and the answer has its final score.")
    expect(page.get_by_text("Nothing is waiting for a mark.")).to_be_visible()

    result = candidate.call("GET", f"/api/v1/attempts/{attempt_id}/result")
    assert (result["status"], result["raw_score"], result["max_score"], result["passed"]) == ("released", 6, 6, True)


def test_an_admin_previews_and_applies_a_rescore(live_server: str, page: Page) -> None:
    exam_id, _ = _exam_taken(
        live_server,
        "RESCORE-1",
        ["Class A fires", "Hazard pictogram"],
        "candidate3@example.org",
        {"Class A fires": "Petrol", "Hazard pictogram": "Oxidising substance"},
    )
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/exams/{exam_id}")
    page.get_by_role("link", name="Results", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Chen Candidate"))
    expect(row).to_contain_text("fail")
    page.get_by_role("link", name="Rescore an item").click()
    page.get_by_label("Item", exact=True).select_option(label="v1: Class A fires (version 1)")
    page.get_by_role("radio", name="Score as correct for everyone").check()
    page.get_by_label("Reason").fill("Option B is also a correct answer")
    page.get_by_role("button", name="Preview rescoring").click()
    expect(page.get_by_role("heading", name=re.compile("What would change"))).to_be_visible()
    expect(page.locator(".pass-fail-changes")).to_have_text("Chen Candidate (candidate3@example.org): fail → pass")
    page.get_by_role("button", name="Apply rescoring").click()
    expect(page.get_by_role("heading", name="Rescoring applied")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("1 of 1 results changed")
    expect(page.locator(".pass-fail-changes")).to_contain_text("Chen Candidate")
    page.get_by_role("link", name="Results of RESCORE-1").click()
    expect(page.get_by_role("row", name=re.compile("Chen Candidate"))).to_contain_text("pass")
