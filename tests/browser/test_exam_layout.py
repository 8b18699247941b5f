"""The candidate's exam page is locked down and honest about its state: no site navigation while an attempt runs,
Sign out asks first, Flag for review exposes its state, the navigator and the save status follow every save."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import give_an_answer, start_demo_exam
from tests.browser.test_candidate_sections import schedule_sitting
from tests.browser.test_certificates import approved_item


def test_the_exam_pages_have_no_site_navigation_and_sign_out_asks_first(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate1@example.org")
    for name in ("Home", "My exams", "My certificates", "Standard setting", "examengine"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    page.get_by_role("button", name="Review answers").click()
    expect(page.get_by_role("heading", name="Review your answers")).to_be_visible()
    expect(page.get_by_role("link", name="My certificates")).to_have_count(0)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)

    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign out during your exam?")).to_be_visible()
    expect(page.get_by_text("Your exam is still running and its clock keeps going.")).to_be_visible()
    expect(page.get_by_text("If you sign in again on this browser, your exam continues")).to_be_visible()
    expect(
        page.get_by_text("On another device, or after this browser's cookies are cleared, you will need the proctor")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Home")).to_have_count(0)
    page.get_by_role("link", name="Back to my exam").click()  # still signed in, back in the exam
    expect(page.get_by_role("heading", name=re.compile(r"Question \d of 9"))).to_be_visible()

    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{live_server}/candidate")
    expect(page).to_have_url(re.compile(r"/login"))  # the session really ended


def current_entry(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Questions").locator('[aria-current="page"]')


def test_flag_state_navigator_and_save_status_follow_the_page_without_reloads(live_server: str, page: Page) -> None:
    start_demo_exam(page, live_server, "candidate3@example.org")
    status = page.get_by_role("status", name="Save status")
    page.wait_for_timeout(700)  # the page's first flush has run: nothing was answered, so nothing claims "Saved"
    expect(status).to_have_text("")
    heading = page.get_by_role("heading", level=1)
    first_heading = heading.inner_text()
    page.evaluate("window.sameDocument = true")

    flag = page.get_by_role("button", name="Flag for review")
    expect(flag).to_have_attribute("aria-pressed", "false")
    flag.click()
    expect(flag).to_have_attribute("aria-pressed", "true")
    expect(current_entry(page)).to_have_accessible_name(re.compile(r", flagged$"))
    flag.click()
    expect(flag).to_have_attribute("aria-pressed", "false")
    expect(current_entry(page)).not_to_have_accessible_name(re.compile("flagged"))
    flag.click()
    expect(flag).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("window.sameDocument") is True  # toggled in place, no page load

    expect(current_entry(page)).to_have_accessible_name(re.compile(r"not answered"))
    give_an_answer(page)
    expect(status).to_have_text("Saved")
    expect(current_entry(page)).to_have_accessible_name(re.compile(r", answered, flagged$"))
    expect(current_entry(page)).to_contain_text("✓")
    expect(heading).to_have_text(first_heading)  # marked answered without moving on
    assert page.evaluate("window.sameDocument") is True

    page.reload()  # the server kept the flag and the answer
    expect(page.get_by_role("button", name="Flag for review")).to_have_attribute("aria-pressed", "true")
    expect(current_entry(page)).to_have_accessible_name(re.compile(r", answered, flagged$"))


ESSAY = {
    "id": "LAYOUT-ESSAY",
    "kind": "essay",
    "stem": "<p>Describe how you would report a near miss.</p>",
    "points": 2,
    "metadata": {"domain": "D1"},
}


def essay_exam_for_candidate2(base: str) -> None:
    item_id = approved_item(base, ESSAY)
    exam = {
        "code": "LAYOUT-1",
        "title": "Near-miss reporting",
        "time_limit_minutes": 10,
        "assembly": "fixed",
        "sections": [{"title": "Part A", "items": [{"item_id": item_id, "version": 1}]}],
        "cut_score": {"type": "percent", "value": 50},
    }
    schedule_sitting(base, "candidate2@example.org", exam, "Near-miss reporting")


def test_the_essay_counts_words_saves_while_typing_and_flushes_when_the_page_goes(live_server: str, page: Page) -> None:
    essay_exam_for_candidate2(live_server)
    sign_in(page, live_server, "candidate2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    sitting = page.get_by_role("region", name=re.compile("Near-miss reporting"))
    sitting.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    sitting.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name="Question 1 of 1")).to_be_visible()

    box = page.get_by_role("textbox", name="Your answer")
    expect(box).to_have_accessible_description("0 words")
    width = page.evaluate("document.getElementById('item-form').getBoundingClientRect().width")
    assert box.bounding_box()["width"] >= width * 0.95  # type: ignore[index]  # full width, not 200 px
    label = page.locator("label", has_text="Your answer").bounding_box()
    assert label is not None and label["y"] + label["height"] <= box.bounding_box()["y"] + 1  # type: ignore[index]

    status = page.get_by_role("status", name="Save status")
    expect(status).to_have_text("")
    box.press_sequentially("Call the supervisor")
    expect(status).to_have_text("Saving…")  # during the debounce, before anything reached the server
    expect(box).to_have_accessible_description("3 words")
    expect(status).to_have_text("Saved")

    box.press_sequentially(" and write it down")
    attempt = page.url.split("/items/")[0]
    page.goto(f"{attempt}/sign-out")  # leaves within the debounce: the page's hide sends the answer at once
    expect(page.get_by_role("heading", name="Sign out during your exam?")).to_be_visible()
    page.evaluate("window.localStorage.clear()")  # nothing replays it from the device: the server already has it
    page.goto(attempt)
    expect(page.get_by_role("textbox", name="Your answer")).to_have_value(re.compile("and write it down"))
    expect(page.get_by_role("textbox", name="Your answer")).to_have_accessible_description("7 words")
