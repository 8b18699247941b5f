"""A proctor watches the demo sitting in Chromium while a candidate sits: progress and focus loss appear without a
reload; pause stops the candidate's clock and blocks saves; resume and extend; terminate; all on the timeline."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import candidate_in_the_demo_exam, open_the_demo_dashboard
from tests.browser.test_candidate_exam import answer_current_question


def test_proctor_sees_live_progress_and_acts(live_server: str, browser: Browser, page: Page) -> None:
    candidate = candidate_in_the_demo_exam(browser, live_server, "candidate1@example.org")

    open_the_demo_dashboard(page, live_server)
    row = page.get_by_role("row").filter(has_text="candidate1@example.org")
    expect(row).to_contain_text("in progress")
    expect(row).to_contain_text("0 / 9")
    expect(page.get_by_role("columnheader", name="Last activity")).to_be_visible()
    expect(row.get_by_role("cell").nth(4)).to_have_text(re.compile(r"^\d+ s ago$"))  # last activity
    expect(row.get_by_role("cell").nth(5)).to_have_text("live")  # connection

    answer_current_question(candidate)
    candidate.evaluate("document.dispatchEvent(new Event('paste'))")
    expect(row).to_contain_text("1 / 9", timeout=15_000)  # the rows refresh themselves
    expect(row).to_contain_text("paste attempt: 1", timeout=15_000)

    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    page.get_by_label("Reason or note").fill("Fire alarm in the building")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".facts")).to_contain_text("paused")
    candidate.reload()
    expect(candidate.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor")
    frozen = candidate.get_by_role("timer").inner_text()
    candidate.wait_for_timeout(2500)
    assert candidate.get_by_role("timer").inner_text() == frozen != ""

    page.get_by_role("button", name="Resume").click()
    expect(page.locator(".facts")).to_contain_text("in progress")
    expect(candidate.get_by_role("button", name="Next")).to_be_enabled()  # the paused page reloaded by itself
    page.get_by_label("Reason or note").fill("Network outage in room 2")
    page.get_by_label("Minutes (for Extend or Credit incident time)").fill("10")
    page.get_by_role("button", name="Extend").click()
    candidate.reload()
    expect(candidate.get_by_role("timer")).to_contain_text(re.compile(r"Time left: 0:(39|40):\d\d"))

    page.get_by_label("Reason or note").fill("Phone on the desk")
    page.get_by_role("button", name="Terminate").click()
    expect(page.locator(".facts")).to_contain_text("terminated")
    timeline = page.get_by_role("table").filter(has_text="Server time")
    for event in ("started", "answer saved", "paste attempt", "paused", "in progress", "extended", "terminated"):
        expect(timeline).to_contain_text(event)
    expect(candidate.get_by_role("heading", name="Your exam was ended by the proctor")).to_be_visible()
    candidate.context.close()


def test_offline_time_is_offered_as_credit_and_the_whole_sitting_pauses(
    live_server: str, browser: Browser, page: Page
) -> None:
    candidate = candidate_in_the_demo_exam(browser, live_server, "candidate2@example.org")
    # Let the requests of the page load land first: an event the server records during the outage (a request still
    # in flight on a busy machine) shortens the quiet it saw, and the credit is capped at that quiet.
    candidate.wait_for_timeout(1500)
    candidate.context.set_offline(True)
    candidate.evaluate("window.dispatchEvent(new Event('offline'))")
    candidate.wait_for_timeout(3200)
    candidate.context.set_offline(False)
    candidate.evaluate("window.dispatchEvent(new Event('online'))")

    open_the_demo_dashboard(page, live_server)
    row = page.get_by_role("row").filter(has_text="candidate2@example.org")
    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    facts = page.locator(".facts")
    expect(facts).to_contain_text(
        re.compile(r"Reported offline by the browser\s*0 min [34] s \(suggested credit: 1 min\)")
    )
    expect(page.get_by_label("Minutes (for Extend or Credit incident time)")).to_have_value("1")
    page.get_by_label("Reason or note").fill("Wi-Fi dropped in room 2")
    page.get_by_role("button", name="Credit incident time").click()
    expect(facts).to_contain_text("1 of at most 30 min")
    page.get_by_label("Reason or note").fill("Too much")
    page.get_by_label("Minutes (for Extend or Credit incident time)").fill("45")
    page.get_by_role("button", name="Credit incident time").click()
    expect(page.get_by_role("alert")).to_contain_text("29 minutes are left to credit")

    page.get_by_role("link", name="Back to the sitting").click()
    page.get_by_label("Reason (for everyone)").fill("Fire alarm")
    page.get_by_role("button", name="Pause everyone").click()
    expect(page.get_by_role("alert")).to_contain_text("Paused 1 candidate(s)")
    expect(row).to_contain_text("paused")
    candidate.reload()
    expect(candidate.get_by_role("alert")).to_contain_text("Your exam is paused by the proctor")
    page.get_by_role("button", name="Resume everyone paused with the sitting").click()
    expect(page.get_by_role("alert")).to_contain_text("Resumed 1 candidate(s)")
    expect(candidate.get_by_role("heading", name=re.compile("Question 1 of 9"))).to_be_visible()
    expect(candidate.get_by_role("alert")).to_have_count(0)
    candidate.context.close()
