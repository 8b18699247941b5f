"""Eligibility applications in Chromium against a real server on each engine: a candidate applies under a pathway,
uploads a PDF and attests, acknowledges the handbook and submits; a reviewer opens the queue, downloads the evidence
and asks for more information; the candidate adds a file and submits again; the reviewer approves and the candidate
sees the authorization to test. Every page of the walk has zero axe violations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect

from examengine.db import Database
from tests.browser.axe import AxeAudit
from tests.browser.conftest import running_server
from tests.browser.steps import another_browser
from tests.browser.test_admin_users import sign_in
from tests.browser.test_certificates import DEMO_PASSWORD, api_headers
from tests.conftest import ENGINES
from tests.programs.schemes_for_tests import PDF, PNG, insert_scheme

REVIEWER = "rita@example.org"


def _insert_scheme(url: str) -> None:
    database = Database(url, group_commit=False)
    try:
        insert_scheme(database)
    finally:
        database.dispose()


@pytest.fixture(scope="module", params=ENGINES)
def program_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server whose database holds the demo data, the SAFE scheme and an eligibility reviewer."""
    tmp_dir = tmp_path_factory.mktemp("applications")
    with running_server(request, tmp_dir, prepare=_insert_scheme) as base:
        body = {
            "email": REVIEWER,
            "name": "Rita Reviewer",
            "password": DEMO_PASSWORD,
            "roles": ["eligibility_reviewer"],
        }
        created = httpx2.post(f"{base}/api/v1/users", json=body, headers=api_headers(base, "admin@example.org"))
        assert created.status_code == 201, created.text
        yield base


def _upload(page: Page, requirement: str, name: str, data: bytes, mime: str) -> None:
    page.get_by_label(f"File for {requirement}").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name=f"Upload for {requirement}").click()
    expect(page.get_by_role("status")).to_have_text("The file was added.")


def _submit(page: Page) -> None:
    page.get_by_label("I have read and accept the candidate handbook, version 2026.1").check()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("status")).to_contain_text("Your application was submitted")
    expect(page.locator("#application-status")).to_have_text("Submitted, waiting for a reviewer")


def _decide(reviewer: Page, decision: str, reason: str) -> None:
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    expect(reviewer.get_by_role("heading", name="Applications")).to_be_visible()
    reviewer.get_by_role("link", name="Cara Candidate").click()
    reviewer.get_by_role("radio", name=decision).check()
    reviewer.get_by_label("Reason").fill(reason)
    reviewer.get_by_role("button", name="Record decision").click()
    expect(reviewer.get_by_role("status")).to_have_text("Your decision was recorded; the applicant sees it now.")


def test_apply_review_request_information_resubmit_and_approve(
    program_server: str, page: Page, browser: Browser
) -> None:
    base, audit = program_server, AxeAudit()
    sign_in(page, base, "candidate1@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My applications").click()
    expect(page.get_by_text("You have no applications yet.")).to_be_visible()
    audit.check(page, "my applications, none")
    page.goto(f"{base}/programs/SAFE/apply")
    audit.check(page, "apply")
    page.get_by_role("button", name="Start my application").click()
    expect(page.get_by_text("Choose the pathway you apply under.")).to_be_visible()  # beside the pathways
    page.get_by_role("radio", name="Degree and experience").check()
    page.get_by_role("button", name="Start my application").click()
    expect(page.locator("#application-status")).to_have_text("Not submitted yet")
    expect(page.get_by_text("Still missing: Degree certificate, Two years of experience.")).to_be_visible()
    audit.check(page, "a draft application")

    page.get_by_label("File for Degree certificate").set_input_files(
        {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"not a pdf"}
    )
    page.get_by_role("button", name="Upload for Degree certificate").click()
    expect(page.get_by_text("Evidence must be a PDF, PNG or JPEG file")).to_be_visible()
    audit.check(page, "an upload refused")
    _upload(page, "Degree certificate", "degree.pdf", PDF, "application/pdf")
    page.get_by_label("I attest that this is true: Two years of experience").check()
    page.get_by_role("button", name="Attest: Two years of experience").click()
    expect(page.get_by_text("You attested this")).to_be_visible()
    _submit(page)
    expect(page.get_by_role("button", name="Upload for Degree certificate")).to_have_count(0)  # frozen
    audit.check(page, "a submitted application")

    reviewer = another_browser(browser)
    sign_in(reviewer, base, REVIEWER)
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    audit.check(reviewer, "the review queue")
    reviewer.get_by_role("link", name="Cara Candidate").click()
    expect(reviewer.get_by_role("heading", name="Application of Cara Candidate")).to_be_visible()
    expect(reviewer.get_by_text("Attested by the applicant")).to_be_visible()
    audit.check(reviewer, "an application under review")
    with reviewer.expect_download() as downloading:
        reviewer.get_by_role("link", name="degree.pdf").click()
    assert Path(downloading.value.path()).read_bytes() == PDF
    reviewer.get_by_role("radio", name="Request more information").check()
    reviewer.get_by_role("button", name="Record decision").click()
    expect(reviewer.get_by_text("Give the reason: the applicant is told what more is needed.")).to_be_visible()
    expect(reviewer.get_by_role("radio", name="Request more information")).to_be_checked()  # kept
    audit.check(reviewer, "a decision refused")
    reviewer.get_by_label("Reason").fill("Please add the second page of the certificate.")
    reviewer.get_by_role("button", name="Record decision").click()
    expect(reviewer.get_by_role("status")).to_have_text("Your decision was recorded; the applicant sees it now.")

    page.reload()
    expect(page.locator("#application-status")).to_have_text("More information requested")
    expect(page.get_by_text("Reason: Please add the second page of the certificate.")).to_be_visible()
    audit.check(page, "more information requested")
    _upload(page, "Degree certificate", "page2.png", PNG, "image/png")
    _submit(page)

    _decide(reviewer, "Approve: issue an authorization to test", "")
    reviewer.close()
    page.reload()
    expect(page.locator("#application-status")).to_have_text("Approved")
    expect(page.get_by_role("heading", name="Your authorization to test")).to_be_visible()
    expect(page.locator("#authorization-attempts")).to_have_text("2")
    audit.check(page, "an approved application")
    page.get_by_role("link", name="My applications").first.click()
    expect(page.get_by_role("cell", name="Approved")).to_be_visible()
    audit.assert_clean()
