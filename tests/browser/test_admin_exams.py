"""An admin looks at the demo exam's pools and a generated form, and schedules a sitting, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in


def test_admin_reviews_the_blueprint_and_schedules_a_sitting(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    page.get_by_role("link", name="SAFE-101").click()
    expect(page.get_by_role("heading", name="SAFE-101: Workplace Safety Certificate")).to_be_visible()
    pools = page.get_by_role("table").filter(has_text="Pinned")
    expect(pools.get_by_role("row")).to_have_count(4)  # header and three draw rules
    expect(page.get_by_role("heading", name=re.compile("A generated form"))).to_be_visible()
    expect(page.locator("section ol li")).to_have_count(9)

    page.get_by_role("link", name="Schedule a sitting").click()
    page.get_by_label("Title").fill("Evening sitting")
    page.get_by_label("Opens", exact=True).fill("2030-05-01T18:00")
    page.get_by_label("Closes", exact=True).fill("2030-05-01T17:00")
    page.get_by_role("checkbox", name=re.compile("Petra Proctor")).check()
    page.get_by_role("button", name="Schedule sitting").click()
    expect(page.get_by_role("alert")).to_contain_text("The sitting must close after it opens.")
    page.get_by_label("Closes", exact=True).fill("2030-05-01T21:00")
    page.get_by_role("checkbox", name=re.compile("Petra Proctor")).check()
    page.get_by_role("button", name="Schedule sitting").click()
    expect(page.get_by_role("heading", name="Evening sitting")).to_be_visible()
