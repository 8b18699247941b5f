"""The review page follows the proctor like the item page (pause freezes the timer and disables Submit, resume
restarts them, a message shows, termination goes to the done page), and the waiting room has the exam's locked
layout (no site navigation; Sign out asks first) and shows the proctor's messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import start_demo_exam
from tests.browser.test_candidate_sections import schedule_sitting
from tests.browser.test_live_channel import LIVE, seconds


def admin_action(base: str, attempt_id: str) -> Callable[[str, dict[str, object]], None]:
    def act(action: str, body: dict[str, object]) -> None:
        with httpx2.Client(base_url=base) as api:
            token = api.post("/api/v1/auth/token", json={"email": "admin@example.org", "password": "examengine-demo"})
            done = api.post(
                f"/api/v1/attempts/{attempt_id}/{action}",
                json=body,
                headers={"Authorization": f"Bearer {token.json()['token']}"},
            )
        assert done.status_code == 200, done.text

    return act


def test_the_review_page_freezes_on_pause_and_ends_on_terminate(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate2@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    act = admin_action(live_server, attempt_id)
    timer = page.get_by_role("timer")
    submit = page.get_by_role("button", name="Submit exam")
    expect(submit).to_be_enabled()

    act("pause", {"reason": "Fire alarm"})
    expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor", timeout=LIVE)
    expect(submit).to_be_disabled()
    frozen = timer.inner_text()
    page.wait_for_timeout(2_000)
    assert timer.inner_text() == frozen  # the countdown stopped

    act("resume", {})
    expect(page.get_by_role("alert")).to_contain_text("resumed", timeout=LIVE)
    expect(submit).to_be_enabled()
    assert abs(seconds(timer.inner_text()) - seconds(frozen)) <= 6

    act("announce", {"message": "Five minutes left."})
    expect(page.get_by_role("status", name="Message from your proctor")).to_contain_text(
        "Five minutes left.", timeout=LIVE
    )

    act("terminate", {"reason": "Phone on the desk"})
    expect(page.get_by_role("heading", name="Your exam was ended by the proctor")).to_be_visible(timeout=LIVE)
    assert page.url.endswith(f"/candidate/attempts/{attempt_id}/done")


def test_a_review_page_opened_while_paused_cannot_submit_until_resumed(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate3@example.org")
    attempt_id = re.search(r"/attempts/([^/]+)/items/", page.url).group(1)  # type: ignore[union-attr]
    act = admin_action(live_server, attempt_id)
    act("pause", {"reason": "Fire alarm"})
    page.goto(f"{live_server}/candidate/attempts/{attempt_id}/review")
    expect(page.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor")
    expect(page.get_by_role("button", name="Submit exam")).to_be_disabled()
    act("resume", {})
    expect(page.get_by_role("button", name="Submit exam")).to_be_enabled(timeout=LIVE + 3_000)
    expect(page.get_by_role("alert")).to_have_count(0)


def test_the_waiting_room_has_no_site_navigation_and_follows_the_proctor(live_server: str, page: Page) -> None:
    schedule_sitting(live_server, "candidate1@example.org", "SAFE-101", "Admitted sitting", requires_admission=True)
    sign_in(page, live_server, "candidate1@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    card = page.locator("section.sitting").filter(has_text="Admitted sitting")
    card.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    card.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    for name in ("Home", "My exams", "My certificates", "Standard setting", "examengine"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out during your exam?")).to_be_visible()
    page.get_by_role("link", name="Back to my exam").click()
    expect(page.get_by_role("heading", name="Waiting room")).to_be_visible()

    attempt_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    act = admin_action(live_server, attempt_id)
    act("announce", {"message": "The proctor will call you in two minutes."})
    expect(page.get_by_role("status", name="Message from your proctor")).to_contain_text(
        "The proctor will call you in two minutes.", timeout=LIVE
    )
    act("admit", {"reason": "identity checked"})
    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of \d+"))).to_be_visible(timeout=LIVE)
