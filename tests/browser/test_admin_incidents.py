"""A proctor reports an incident that holds the result; the candidate sees it received and under review; an admin
finds it in the queue of withheld results, with the incident's note, and invalidates it with a reason, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.steps import candidate_in_the_demo_exam, open_the_demo_dashboard, open_the_result_page
from tests.browser.test_admin_users import sign_in
from tests.browser.test_result_page import api_as

NOTE = "Second phone under the desk"


def test_a_held_result_is_decided_from_the_admin_queue(live_server: str, browser: Browser, page: Page) -> None:
    candidate = candidate_in_the_demo_exam(browser, live_server, "candidate3@example.org")

    open_the_demo_dashboard(page, live_server)
    row = page.get_by_role("row").filter(has_text="candidate3@example.org")
    row.get_by_role("link", name=re.compile("Timeline and actions")).click()
    attempt_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.get_by_label("Reason or note").fill(NOTE)
    page.get_by_label("Incident category (for a report)").select_option("conduct")
    page.get_by_role("checkbox", name=re.compile("Hold the result")).check()
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text(NOTE).first).to_be_visible()

    with api_as(live_server, "candidate3@example.org") as api:
        assert api.post(f"/api/v1/attempts/{attempt_id}/submit").status_code == 200
        received = api.get(f"/api/v1/attempts/{attempt_id}/result").json()
    assert received["status"] == "received" and received["withheld"] == "incident_hold"
    open_the_result_page(candidate, live_server, attempt_id)
    expect(candidate.get_by_role("main")).to_contain_text("under review")
    candidate.context.close()

    page.context.clear_cookies()
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Withheld results")
    held = page.get_by_role("row").filter(has_text="candidate3@example.org")
    expect(held).to_contain_text("An incident report holds the result")
    expect(held).to_contain_text(f"conduct incident (holds the result): {NOTE}")
    assert_no_axe_violations(page, "the queue of withheld results")
    form = held.get_by_role("form", name=re.compile("Decide about the result of"))
    form.get_by_role("radio", name="Invalidate the result").check()
    form.get_by_role("textbox", name="Reason for the decision").fill("The video shows the phone in use")
    form.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_have_text("The result was invalidated.")
    expect(page.get_by_role("row").filter(has_text="candidate3@example.org")).to_have_count(0)

    with api_as(live_server, "candidate3@example.org") as api:
        assert api.get(f"/api/v1/attempts/{attempt_id}/result").json()["withheld"] == "invalidated"
