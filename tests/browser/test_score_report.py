"""The candidate opens their official score report from the result page in Chromium: the organisation, the
decision, the scale, the domains by their blueprint names with the performance in words, and a print stylesheet
that leaves only the report on paper."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_admin_users import sign_in
from tests.browser.test_result_page import api_as, submitted_attempt


def test_the_candidate_opens_and_prints_the_official_score_report(live_server: str, page: Page) -> None:
    attempt_id = submitted_attempt(live_server, "candidate2@example.org", "REPORT-1")  # unanswered: a fail
    sign_in(page, live_server, "candidate2@example.org")
    page.goto(f"{live_server}/candidate/attempts/{attempt_id}/done")
    page.get_by_role("link", name="Your official score report (printable)").click()

    expect(page).to_have_url(re.compile(rf"/candidate/attempts/{attempt_id}/report$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Official score report")
    report = page.get_by_role("article", name="Official score report")
    expect(report).to_contain_text("Result: Fail")
    expect(report).to_contain_text("Scaled score 200 on a scale of 200\N{EN DASH}800; passing score 500.")
    table = report.get_by_role("table", name=re.compile("Your performance in each content domain"))
    expect(table.get_by_role("rowheader")).to_have_text(["Fire safety", "Hazardous substances"])
    # the demo bank's domains have two and one items here, under the default minimum of five
    expect(table.get_by_role("cell", name="Not enough items to report")).to_have_count(2)
    expect(table).not_to_contain_text("D1")
    with api_as(live_server, "candidate2@example.org") as api:
        body = api.get(f"/api/v1/attempts/{attempt_id}/score-report").json()
    expect(report).to_contain_text(f"{body['report_id']}, version 1")
    assert [d["name"] for d in body["domains"]] == ["Fire safety", "Hazardous substances"]
    assert_no_axe_violations(page, "the official score report")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_text("use your browser's Print command")).to_be_hidden()
    expect(report).to_be_visible()
