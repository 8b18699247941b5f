"""Accommodations in Chromium, without JavaScript doing the work: a candidate asks for extra time and a separate
room with a letter as evidence (a refusal is shown beside the fields, what was typed kept); an eligibility
reviewer reads the request and its evidence and approves with less (more is refused beside the field); the candidate
sees what was granted. No axe violations on any of these pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, text

from tests.browser.axe import AxeAudit
from tests.browser.conftest import running_server
from tests.browser.test_admin_users import sign_in
from tests.browser.test_certificates import DEMO_PASSWORD, api_headers
from tests.conftest import ENGINES

LETTER = b"%PDF-1.4\n% a letter from a doctor\n"


def scheme_for_the_demo_exam(url: str) -> None:
    """The demo exam SAFE-101 in a certification scheme, inserted directly (the schemes API is another slice)."""
    engine = create_engine(url)
    with engine.begin() as connection:
        exam_id = connection.execute(text("SELECT id FROM exam WHERE code = 'SAFE-101'")).scalar_one()
        connection.execute(
            text(
                "INSERT INTO scheme (id, code, title, kind, pathways, attempts_per_authorization, appeal_period,"
                " created_at) VALUES ('5afe0000000000000000000000000001', 'SAFE', 'Workplace safety certification',"
                " 'certification', '[]', 1, 'P30D', :now)"
            ),
            {"now": datetime.now(UTC)},
        )
        connection.execute(
            text("INSERT INTO scheme_exam (exam_id, scheme_id) VALUES (:exam_id, '5afe0000000000000000000000000001')"),
            {"exam_id": exam_id},
        )
    engine.dispose()


@pytest.fixture(scope="module", params=ENGINES)
def program_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(request, tmp_path_factory.mktemp("live"), prepare=scheme_for_the_demo_exam) as base:
        reviewer = {
            "email": "rita@example.org",
            "name": "Rita Reviewer",
            "password": DEMO_PASSWORD,
            "roles": ["eligibility_reviewer"],
        }
        created = httpx2.post(f"{base}/api/v1/users", headers=api_headers(base, "admin@example.org"), json=reviewer)
        assert created.status_code == 201, created.text
        yield base


def test_a_candidate_asks_a_reviewer_grants_less_and_the_candidate_sees_it(
    program_server: str, page: Page, browser: Browser
) -> None:
    audit = AxeAudit()
    sign_in(page, program_server, "candidate3@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My accommodations").click()
    expect(page.get_by_role("heading", name="My accommodations", level=1)).to_be_visible()
    expect(page.get_by_text("You have not asked for accommodations.")).to_be_visible()
    audit.check(page, "my accommodations, empty")

    page.get_by_label("Program").select_option(label="Workplace safety certification (SAFE)")
    page.get_by_label("Time multiplier").fill("1")
    page.get_by_label("Why you need them (required)").fill("I have an assessed processing difficulty.")
    page.get_by_role("button", name="Send request").click()
    expect(page.locator("#requested-error")).to_contain_text("Ask for at least one accommodation")
    expect(page.get_by_label("Why you need them (required)")).to_have_value("I have an assessed processing difficulty.")
    expect(page.get_by_label("Time multiplier")).to_have_value("1")
    audit.check(page, "my accommodations, with an error beside a field")

    page.get_by_label("Time multiplier").fill("1.5")
    page.get_by_label("Extra minutes").fill("20")
    page.get_by_label("Other needs, in your words").fill("A separate room")
    page.get_by_label("Evidence (optional)").set_input_files(
        {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": LETTER}
    )
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("status")).to_have_text("Your request was sent to the reviewers.")
    card = page.get_by_role("article", name=re.compile("Workplace safety certification"))
    expect(card).to_contain_text("submitted")
    expect(card).to_contain_text("1.5 times the time limit, 20 extra minutes")
    expect(card.get_by_role("link", name="letter.pdf")).to_be_visible()
    audit.check(page, "my accommodations, a request submitted")

    reviewer = browser.new_context().new_page()
    sign_in(reviewer, program_server, "rita@example.org")
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Accommodation requests").click()
    expect(reviewer.get_by_role("heading", name="Accommodation requests")).to_be_visible()
    audit.check(reviewer, "the accommodation queue")
    reviewer.get_by_role("link", name="Chen Candidate").click()
    expect(reviewer.get_by_text("I have an assessed processing difficulty.")).to_be_visible()
    expect(reviewer.get_by_role("link", name="letter.pdf")).to_be_visible()
    audit.check(reviewer, "an accommodation request")

    reviewer.get_by_label("Time multiplier granted").fill("2")
    reviewer.get_by_role("button", name="Approve with less").click()
    expect(reviewer.locator("#less-approved-error")).to_contain_text("never more")
    expect(reviewer.get_by_label("Time multiplier granted")).to_have_value("2")
    audit.check(reviewer, "an accommodation request, with a refused grant")
    reviewer.get_by_label("Time multiplier granted").fill("1.25")
    reviewer.get_by_label("Extra minutes granted").fill("10")
    reviewer.get_by_label("Reason for granting less").fill("The letter supports a quarter more time.")
    reviewer.get_by_role("button", name="Approve with less").click()
    expect(reviewer.get_by_role("status")).to_have_text("The request was approved.")
    expect(reviewer.get_by_role("button", name="Deny request")).to_have_count(0)
    reviewer.context.close()

    page.reload()
    card = page.get_by_role("article", name=re.compile("Workplace safety certification"))
    expect(card).to_contain_text("approved")
    expect(card.locator("dd").filter(has_text="1.25 times the time limit, 10 extra minutes")).to_be_visible()
    expect(card).to_contain_text("The letter supports a quarter more time.")
    expect(card.get_by_role("button", name=re.compile("Add file"))).to_have_count(0)
    audit.check(page, "my accommodations, a request approved")
    audit.assert_clean()
