"""The waiting room: a candidate on My exams before the sitting opens sees when it opens, and the check-in form
appears by itself once it does, without a reload."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_sections import schedule_sitting


def test_the_check_in_opens_by_itself(live_server: str, page: Page) -> None:
    schedule_sitting(live_server, "candidate3@example.org", "SAFE-101", "Evening sitting", timedelta(seconds=6))
    sign_in(page, live_server, "candidate3@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    card = page.locator("section.sitting").filter(has_text="Evening sitting")
    expect(card).to_contain_text(re.compile(r"The sitting opens on \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC"))
    expect(card).to_contain_text("This page opens the check-in by itself")
    expect(card.get_by_role("button", name="Start exam")).to_have_count(0)
    expect(card.get_by_role("button", name="Start exam")).to_be_visible(timeout=30_000)
    expect(card.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement")).to_be_visible()
