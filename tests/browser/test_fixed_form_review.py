"""An admin makes a fixed-forms exam, publishes it and reviews forms A and B in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in


def test_admin_reviews_each_fixed_form_before_scheduling(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/blueprints/new")
    page.get_by_label("Code", exact=True).fill("FIXED-201")
    page.get_by_label("Exam title", exact=True).fill("Two fixed forms")
    page.get_by_label("Fixed forms A, B, … reviewed before the sitting").check()
    page.get_by_label("Number of fixed forms", exact=True).fill("2")
    page.get_by_label("Section 1 rule 1: items to draw", exact=True).fill("2")
    page.get_by_label("Section 1 rule 1: domain", exact=True).fill("D1")
    page.get_by_role("button", name="Add a draw rule to section 1").click()
    page.get_by_label("Section 1 rule 2: items to draw", exact=True).fill("1")
    page.get_by_label("Section 1 rule 2: domain", exact=True).fill("D3")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="FIXED-201: Two fixed forms")).to_be_visible()
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.get_by_role("status").filter(has_text="Not reviewed yet: forms A, B")).to_be_visible()

    page.get_by_role("link", name="Review the fixed forms").click()
    expect(page.get_by_role("heading", name="Fixed forms of FIXED-201 version 1")).to_be_visible()
    compare = page.get_by_role("table", name="Forms side by side")
    expect(compare.get_by_role("row", name=re.compile("^Items in D1"))).to_contain_text("2")
    form_a = page.get_by_role("table", name="Form A, Part 1")
    expect(form_a.get_by_role("row")).to_have_count(4)  # header and three items
    expect(form_a.get_by_role("columnheader", name="Key")).to_be_visible()

    page.get_by_label("Review note for form A").fill("Keys and wording checked")
    page.get_by_role("button", name="Mark form A reviewed").click()
    expect(page.get_by_role("status")).to_have_text("Form A is marked reviewed.")
    expect(page.get_by_text(re.compile("Reviewed by Ada Admin at .*: Keys and wording checked"))).to_be_visible()
    expect(page.get_by_role("button", name="Mark form A reviewed")).to_have_count(0)

    page.get_by_role("link", name="FIXED-201").click()
    page.get_by_role("link", name="Schedule a sitting").click()
    expect(page.get_by_role("status").filter(has_text="Not reviewed yet: form B")).to_be_visible()
    page.get_by_role("link", name="review the fixed forms").click()
    page.get_by_role("button", name="Mark form B reviewed").click()
    expect(page.get_by_role("status")).to_have_text("Form B is marked reviewed.")
    page.get_by_role("link", name="FIXED-201").click()
    expect(page.get_by_text("Not reviewed yet")).to_have_count(0)
