"""A candidate's laptop fails mid-exam: in Chromium, two browser contexts are two devices of one candidate. The
second device is refused until the proctor moves the exam to it; then the old device is signed out and the new one
continues with the same answers and clock."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import answer_current_question, start_demo_exam

CANDIDATE = "candidate2@example.org"
LOCKED = "This exam is open on another device. Ask your proctor to move it to this device."


def seconds_left(page: Page) -> int:
    hours, minutes, seconds = (int(part) for part in page.locator("#timer-text").inner_text().split(":"))
    return hours * 3600 + minutes * 60 + seconds


def test_the_proctor_moves_the_exam_to_the_candidates_new_device(
    live_server: str, browser: Browser, page: Page
) -> None:
    laptop_context = browser.new_context()
    laptop = laptop_context.new_page()
    laptop.set_default_timeout(10_000)
    start_demo_exam(laptop, live_server, CANDIDATE)
    answer_current_question(laptop)
    item_url = laptop.url
    attempt_url = item_url.rsplit("/items/", 1)[0]

    second_tab = laptop_context.new_page()  # the same browser session: not a second device
    second_tab.goto(item_url)
    expect(second_tab.get_by_role("heading", name=re.compile(r"Question 1 of 9"))).to_be_visible()
    second_tab.close()

    phone_context = browser.new_context()
    phone = phone_context.new_page()
    phone.set_default_timeout(10_000)
    sign_in(phone, live_server, CANDIDATE)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    phone.get_by_role("link", name="Resume exam").click()
    expect(phone.get_by_role("heading", name="This exam is open on another device")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text(LOCKED)
    phone.reload()  # retrying changes nothing, and is not a new incident
    expect(phone.get_by_role("alert")).to_contain_text(LOCKED)

    sign_in(page, live_server, "proctor@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Proctoring").click()
    page.get_by_role("link", name="SAFE-101 demo sitting").click()
    row = page.get_by_role("row").filter(has_text=CANDIDATE)
    expect(row).to_contain_text("second device: 1")
    expect(row).to_contain_text("⚠")
    clock_before = seconds_left(laptop)
    moved_at = time.monotonic()
    row.get_by_label(re.compile("Reason for moving .* to a new device")).fill("Laptop battery failed")
    row.get_by_role("button", name=re.compile("to new device")).click()
    row = page.get_by_role("row").filter(has_text=CANDIDATE)
    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    timeline = page.get_by_role("table").filter(has_text="Server time")
    expect(timeline).to_contain_text("device unlocked")
    expect(timeline).to_contain_text("Laptop battery failed")

    phone.get_by_role("link", name="continue the exam here").click()
    expect(phone.get_by_role("heading", name=re.compile(r"Question 2 of 9"))).to_be_visible()  # 1 is answered
    elapsed = time.monotonic() - moved_at
    clock_after = seconds_left(phone)
    assert clock_before - elapsed - 3 <= clock_after <= clock_before + 1  # the same clock, still running
    # the review page by its address: its button would post this question's form (some kinds always carry a value)
    phone.goto(attempt_url + "/review")
    expect(phone.get_by_text("You answered 1 of 9 questions.")).to_be_visible()  # the laptop's answer is here

    laptop.reload()
    expect(laptop).to_have_url(re.compile(r"/login"))  # the old device was signed out

    phone.goto(attempt_url + "/items/2")
    answer_current_question(phone)
    phone.goto(attempt_url + "/review")
    expect(phone.get_by_text("You answered 2 of 9 questions.")).to_be_visible()
    phone_context.close()
    laptop_context.close()
