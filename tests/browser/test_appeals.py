"""The appeal flow in Chromium: a denied applicant files an appeal (the form keeps what they typed when it refuses
a blank statement), an admin assigns a reviewer, the reviewer upholds with a retest, and the appellant sees the
outcome. The denied application is inserted directly: the eligibility slice that makes it is built beside this
one. Each page passes the axe-core WCAG 2.1 A/AA audit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from examengine.accounts import service as accounts
from examengine.accounts.models import User
from examengine.programs.models import Application, ApplicationStatus, Scheme, SchemeKind
from tests.browser.axe import AxeAudit
from tests.browser.conftest import call_in_database, running_server
from tests.browser.test_admin_users import sign_in
from tests.conftest import ENGINES

REASON = "Your work experience is not documented."


@dataclass(frozen=True)
class Site:
    base: str
    application_id: str


def _seed(*, session: Session) -> str:
    """A scheme, an eligibility reviewer who denied candidate2's application, and an appeals reviewer (both with the
    demo password)."""
    now = datetime.now(UTC)
    admin_id = accounts.find_user_id_by_email(session=session, email="admin@example.org")
    admin = session.get(User, admin_id)
    assert admin is not None
    people = {}
    for email, name, role in (
        ("decider@example.org", "Dee Decider", "eligibility_reviewer"),
        ("rita@example.org", "Rita Reviewer", "appeals_reviewer"),
    ):
        view = accounts.create_user(
            session=session, email=email, name=name, roles=(role,), password_hash=admin.password_hash
        )
        people[email] = view.id
    scheme = Scheme(
        code="APPEAL-TEST",
        title="Certified Safety Professional",
        kind=SchemeKind.CERTIFICATION,
        pathways=[{"code": "exam", "title": "By exam", "requirements": []}],
        authorization_period="P180D",
        attempts_per_authorization=1,
        cycle="P3Y",
        appeal_period="P30D",
        created_at=now,
    )
    session.add(scheme)
    session.flush()
    applicant = accounts.find_user_id_by_email(session=session, email="candidate2@example.org")
    assert applicant is not None
    application = Application(
        scheme_id=scheme.id,
        user_id=applicant,
        pathway="exam",
        status=ApplicationStatus.DENIED,
        created_at=now - timedelta(days=3),
        submitted_at=now - timedelta(days=3),
        decision_reason=REASON,
        decided_by=people["decider@example.org"],
        decided_at=now - timedelta(days=1),
        appeal_until=now + timedelta(days=29),
    )
    session.add(application)
    session.flush()
    return application.id


@pytest.fixture(scope="module", params=ENGINES)
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A real server on a fresh database with the demo data and a denied application."""
    seeded: list[str] = []
    with running_server(
        request, tmp_path_factory.mktemp("appeals"), prepare=lambda url: seeded.append(call_in_database(url, _seed))
    ) as base:
        yield Site(base, seeded[0])


def test_a_denied_applicant_appeals_and_the_reviewer_upholds_with_a_retest(site: Site, page: Page) -> None:
    audit = AxeAudit()
    sign_in(page, site.base, "candidate2@example.org")
    page.goto(f"{site.base}/appeals/new?subject_type=application&subject_id={site.application_id}")
    expect(page.get_by_role("heading", name="Appeal a decision")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text(REASON)
    expect(page.locator(".facts")).to_contain_text("Appeal by")
    audit.check(page, "the appeal form")
    page.get_by_label("Grounds").select_option(label="New evidence")
    page.get_by_label(re.compile("^Statement")).fill("   ")
    page.get_by_role("button", name="File appeal").click()
    expect(page.locator("#statement-error")).to_have_text("A statement is required.")
    expect(page.get_by_label("Grounds")).to_have_value("new_evidence")
    audit.check(page, "the appeal form with its error")
    page.get_by_label(re.compile("^Statement")).fill("My employer's letter was attached but not read.")
    page.get_by_role("button", name="File appeal").click()
    expect(page.get_by_role("status")).to_contain_text("Your appeal was filed.")
    mine = page.get_by_role("row").filter(has_text="Certified Safety Professional")
    expect(mine).to_contain_text("filed")
    audit.check(page, "my appeals")

    page.context.clear_cookies()
    sign_in(page, site.base, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appeals", exact=True).click()
    expect(page.get_by_role("region", name="Counts")).to_contain_text("Open")
    audit.check(page, "the admins' appeals page")
    reviewer = page.get_by_label("Reviewer for the appeal of Carl Candidate")
    expect(reviewer.get_by_role("option", name=re.compile("Dee Decider"))).to_have_count(0)
    reviewer.select_option(label="Rita Reviewer (rita@example.org)")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_have_text("The reviewer was assigned.")
    expect(page.get_by_role("row").filter(has_text="Carl Candidate")).to_contain_text("assigned")

    page.context.clear_cookies()
    sign_in(page, site.base, "rita@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appeals to review").click()
    audit.check(page, "the reviewer's appeals")
    page.get_by_role("link", name=re.compile("Application")).click()
    expect(page.get_by_role("heading", name="Appeal of Carl Candidate")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    expect(page.get_by_text("My employer's letter was attached but not read.")).to_be_visible()
    audit.check(page, "an appeal to decide")
    page.get_by_role("radio", name="Upheld").check()
    page.get_by_label("Remedy").select_option("retest")
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("#reason-error")).to_have_text("A reason is required.")
    expect(page.get_by_role("radio", name="Upheld")).to_be_checked()
    expect(page.get_by_label("Remedy")).to_have_value("retest")
    page.get_by_label(re.compile("^Reason")).fill("The letter documents three years of experience.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("status")).to_have_text("The appeal was decided.")
    expect(page.locator(".facts").last).to_contain_text("retest")

    page.context.clear_cookies()
    sign_in(page, site.base, "candidate2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My appeals").click()
    row = page.get_by_role("row").filter(has_text="Certified Safety Professional")
    expect(row).to_contain_text("upheld")
    expect(row).to_contain_text("The letter documents three years of experience.")
    expect(row).to_contain_text("retest")
    audit.assert_clean()
