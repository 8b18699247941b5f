"""The exam page streams its live state (GET .../events, server-sent events) instead of polling: a proctor's pause
reaches it within 5 s with no poll made while the stream is open; a page whose stream is refused polls instead."""

from __future__ import annotations

import re

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_candidate_exam import start_demo_exam
from tests.browser.test_live_channel import LIVE


def _act(live_server: str, attempt_id: str, action: str, body: dict[str, object]) -> None:
    with httpx2.Client(base_url=live_server) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        done = api.post(f"/api/v1/attempts/{attempt_id}/{action}", json=body)
        assert done.status_code == 200, done.text


def test_the_open_page_hears_the_proctor_through_its_stream(live_server: str, page: Page) -> None:
    page.set_default_timeout(10_000)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    start_demo_exam(page, live_server, "candidate1@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    page.wait_for_timeout(4_000)  # longer than a poll's 3 s
    _act(live_server, attempt_id, "pause", {"reason": "Fire alarm"})
    expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor", timeout=LIVE)
    expect(page.get_by_role("button", name="Next")).to_be_disabled()
    _act(live_server, attempt_id, "resume", {})
    expect(page.get_by_role("alert")).to_contain_text("resumed", timeout=LIVE)
    assert any(url.endswith(f"/candidate/attempts/{attempt_id}/events") for url in asked), asked
    assert not [url for url in asked if url.endswith("/live")], asked  # no poll while the stream was open


def test_a_page_whose_stream_fails_polls_instead(live_server: str, page: Page) -> None:
    page.set_default_timeout(10_000)
    page.route(re.compile(r".*/events$"), lambda route: route.abort())
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if request.url.endswith("/live") else None)
    start_demo_exam(page, live_server, "candidate2@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    _act(live_server, attempt_id, "pause", {"reason": "Fire alarm"})
    expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor", timeout=LIVE)
    assert polls  # the pause came through the 3 s poll
