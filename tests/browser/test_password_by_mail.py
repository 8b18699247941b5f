"""Accounts by mail in Chromium, against a real server sending through a real SMTP server (aiosmtpd): forgot your
password → the mail → its link → a new password → sign in (and the session signed in elsewhere ends); an admin's
invitation → the mail → set your password → sign in. Each new page has zero axe violations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import AxeAudit
from tests.browser.conftest import running_server
from tests.browser.test_admin_users import sign_in
from tests.conftest import ENGINES
from tests.mailbox import Mailbox, link_in, smtp_server

NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture(scope="module", params=ENGINES)
def mail_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Mailbox]]:
    with smtp_server() as (box, smtp):
        env = {"EXAMENGINE_SMTP_URL": f"smtp://{smtp.host}:{smtp.port}", "EXAMENGINE_MAIL_FROM": "exams@example.org"}
        with running_server(request, tmp_path_factory.mktemp("mail"), env) as base:
            yield base, box


def set_password(page: Page, link: str, heading: str, audit: AxeAudit) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    audit.check(page, heading)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("status")).to_have_text("Your password is set. Sign in with it.")


def sign_in_with(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_forgot_password_by_mail_ends_the_other_session(
    mail_server: tuple[str, Mailbox], page: Page, browser: Browser
) -> None:
    base, box = mail_server
    audit = AxeAudit()
    elsewhere = browser.new_context()
    other = elsewhere.new_page()
    sign_in(other, base, "marker@example.org")
    expect(other.get_by_role("heading", name="Welcome, Mo Marker")).to_be_visible()

    page.goto(f"{base}/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    audit.check(page, "forgot your password")
    page.get_by_label("Email address").fill("marker@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("a link to set a new password is on its way")
    audit.check(page, "link requested")

    set_password(page, link_in(box.wait_for("marker@example.org")), "Set a new password", audit)
    audit.check(page, "sign in after the new password")
    sign_in_with(page, "marker@example.org", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Mo Marker")).to_be_visible()

    other.goto(f"{base}/account")
    expect(other.get_by_role("heading", name="Sign in")).to_be_visible()  # signed out by the change
    elsewhere.close()

    page.goto(link_in(box.to("marker@example.org")[0]))  # the link again: used
    expect(page.get_by_role("alert")).to_contain_text("already used")
    audit.check(page, "a used link")
    page.get_by_role("link", name="Ask for a new link").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    audit.assert_clean()


def test_an_invitation_by_mail_lets_the_new_user_sign_in(
    mail_server: tuple[str, Mailbox], page: Page, browser: Browser
) -> None:
    base, box = mail_server
    audit = AxeAudit()
    sign_in(page, base, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="New user").click()
    expect(page.get_by_role("radio", name="Mail an invitation")).to_be_checked()
    audit.check(page, "new user")
    page.get_by_label("Email address").fill("nora@example.org")
    page.get_by_label("Full name").fill("Nora Newcomer")
    page.get_by_role("button", name="Create user").click()
    expect(page.get_by_role("status")).to_have_text(
        "User created. An invitation to set their password was mailed to nora@example.org."
    )

    invited = browser.new_context().new_page()
    set_password(invited, link_in(box.wait_for("nora@example.org")), "Set your password", audit)
    sign_in_with(invited, "nora@example.org", NEW_PASSWORD)
    expect(invited.get_by_role("heading", name="Welcome, Nora Newcomer")).to_be_visible()
    invited.context.close()
    audit.assert_clean()
