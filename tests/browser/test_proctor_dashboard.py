"""A proctor watches the demo sitting in Chromium while a candidate sits: progress and focus loss appear without a
reload; pause stops the candidate's clock and blocks saves; resume and extend; terminate; all on the timeline."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import answer_current_question, start_demo_exam


def test_proctor_sees_live_progress_and_acts(live_server: str, browser: Browser, page: Page) -> None:
    candidate_context = browser.new_context()
    candidate = candidate_context.new_page()
    candidate.set_default_timeout(10_000)
    start_demo_exam(candidate, live_server, "candidate1@example.org")

    sign_in(page, live_server, "proctor@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Proctoring").click()
    page.get_by_role("link", name="SAFE-101 demo sitting").click()
    row = page.get_by_role("row").filter(has_text="candidate1@example.org")
    expect(row).to_contain_text("in progress")
    expect(row).to_contain_text("0 / 9")

    answer_current_question(candidate)
    candidate.evaluate("document.dispatchEvent(new Event('paste'))")
    expect(row).to_contain_text("1 / 9", timeout=15_000)  # the rows refresh themselves
    expect(row).to_contain_text("paste attempt: 1", timeout=15_000)

    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    page.get_by_label("Reason or note").fill("Fire alarm in the building")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".facts")).to_contain_text("paused")
    candidate.reload()
    expect(candidate.get_by_role("alert")).to_contain_text("Paused by the proctor")
    frozen = candidate.get_by_role("timer").inner_text()
    candidate.wait_for_timeout(2500)
    assert candidate.get_by_role("timer").inner_text() != "" and frozen

    page.get_by_role("button", name="Resume").click()
    expect(page.locator(".facts")).to_contain_text("in progress")
    page.get_by_label("Reason or note").fill("Network outage in room 2")
    page.get_by_label("Minutes to add (for Extend)").fill("10")
    page.get_by_role("button", name="Extend").click()
    candidate.reload()
    expect(candidate.get_by_role("timer")).to_contain_text(re.compile(r"Time left: 0:(39|40):\d\d"))

    page.get_by_label("Reason or note").fill("Phone on the desk")
    page.get_by_role("button", name="Terminate").click()
    expect(page.locator(".facts")).to_contain_text("terminated")
    timeline = page.get_by_role("table").filter(has_text="Server time")
    for event in ("started", "answer saved", "paste attempt", "paused", "in progress", "extended", "terminated"):
        expect(timeline).to_contain_text(event)
    candidate.reload()
    expect(candidate.get_by_role("heading", name="Your exam was ended by the proctor")).to_be_visible()
    candidate_context.close()
