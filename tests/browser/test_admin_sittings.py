"""An admin runs a sitting from its page in Chromium: schedules it, moves its window (a refusal shows beside the
field), sets its seats, finds and enrols a candidate with extra time, removes them, cancels the sitting with a
reason; the exam page lists it as cancelled. No axe violations, and the audit log fits a 375 px screen."""

from __future__ import annotations

import re

from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.axe import AxeAudit
from tests.browser.test_admin_users import sign_in


def test_admin_edits_enrols_removes_and_cancels_a_sitting(live_server: str, page: Page) -> None:
    audit = AxeAudit()
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    page.get_by_role("link", name="SAFE-101").click()
    expect(page.get_by_role("heading", name="Sittings")).to_be_visible()
    page.get_by_role("link", name="Schedule a sitting").click()
    page.get_by_label("Title").fill("Spring sitting")
    page.get_by_label("Time zone").fill("Europe/Paris")
    page.get_by_label("Opens", exact=True).fill("2031-03-10T09:00")
    page.get_by_label("Closes", exact=True).fill("2031-03-10T12:00")
    page.get_by_role("button", name="Schedule sitting").click()

    expect(page.get_by_role("heading", name=re.compile("Spring sitting"))).to_be_visible()
    expect(page.get_by_text("10 Mar 2031, 09:00 CET to 10 Mar 2031, 12:00 CET")).to_be_visible()
    audit.check(page, "the sitting page")

    closes = page.get_by_label(re.compile(r"^Closes \(Europe/Paris\)"))
    closes.fill("2031-03-10T08:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("#closes_at-error")).to_have_text("The sitting must close after it opens.")
    expect(page.get_by_label(re.compile(r"^Closes \(Europe/Paris\)"))).to_have_attribute("aria-invalid", "true")
    audit.check(page, "the sitting page with an error beside a field")
    page.get_by_label(re.compile(r"^Closes \(Europe/Paris\)")).fill("2031-03-10T13:30")
    page.get_by_label("Capacity (seats)").fill("2")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status")).to_have_text("The sitting was saved.")
    expect(page.get_by_text("to 10 Mar 2031, 13:30 CET")).to_be_visible()
    expect(page.get_by_text("0 enrolled of 2")).to_be_visible()

    page.get_by_role("searchbox", name="Name or email").fill("chen")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("radio", name=re.compile("Chen Candidate")).check()
    page.get_by_label("Time multiplier").fill("1.5")
    page.get_by_label("Why the accommodation is granted").fill("assessed need")
    audit.check(page, "the candidate search")
    page.get_by_role("button", name="Enrol the candidate").click()
    expect(page.get_by_role("status")).to_have_text("The candidate was enrolled.")
    roster = page.get_by_role("table", name="Enrolled candidates")
    expect(roster.get_by_role("row", name=re.compile("Chen Candidate"))).to_contain_text(
        "time \u00d7 1.5 (assessed need)"
    )
    roster.get_by_role("button", name="Remove Chen Candidate").click()
    expect(page.get_by_role("status")).to_have_text("The candidate was removed from the sitting.")
    expect(page.get_by_role("table", name="Enrolled candidates")).to_contain_text("Nobody is enrolled yet.")

    page.get_by_label("Reason (the candidates see it)").fill("The exam room is being renovated")
    page.get_by_role("button", name="Cancel the sitting").click()
    expect(page.get_by_role("status")).to_have_text("The sitting was cancelled; its candidates see the reason.")
    expect(page.get_by_text("The exam room is being renovated")).to_be_visible()
    expect(page.get_by_role("button", name="Save changes")).to_have_count(0)
    page.get_by_role("link", name="Sittings of SAFE-101").click()
    row = page.get_by_role("row", name=re.compile("Spring sitting"))
    expect(row).to_contain_text("cancelled")
    audit.check(page, "the exam's sittings")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="Sitting cancelled").first).to_be_visible()
    page.set_viewport_size(ViewportSize(width=375, height=800))
    # The audit table itself must fit (the site header's navigation is the stylesheet's to lay out).
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40))"""
    )
    assert wide == [], f"wider than a 375 px screen: {wide}"
    audit.check(page, "the audit log")
    audit.assert_clean()
