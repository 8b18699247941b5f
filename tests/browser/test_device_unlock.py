"""A candidate's laptop fails mid-exam: in Chromium, two browser contexts are two devices of one candidate. The
second device is refused until the proctor moves the exam to it; then the old device is signed out and the new one
continues with the same answers and clock. Signing out and in again on the same browser is no new device: the exam
resumes there without the proctor."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Browser, Page, expect

from tests.browser.steps import another_browser, candidate_in_the_demo_exam, open_the_demo_dashboard
from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import answer_current_question

CANDIDATE = "candidate2@example.org"
RETURNING = "candidate1@example.org"
LOCKED = "This exam is open on another device. Ask your proctor to move it to this device."


def seconds_left(page: Page) -> int:
    hours, minutes, seconds = (int(part) for part in page.locator("#timer-text").inner_text().split(":"))
    return hours * 3600 + minutes * 60 + seconds


def test_the_proctor_moves_the_exam_to_the_candidates_new_device(
    live_server: str, browser: Browser, page: Page
) -> None:
    laptop = candidate_in_the_demo_exam(browser, live_server, CANDIDATE)
    answer_current_question(laptop)
    item_url = laptop.url
    attempt_url = item_url.rsplit("/items/", 1)[0]

    second_tab = laptop.context.new_page()  # the same browser session: not a second device
    second_tab.goto(item_url)
    expect(second_tab.get_by_role("heading", name=re.compile(r"Question 1 of 9"))).to_be_visible()
    second_tab.close()

    phone = another_browser(browser)
    sign_in(phone, live_server, CANDIDATE)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    phone.get_by_role("link", name="Resume exam").click()
    expect(phone.get_by_role("heading", name="This exam is open on another device")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text(LOCKED)
    phone.reload()  # retrying changes nothing, and is not a new incident
    expect(phone.get_by_role("alert")).to_contain_text(LOCKED)

    open_the_demo_dashboard(page, live_server)
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

    # The old device was signed out: its open page learns it from the live channel and reloads to the sign-in page
    # by itself (a reload from here would race that navigation).
    expect(laptop).to_have_url(re.compile(r"/login"), timeout=20_000)

    phone.goto(attempt_url + "/items/2")
    answer_current_question(phone)
    phone.goto(attempt_url + "/review")
    expect(phone.get_by_text("You answered 2 of 9 questions.")).to_be_visible()
    phone.context.close()
    laptop.context.close()


def test_signing_in_again_on_the_same_browser_resumes_the_exam_and_another_device_is_locked(
    live_server: str, browser: Browser, page: Page
) -> None:
    laptop = candidate_in_the_demo_exam(browser, live_server, RETURNING)
    answer_current_question(laptop)
    attempt_url = laptop.url.rsplit("/items/", 1)[0]

    clock_before = seconds_left(laptop)
    signed_out_at = time.monotonic()
    laptop.get_by_role("link", name="Sign out").click()
    expect(laptop.get_by_text("If you sign in again on this browser, your exam continues")).to_be_visible()
    laptop.get_by_role("button", name="Sign out").click()
    expect(laptop).to_have_url(re.compile(r"/login$"))
    laptop.wait_for_timeout(2000)  # signed out for a while: the clock keeps running

    sign_in(laptop, live_server, RETURNING)
    laptop.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    laptop.get_by_role("link", name="Resume exam").click()
    expect(laptop.get_by_role("heading", name=re.compile(r"Question 2 of 9"))).to_be_visible()  # 1 is answered
    clock_after = seconds_left(laptop)
    elapsed = time.monotonic() - signed_out_at
    assert clock_before - elapsed - 3 <= clock_after <= clock_before - 1  # the same clock, and it ran meanwhile
    expect(laptop.get_by_role("heading", name="This exam is open on another device")).to_have_count(0)
    laptop.goto(attempt_url + "/review")
    expect(laptop.get_by_text("You answered 1 of 9 questions.")).to_be_visible()  # the answer is kept
    laptop.goto(attempt_url + "/items/2")
    answer_current_question(laptop)  # and the exam goes on here

    phone = another_browser(browser)  # another device: no device cookie of this browser
    sign_in(phone, live_server, RETURNING)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    phone.get_by_role("link", name="Resume exam").click()
    expect(phone.get_by_role("heading", name="This exam is open on another device")).to_be_visible()
    expect(phone.get_by_role("alert")).to_contain_text(LOCKED)

    sign_in(page, live_server, "proctor@example.org")
    page.goto(attempt_url.replace("/candidate/attempts/", "/proctor/attempts/"))
    timeline = page.get_by_role("table").filter(has_text="Server time")
    expect(timeline.get_by_role("row").filter(has_text="device resumed")).to_contain_text("same_browser: True")
    expect(timeline).to_contain_text("second device")
    phone.context.close()
    laptop.context.close()
