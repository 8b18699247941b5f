"""An admin sets up a credential program in Chromium: creates a certification through the form (a refusal shows
beside its field, what was typed is kept), wires the demo exam into it, publishes a second handbook version; a
candidate finds it under Programs, reads what the credential is and the current handbook. No axe violations."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.axe import AxeAudit
from tests.browser.steps import another_browser
from tests.browser.test_admin_users import sign_in

PATHWAYS = (
    "EXP | Experience | WORK | Two years of supervised practice | file\n"
    "EXP | Experience | ETHICS | I follow the code of ethics | attestation\n"
    "DEG | Degree | DIPLOMA | A safety degree | file"
)


def test_admin_creates_a_scheme_and_a_candidate_reads_it(live_server: str, page: Page, browser: object) -> None:
    audit = AxeAudit()
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schemes").click()
    expect(page.get_by_role("heading", name="Credential schemes")).to_be_visible()
    audit.check(page, "the schemes list, empty")
    page.get_by_role("link", name="New scheme").click()
    audit.check(page, "the new-scheme form")

    page.get_by_label("Code", exact=True).fill("FSM")
    page.get_by_label("Title", exact=True).fill("Fire Safety Manager")
    page.get_by_label("Kind").select_option(label="Professional certification")
    page.get_by_label("Designation (optional)").fill("FSM")
    page.get_by_role("checkbox", name=re.compile("SAFE-101")).check()
    page.get_by_label("Authorization period").fill("P180D")
    page.get_by_label("Cycle", exact=True).fill("3 years")
    page.get_by_label("Grace period (optional)").fill("P90D")
    page.get_by_role("checkbox", name="Passing the exam again renews the certification").check()
    page.get_by_label("Continuing-education credits per cycle").fill("60")
    page.get_by_label("Minimum credits by category (optional)").fill("ethics = 3")
    page.get_by_label("Eligibility pathways").fill(PATHWAYS)
    page.get_by_label("Version", exact=True).fill("2026.1")
    page.get_by_label("Text", exact=True).fill("Bring photo ID.\nNo notes <b>allowed</b>.")
    page.get_by_role("button", name="Create scheme").click()

    cycle = page.get_by_label("Cycle", exact=True)
    expect(page.locator("#cycle-error")).to_contain_text("is not an ISO 8601 duration")
    expect(cycle).to_have_attribute("aria-invalid", "true")
    expect(cycle).to_have_value("3 years")
    expect(page.get_by_label("Eligibility pathways")).to_have_value(PATHWAYS)
    expect(page.get_by_role("checkbox", name=re.compile("SAFE-101"))).to_be_checked()
    audit.check(page, "the new-scheme form with an error beside a field")
    cycle.fill("P3Y")
    page.get_by_role("button", name="Create scheme").click()

    expect(page.get_by_role("heading", name="FSM: Fire Safety Manager")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("The scheme was created.")
    expect(page.get_by_text("SAFE-101: Workplace Safety Certificate")).to_be_visible()
    expect(page.get_by_text("Earn 60 continuing-education credits within the cycle.")).to_be_visible()
    audit.check(page, "a scheme's page")
    page.get_by_label("New version").fill("2026.2")
    page.get_by_label("Handbook text").fill("Bring photo ID.\nPhones stay in lockers.")
    page.get_by_role("button", name="Publish version").click()
    expect(page.get_by_role("status")).to_have_text("The new handbook version was published; it is now current.")
    versions = page.get_by_role("table", name=re.compile("Handbook versions"))
    expect(versions.get_by_role("row").nth(1)).to_contain_text("2026.2 (current)")
    page.get_by_label("New version").fill("2026.1")
    page.get_by_label("Handbook text").fill("Again")
    page.get_by_role("button", name="Publish version").click()
    expect(page.locator("#version-error")).to_contain_text("already published")
    expect(page.get_by_label("Handbook text")).to_have_value("Again")
    audit.check(page, "a scheme's page with a refused handbook version")
    page.get_by_role("link", name="All schemes").click()
    expect(page.get_by_role("row", name=re.compile("FSM"))).to_contain_text("Professional certification")

    candidate = another_browser(browser)  # type: ignore[arg-type]
    sign_in(candidate, live_server, "candidate1@example.org")
    candidate.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    expect(candidate.get_by_role("heading", name="Programs")).to_be_visible()
    expect(candidate.get_by_role("row", name=re.compile("Certified Safety Professional"))).to_contain_text(
        "Professional certification"
    )  # the demo's scheme
    audit.check(candidate, "the candidate's programs")
    candidate.get_by_role("link", name="Fire Safety Manager").click()
    expect(candidate.get_by_text(re.compile("A professional certification shows"))).to_be_visible()
    expect(candidate.get_by_text(re.compile("valid for 3 years and is then renewed"))).to_be_visible()
    expect(candidate.get_by_role("heading", name=re.compile("Experience"))).to_be_visible()
    expect(candidate.get_by_text("A safety degree: a document you upload")).to_be_visible()
    handbook = candidate.locator(".handbook")
    expect(handbook).to_have_text("Bring photo ID.\nPhones stay in lockers.")
    assert candidate.evaluate("getComputedStyle(document.querySelector('.handbook')).whiteSpace") == "pre-line"
    expect(candidate.get_by_role("link", name="Apply")).to_have_attribute("href", "/programs/FSM/apply")
    audit.check(candidate, "a program's page")
    audit.assert_clean()
