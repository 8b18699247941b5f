"""A proctor terminates a candidate's attempt; the candidate is held (My exams says why) until an admin records a
decision with the form on the exam's results page, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import candidate_in_the_demo_exam, leave_the_ended_exam_page, open_the_demo_dashboard
from tests.browser.test_admin_users import sign_in

HELD = "held after a terminated attempt until an administrator decides"


def test_an_admin_decides_about_a_terminated_attempt_on_the_results_page(
    live_server: str, browser: Browser, page: Page
) -> None:
    candidate = candidate_in_the_demo_exam(browser, live_server, "candidate3@example.org")

    open_the_demo_dashboard(page, live_server)
    row = page.get_by_role("row").filter(has_text="candidate3@example.org")
    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    page.get_by_label("Reason or note").fill("Phone on the desk")
    page.get_by_role("button", name="Terminate").click()
    expect(page.locator(".facts")).to_contain_text(HELD)

    leave_the_ended_exam_page(candidate, f"{live_server}/candidate")
    expect(candidate.get_by_text(re.compile(HELD))).to_be_visible()
    expect(candidate.get_by_role("button", name="Start exam")).to_have_count(0)

    page.context.clear_cookies()
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    page.get_by_role("link", name="SAFE-101").click()
    page.get_by_role("link", name="Results").click()
    terminated = page.get_by_role("region", name="Terminated attempts")
    expect(terminated.get_by_role("row").filter(has_text="candidate3@example.org")).to_contain_text(
        "Held: awaiting a decision"
    )
    form = page.get_by_role("form", name=re.compile("Decide about the terminated attempt of"))
    form.get_by_role("radio", name=re.compile("^Let retake")).check()
    form.get_by_role("textbox", name="Reason for the decision").fill("The phone was the invigilator's")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_have_text("The decision about the terminated attempt was recorded.")
    decided = (
        page.get_by_role("region", name="Terminated attempts")
        .get_by_role("row")
        .filter(has_text="candidate3@example.org")
    )
    expect(decided).to_contain_text("allow retake: The phone was the invigilator's")

    candidate.goto(f"{live_server}/candidate")
    expect(candidate.get_by_text(re.compile(HELD))).to_have_count(0)
    candidate.context.close()
