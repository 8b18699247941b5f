"""Credentials in Chromium: the holder finds the credential under "My credentials", records continuing education,
is refused renewal with the shortfall per category, then renews; an admin finds it, suspends and reinstates it
with reasons. Every credential page is audited with axe-core.

The schemes slice's API is built elsewhere at the same time, so the scheme and the credential are written into the
live server's database directly (as a released pass would award it).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from examengine.accounts.models import User
from examengine.programs.credential_award import grant
from examengine.programs.models import Scheme, SchemeKind
from tests.browser.axe import assert_no_axe_violations
from tests.browser.conftest import call_in_database, running_server
from tests.browser.test_admin_users import sign_in
from tests.conftest import ENGINES


@pytest.fixture(scope="module", params=ENGINES)
def credential_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server whose demo candidate Cara holds a SAFE certification (CE: 3 credits, 1 in ethics)."""
    tmp_dir = tmp_path_factory.mktemp("live")
    with running_server(request, tmp_dir, prepare=lambda url: call_in_database(url, _award)) as base:
        yield base


def _award(*, session: Session) -> None:
    scheme = Scheme(
        code="SAFE",
        title="Certified Safety Professional",
        kind=SchemeKind.CERTIFICATION,
        cycle="P3Y",
        grace_period="P90D",
        reinstatement_period="P1Y",
        recertification={"by_exam": True, "ce_credits": 3, "ce_categories": {"ethics": 1}},
        created_at=datetime.now(UTC),
    )
    session.add(scheme)
    session.flush()
    holder = session.exec(select(User).where(User.email == "candidate1@example.org")).one()
    grant(session, scheme, holder, at=datetime.now(UTC))


def _add_activity(page: Page, title: str, credits: str, category: str = "") -> None:
    form = page.get_by_role("form", name="Add activity")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Provider").fill("Safety Board")
    form.get_by_label("Category (optional)").fill(category)
    form.get_by_label("Credits").fill(credits)
    form.get_by_role("button", name="Add activity").click()
    expect(page.get_by_role("status")).to_have_text("The activity was recorded.")


def test_the_holder_records_ce_and_renews_and_an_admin_suspends_and_reinstates(
    credential_server: str, page: Page
) -> None:
    base = credential_server
    sign_in(page, base, "candidate1@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My credentials").click()
    expect(page.get_by_role("heading", name="My credentials")).to_be_visible()
    assert_no_axe_violations(page, "my credentials")
    number = f"SAFE-{datetime.now(UTC).year}-000001"
    row = page.get_by_role("row").filter(has_text=number)
    expect(row).to_contain_text("Certification")
    expect(row).to_contain_text("active")
    row.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name=f"Certified Safety Professional: {number}")).to_be_visible()
    assert_no_axe_violations(page, "a credential")

    _add_activity(page, "Hazard analysis refresher", "2")
    expect(page.get_by_role("cell", name="Hazard analysis refresher")).to_be_visible()
    page.get_by_role("button", name="Renew").click()
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("not met yet")
    expect(refusal.get_by_role("listitem")).to_have_text(
        ["Credits still needed in all: 1", "Credits still needed in ethics: 1"]
    )
    assert_no_axe_violations(page, "a refused renewal")
    _add_activity(page, "Ethics for practitioners", "1", "ethics")
    expect(page.locator(".shortfall")).to_have_text("The continuing-education requirement of this cycle is met.")
    page.get_by_role("button", name="Renew").click()
    expect(page.get_by_role("status")).to_have_text("Your credential was renewed: a new cycle starts.")
    expect(page.locator(".shortfall")).to_have_text("Credits still needed: 3 in all, 1 in ethics.")

    admin = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    sign_in(admin, base, "admin@example.org")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Credentials").click()
    admin.get_by_label("Number or holder").fill("cara")
    admin.get_by_role("button", name="Search").click()
    assert_no_axe_violations(admin, "the admin's credentials")
    admin.get_by_role("link", name=number).click()
    expect(admin.get_by_role("heading", name=f"Credential {number}")).to_be_visible()
    expect(admin.get_by_role("row").filter(has_text="renewed")).to_contain_text("(by ce)")
    assert_no_axe_violations(admin, "the admin's credential")
    suspend = admin.get_by_role("form", name="Suspend")
    suspend.get_by_role("button", name="Suspend").click()  # the reason is required: nothing happens
    expect(suspend.get_by_label("Reason to suspend")).to_be_focused()
    suspend.get_by_label("Reason to suspend").fill("Complaint under investigation.")
    suspend.get_by_role("button", name="Suspend").click()
    expect(admin.get_by_role("status")).to_have_text("The credential was suspended.")
    expect(admin.locator("dd.status")).to_have_text("suspended")
    expect(admin.get_by_role("cell", name="Complaint under investigation.")).to_be_visible()
    reinstate = admin.get_by_role("form", name="Reinstate")
    reinstate.get_by_label("Reason to reinstate").fill("The complaint was unfounded.")
    reinstate.get_by_role("button", name="Reinstate").click()
    expect(admin.get_by_role("status")).to_have_text("The credential was reinstated.")
    expect(admin.locator("dd.status")).to_have_text("active")

    page.reload()
    expect(page.locator("dd.status")).to_have_text("active")
