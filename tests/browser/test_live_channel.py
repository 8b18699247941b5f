"""The live channel: what the proctor does reaches the candidate's open exam page within 5 s without a reload
(the page polls GET .../live): pause freezes the timer, disables the answers and hides the question; resume
restarts the timer from the same time; an extension moves it at once; termination ends the page."""

from __future__ import annotations

import re

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_candidate_exam import start_demo_exam

ANSWER_FIELDS = "#item-form input:not([type=hidden]), #item-form textarea, #item-form select"
LIVE = 5_000  # ms: the promise for any proctor action to reach an open page


def seconds(text: str) -> int:
    hours, minutes, secs = re.search(r"(\d+):(\d\d):(\d\d)", text).groups()  # type: ignore[union-attr]
    return int(hours) * 3600 + int(minutes) * 60 + int(secs)


def test_pause_resume_extend_and_terminate_reach_the_open_page(live_server: str, page: Page) -> None:
    page.set_default_timeout(10_000)
    start_demo_exam(page, live_server, "candidate1@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    timer = page.get_by_role("timer")
    next_button = page.get_by_role("button", name="Next")
    answers = page.locator(ANSWER_FIELDS)
    expect(next_button).to_be_enabled()

    with httpx2.Client(base_url=live_server) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"

        def act(action: str, body: dict[str, object]) -> None:
            done = api.post(f"/api/v1/attempts/{attempt_id}/{action}", json=body)
            assert done.status_code == 200, done.text

        act("pause", {"reason": "Fire alarm"})
        expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor", timeout=LIVE)
        expect(next_button).to_be_disabled()
        expect(page.get_by_role("button", name="Review answers")).to_be_disabled()
        expect(page.locator("#item-body")).to_be_hidden()
        expect(answers.first).to_be_hidden()
        frozen = timer.inner_text()
        page.wait_for_timeout(2_000)
        assert timer.inner_text() == frozen  # the countdown stopped

        act("resume", {})
        expect(page.get_by_role("alert")).to_contain_text("resumed", timeout=LIVE)
        expect(next_button).to_be_enabled()
        expect(answers.first).to_be_visible()
        assert abs(seconds(timer.inner_text()) - seconds(frozen)) <= 6  # the same time left as when paused
        running = timer.inner_text()
        page.wait_for_timeout(2_000)
        assert timer.inner_text() != running

        before = seconds(timer.inner_text())
        act("extend", {"minutes": 10, "reason": "Rest break"})
        expect(page.get_by_role("alert")).to_contain_text("Your time was extended by 10 minutes", timeout=LIVE)
        assert seconds(timer.inner_text()) >= before + 600 - 8

        act("terminate", {"reason": "Phone on the desk"})
        expect(page.get_by_role("heading", name="Your exam was ended by the proctor")).to_be_visible(timeout=LIVE)
    assert page.url.endswith(f"/candidate/attempts/{attempt_id}/done")


def test_a_page_opened_while_paused_shows_no_question_and_comes_back_on_resume(live_server: str, page: Page) -> None:
    page.set_default_timeout(10_000)
    start_demo_exam(page, live_server, "candidate2@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    with httpx2.Client(base_url=live_server) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        assert api.post(f"/api/v1/attempts/{attempt_id}/pause", json={"reason": "Fire alarm"}).status_code == 200
        page.reload()
        expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor")
        expect(page.locator(ANSWER_FIELDS)).to_have_count(0)  # the question is not sent
        expect(page.get_by_role("button", name="Next")).to_be_disabled()
        frozen = page.get_by_role("timer").inner_text()
        page.wait_for_timeout(2_000)
        assert page.get_by_role("timer").inner_text() == frozen
        assert api.post(f"/api/v1/attempts/{attempt_id}/resume", json={}).status_code == 200
    expect(page.get_by_role("button", name="Next")).to_be_enabled(timeout=LIVE + 3_000)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(page.locator(ANSWER_FIELDS).first).to_be_visible()


def test_a_proctor_message_reaches_the_open_page(live_server: str, page: Page) -> None:
    page.set_default_timeout(10_000)
    start_demo_exam(page, live_server, "candidate3@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    with httpx2.Client(base_url=live_server) as api:
        token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        sent = api.post(f"/api/v1/attempts/{attempt_id}/announce", json={"message": "Please face the camera."})
        assert sent.status_code == 200, sent.text
    message = page.get_by_role("status").filter(has_text="Message from the proctor")
    expect(message).to_contain_text("Please face the camera.", timeout=LIVE)
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Question 1 of"))).to_be_visible()
    page.wait_for_timeout(3_500)  # a poll after the reload: the message was shown once, not again
    expect(page.get_by_role("status").filter(has_text="Message from the proctor")).to_have_count(0)
