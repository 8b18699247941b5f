"""An admin reads the audit log in Chromium: filters it by kind without a reload and downloads it as CSV."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from examengine.demo import DEMO_PASSWORD


def sign_in(page: Page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_admin_filters_the_audit_log_and_downloads_it(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "candidate2@example.org", "not-the-password")
    expect(page.get_by_role("alert")).to_have_text("The email address or password is not right.")
    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    results = page.locator("#audit-results")
    expect(results).to_contain_text("Login succeeded")
    expect(results).to_contain_text("Exam published")  # the demo's own actions are on the record

    page.get_by_label("Kind").select_option(label="Login failed")
    expect(page).to_have_url(re.compile(r"kind=login_failed"))
    expect(results.get_by_role("row")).to_have_count(2)  # htmx replaced the rows: the header and one record
    expect(results).to_contain_text("candidate2@example.org")

    with page.expect_download() as download_info:
        results.get_by_role("link", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename == "audit.csv"
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert [row["kind"] for row in rows] == ["login_failed"]
    assert re.fullmatch(r"[0-9a-f]{64}", rows[0]["hash"]) and re.fullmatch(r"[0-9a-f]{64}", rows[0]["prev_hash"])

    page.get_by_label("Kind").select_option(label="Any kind")
    page.get_by_role("link", name=re.compile(r"^user:")).first.click()
    expect(page).to_have_url(re.compile(r"subject=user"))
    expect(page.get_by_label("Subject")).to_have_value(re.compile(r"^user:[0-9a-f]{32}$"))
