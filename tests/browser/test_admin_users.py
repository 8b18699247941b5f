"""An admin signs in, creates a user, changes roles, and signs out, in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from examengine.demo import DEMO_PASSWORD


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_creates_a_user_and_finds_it(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "admin@example.org")
    expect(page.get_by_role("heading", name="Welcome, Ada Admin")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Email address").fill("dana@example.org")
    page.get_by_label("Full name").fill("Dana Candidate")
    page.get_by_role("radio", name="Set a password now").check()
    page.get_by_label("Password to set").fill("a-long-enough-password")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_have_text("User created.")
    expect(page.get_by_role("heading", name="Dana Candidate")).to_be_visible()

    page.get_by_role("checkbox", name="proctor").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_role("status")).to_have_text("Roles saved.")
    expect(page.locator(".facts")).to_contain_text("candidate, proctor")

    page.get_by_role("link", name="All users").click()
    page.get_by_role("searchbox", name="Search by name or email").fill("dana")
    results = page.locator("#user-results")
    expect(results.get_by_role("row")).to_have_count(2)  # htmx replaced the rows without a reload
    expect(results).to_contain_text("dana@example.org")
    expect(page).to_have_url(re.compile(r"q=dana"))


def test_a_wrong_password_is_explained_and_signing_out_ends_the_session(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill("admin@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The email address or password is not right.")

    sign_in(page, live_server, "admin@example.org")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto(f"{live_server}/admin/users")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_candidate_is_refused_the_admin_pages(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "candidate1@example.org")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto(f"{live_server}/admin/users")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_the_keyboard_reaches_the_skip_link_first_and_it_moves_focus_to_main(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/admin/users")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
