"""A proctor types a message in the sitting dashboard's form; the candidate's open exam page shows it within 5 s,
and the proctor's page says how many candidates it went to. Another to one candidate from the attempt's page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import candidate_in_the_demo_exam, open_the_demo_dashboard

LIVE = 5_000  # ms: the promise for a proctor action to reach an open page


def test_a_message_typed_in_the_dashboard_reaches_the_open_exam_page(
    live_server: str, browser: Browser, page: Page
) -> None:
    candidate = candidate_in_the_demo_exam(browser, live_server, "candidate1@example.org")

    open_the_demo_dashboard(page, live_server)
    page.get_by_role("textbox", name="Message to every candidate still sitting").fill("Ten minutes left.")
    page.get_by_role("button", name="Send to everyone").click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"Message sent to \d+ candidate\(s\) still sitting"))

    message = candidate.get_by_role("status", name="Message from your proctor")
    expect(message).to_contain_text("Ten minutes left.", timeout=LIVE)

    row = page.get_by_role("row").filter(has_text="candidate1@example.org")
    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    page.get_by_role("textbox", name=re.compile("^Message to ")).fill("Please face the camera.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("alert")).to_have_text("Message sent to the candidate.")
    expect(message).to_contain_text("Please face the camera.", timeout=LIVE)
    expect(page.get_by_role("table").last).to_contain_text("Please face the camera.")
    candidate.context.close()
