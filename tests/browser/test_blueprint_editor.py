"""An admin builds a blueprint in the structured editor in Chromium: live pool counts while typing, sections added,
errors beside their fields with the values kept, then saving and editing the draft."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in


def test_admin_builds_a_blueprint_with_live_pools_and_field_errors(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exams").click()
    page.get_by_role("link", name="New exam", exact=True).click()
    expect(page.get_by_role("heading", name="New exam", level=1)).to_be_visible()

    page.get_by_label("Code", exact=True).fill("FORM-101")
    page.get_by_label("Exam title", exact=True).fill("Built with the form")
    page.get_by_label("Section 1 title", exact=True).fill("Safety basics")
    page.get_by_label("Section 1 rule 1: items to draw", exact=True).fill("9")
    page.get_by_label("Section 1 rule 1: domain", exact=True).fill("D2")
    pool = page.get_by_role("status").filter(has_text="domain D2")
    expect(page.locator("#sections-0-draw-0-status")).to_have_text("domain D2: 4 approved; needs 9, short by 5")
    page.get_by_label("Section 1 rule 1: items to draw", exact=True).fill("3")
    expect(page.locator("#sections-0-draw-0-status")).to_have_text("domain D2: 4 approved")
    expect(pool).to_have_count(1)

    page.get_by_role("button", name="Add a section").click()
    expect(page.get_by_label("Section 2 title", exact=True)).to_be_focused()
    expect(page.get_by_label("Section 1 rule 1: domain", exact=True)).to_have_value("D2")  # kept across the reload
    page.get_by_label("Section 2 rule 1: items to draw", exact=True).fill("2")
    page.get_by_label("Section 2 rule 1: tag", exact=True).fill("fire")
    expect(page.locator("#sections-1-draw-0-status")).to_have_text("tag fire: 3 approved")
    page.get_by_label("Section 2 time limit (minutes)", exact=True).fill("10")
    page.get_by_label("Cut score type", exact=True).select_option("percent")
    page.get_by_label("Cut score", exact=True).fill("150")
    page.get_by_label("Linear: forward only, one question at a time").check()
    page.get_by_role("button", name="Save draft").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The blueprint was not saved")
    expect(
        summary.get_by_role("link", name=re.compile("Cut score: a percent cut score is at most 100"))
    ).to_be_visible()
    cut = page.get_by_label("Cut score", exact=True)
    expect(cut).to_have_attribute("aria-invalid", "true")
    expect(cut).to_have_value("150")
    expect(page.get_by_label("Section 2 rule 1: tag", exact=True)).to_have_value("fire")
    expect(page.get_by_label("Linear: forward only, one question at a time")).to_be_checked()
    cut.fill("70")
    page.get_by_role("button", name="Save draft").click()

    expect(page.get_by_role("heading", name="FORM-101: Built with the form")).to_be_visible()
    expect(page.get_by_text("domain D2", exact=True)).to_be_visible()
    page.get_by_role("link", name="Edit the blueprint").click()
    expect(page.get_by_label("Section 2 time limit (minutes)", exact=True)).to_have_value("10")
    expect(page.get_by_label("Cut score", exact=True)).to_have_value("70")
    page.get_by_label("Exam title", exact=True).fill("Built and edited")
    page.get_by_role("button", name="Move section 2 up").click()
    expect(page.get_by_label("Section 1 title", exact=True)).to_have_value("Part 2")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", name="FORM-101: Built and edited")).to_be_visible()
    rows = page.get_by_role("table").filter(has_text="Approved now").get_by_role("row")
    expect(rows.nth(1)).to_contain_text("Part 2")


def test_every_control_of_the_editor_has_a_label(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/blueprints/new")
    controls = "#blueprint-editor input:not([type=hidden]), #blueprint-editor select, #blueprint-editor textarea"
    unlabeled = page.evaluate(
        "(selector) => [...document.querySelectorAll(selector)]"
        ".filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')).map(el => el.name)",
        controls,
    )
    assert page.locator(controls).count() > 30 and unlabeled == []
    expect(page.get_by_role("button", name="Add a draw rule to section 1")).to_be_visible()
    expect(page.get_by_role("link", name="write it in YAML or JSON")).to_be_visible()
