"""The whole credential program in Chromium, on the demo data alone (no rows inserted behind the server's back):
a candidate enrolled nowhere applies for the CSP certification, the eligibility reviewer approves, the candidate
books a seat in the bookable CSP-201 sitting and sits: the exam's first question appears. Before the approval the
exam cannot be started; after it, the booking is what enrols the candidate. No axe violations on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import AxeAudit
from tests.browser.conftest import running_server
from tests.browser.steps import another_browser
from tests.browser.test_admin_users import sign_in
from tests.conftest import ENGINES
from tests.programs.schemes_for_tests import PDF

CANDIDATE = "candidate4@example.org"
SITTING = "CSP-201 bookable sitting"


@pytest.fixture(scope="module", params=ENGINES)
def demo_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(request, tmp_path_factory.mktemp("program_walk")) as base:
        yield base


def _nav(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def _apply(page: Page, audit: AxeAudit) -> None:
    _nav(page, "Programs")
    page.get_by_role("link", name=re.compile("Certified Safety Professional")).first.click()
    audit.check(page, "the scheme page")
    page.get_by_role("link", name="Apply").click()
    page.get_by_role("radio", name=re.compile("^Experience")).check()
    page.get_by_role("button", name="Start my application").click()
    expect(page.locator("#application-status")).to_have_text("Not submitted yet")
    page.get_by_label("File for Two years of safety practice").set_input_files(
        {"name": "practice.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Upload for Two years of safety practice").click()
    expect(page.get_by_role("status")).to_have_text("The file was added.")
    page.get_by_label(re.compile("I attest that this is true: I follow the code of professional conduct")).check()
    page.get_by_role("button", name="Attest: I follow the code of professional conduct").click()
    page.get_by_label(re.compile("I have read and accept the candidate handbook, version 2026.1")).check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#application-status")).to_have_text("Submitted, waiting for a reviewer")
    audit.check(page, "the submitted application")


def _approve(browser: Browser, base: str, audit: AxeAudit) -> None:
    reviewer = another_browser(browser)
    sign_in(reviewer, base, "reviewer@example.org")
    _nav(reviewer, "Applications")
    reviewer.get_by_role("link", name="Cleo Candidate").click()
    reviewer.get_by_role("radio", name="Approve: issue an authorization to test").check()
    reviewer.get_by_role("button", name="Record decision").click()
    expect(reviewer.get_by_role("status")).to_have_text("Your decision was recorded; the applicant sees it now.")
    audit.check(reviewer, "the decided application")
    reviewer.context.close()


def test_apply_review_book_and_sit(demo_server: str, page: Page, browser: Browser) -> None:
    base, audit = demo_server, AxeAudit()
    sign_in(page, base, CANDIDATE)
    _nav(page, "Authorizations")
    expect(page.get_by_role("link", name="Book a seat")).to_have_count(0)  # nothing to book before approval

    _apply(page, audit)
    _approve(browser, base, audit)

    page.reload()
    expect(page.locator("#application-status")).to_have_text("Approved")
    _nav(page, "Authorizations")
    page.get_by_role("link", name="Book a seat").click()
    row = page.get_by_role("table", name="Sittings you can book").get_by_role("row", name=re.compile(SITTING))
    expect(row).to_contain_text("20")  # seats left
    row.get_by_role("button", name=re.compile(f"^Book {SITTING}")).click()
    expect(page.get_by_role("status")).to_have_text("Your seat is booked: you are enrolled in the sitting.")
    audit.check(page, "the authorizations page with a booking")

    _nav(page, "My exams")
    page.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    page.get_by_role("button", name="Start exam").click()
    expect(page.get_by_role("heading", name=re.compile(r"Question 1 of"))).to_be_visible()
    audit.assert_clean()
