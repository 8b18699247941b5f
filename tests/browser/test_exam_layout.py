"""The candidate's exam page is locked down and honest about its state: no site navigation while an attempt runs,
Sign out asks first, Flag for review exposes its state, the navigator and the save status follow every save."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_candidate_exam import start_demo_exam


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
    expect(page.get_by_text("you will need the proctor to let you back in")).to_be_visible()
    expect(page.get_by_role("link", name="Home")).to_have_count(0)
    page.get_by_role("link", name="Back to my exam").click()  # still signed in, back in the exam
    expect(page.get_by_role("heading", name=re.compile(r"Question \d of 9"))).to_be_visible()

    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto(f"{live_server}/candidate")
    expect(page).to_have_url(re.compile(r"/login"))  # the session really ended
