"""The review queue in Chromium: an author sends versions to review and is never offered Approve on them; an admin
approves several at once from the queue and reads what happened to each. Every page passes axe."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.axe import AxeAudit
from tests.browser.test_admin_users import sign_in

CODES = ("ITM-000001", "ITM-000002")


def send_to_review(page: Page, base: str, code: str) -> None:
    page.goto(f"{base}/author/items")
    page.locator("#item-results").get_by_role("link", name=code).click()
    page.get_by_role("button", name="Save new version").click()
    expect(page.get_by_text("Version 2 of 2 — draft")).to_be_visible()
    page.get_by_role("button", name="Send to review").click()
    expect(page.get_by_text("Version 2 of 2 — review")).to_be_visible()


def test_an_author_is_not_offered_approve_and_a_reviewer_approves_in_bulk(live_server: str, page: Page) -> None:
    audit = AxeAudit()
    sign_in(page, live_server, "author@example.org")
    for code in CODES:
        send_to_review(page, live_server, code)
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("button", name="Return to draft")).to_be_visible()
    audit.check(page, "the author's own version in review")

    page.goto(f"{live_server}/author/review")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    expect(page.get_by_role("button", name="Approve selected")).to_have_count(0)
    expect(page.get_by_role("button", name="Return to draft selected")).to_be_visible()
    expect(page.get_by_text("(you wrote it: another reviewer approves)")).to_have_count(len(CODES))
    audit.check(page, "the review queue as the author")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/author/review")
    for code in CODES:
        page.get_by_role("checkbox", name=f"Select {code} version 2").check()
    page.get_by_label("Comment (recorded with each move)").fill("Reviewed together.")
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("status")).to_have_text("2 of 2 moved.")
    for code in CODES:
        expect(page.get_by_role("listitem").filter(has_text=f"{code} version 2: Approve: done.")).to_be_visible()
    expect(page.get_by_role("cell", name="Nothing is in review.")).to_be_visible()
    audit.check(page, "the review queue after a bulk approval")

    page.get_by_label("Show versions in").select_option("approved")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("button", name="Retire selected")).to_be_visible()
    audit.check(page, "the approved versions with the retire action")
    audit.assert_clean()
