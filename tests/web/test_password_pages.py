"""The pages of accounts by mail, driven as a browser without JavaScript would: forgot your password, the page a
link opens, and the admin's New user page inviting by mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.app import create_app
from examengine.settings import Settings, ThrottleLimits
from tests.conftest import TEST_PASSWORD
from tests.mailbox import Mailbox, link_in
from tests.web.browsing import csrf_from, log_in, post_form

NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture
def browser(mail_client: TestClient) -> TestClient:
    return mail_client


@pytest.fixture
def people(make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org", "admin", name="Ada Admin")
    make_user("cara@example.org", "candidate", name="Cara Candidate")


def path_of(link: str) -> str:
    return link.removeprefix("http://testserver")


def test_forgot_password_mails_a_link_whose_page_sets_the_password(
    browser: TestClient, mailbox: Mailbox, people: None
) -> None:
    login = browser.get("/login")
    assert 'href="/forgot-password">Forgot your password?</a>' in login.text
    page = browser.get("/forgot-password")
    sent = browser.post(
        "/forgot-password", data={"email": "cara@example.org", "csrf_token": csrf_from(page)}, follow_redirects=False
    )
    assert (sent.status_code, sent.headers["location"]) == (303, "/forgot-password?sent=1")
    assert "a link to set a new password is on its way" in browser.get(sent.headers["location"]).text

    reset = browser.get(path_of(link_in(mailbox.wait_for("cara@example.org"))))
    assert reset.status_code == 200 and "<h1>Set a new password</h1>" in reset.text
    assert reset.headers["referrer-policy"] == "no-referrer"
    token = reset.text.split('name="token" value="')[1].split('"')[0]
    form = {"token": token, "csrf_token": csrf_from(reset)}
    differ = browser.post(
        "/reset-password", data={**form, "password": NEW_PASSWORD, "password_again": "other-password!"}
    )
    assert differ.status_code == 422 and "not the same" in differ.text
    short = browser.post("/reset-password", data={**form, "password": "short", "password_again": "short"})
    assert short.status_code == 422 and "too short" in short.text
    done = browser.post(
        "/reset-password",
        data={**form, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/login?password=set")
    assert "Your password is set. Sign in with it." in browser.get("/login?password=set").text
    assert log_in(browser, "cara@example.org", TEST_PASSWORD).status_code == 401
    assert log_in(browser, "cara@example.org", NEW_PASSWORD).status_code == 303

    used = TestClient(browser.app).get(path_of(link_in(mailbox.messages[0])))
    assert used.status_code == 409 and "already used" in used.text and 'href="/forgot-password"' in used.text
    assert 'name="password"' not in used.text


@pytest.mark.parametrize("query", ["", "?token=", "?token=nope", "?token=" + "x" * 600])
def test_a_bad_link_says_so_and_offers_a_new_one(browser: TestClient, query: str) -> None:
    page = browser.get(f"/reset-password{query}")
    assert page.status_code == 404
    assert "This link is not valid" in page.text and 'href="/forgot-password">Ask for a new link' in page.text


def test_the_forgot_page_is_refused_over_the_budget_whatever_the_address(
    mail_settings: tuple[Mailbox, Settings], db: Any, people: None
) -> None:
    limits = ThrottleLimits(window_seconds=900, per_account_and_address=1, per_address=10, per_account=1)
    with TestClient(create_app(replace(mail_settings[1], reset_throttle=limits))) as client:
        for email in ("cara@example.org", "nobody@example.org"):
            assert (
                post_form(client, "/forgot-password", {"email": email}, from_page="/forgot-password").status_code == 303
            )
            over = post_form(client, "/forgot-password", {"email": email}, from_page="/forgot-password")
            assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
            assert "Too many requests for a password link" in over.text


def test_the_new_user_page_invites_by_mail_by_default(browser: TestClient, mailbox: Mailbox, people: None) -> None:
    assert log_in(browser, "ada@example.org", TEST_PASSWORD).status_code == 303
    form = browser.get("/admin/users/new")
    assert 'name="access" value="invite" checked' in form.text and "Mail is not configured" not in form.text
    created = post_form(
        browser,
        "/admin/users",
        {"email": "dana@example.org", "name": "Dana New", "roles": ["candidate"], "access": "invite"},
        from_page="/admin/users/new",
    )
    assert created.status_code == 303
    detail = browser.get(created.headers["location"])
    assert "An invitation to set their password was mailed to dana@example.org" in detail.text
    link = link_in(mailbox.wait_for("dana@example.org"))
    assert "<h1>Set your password</h1>" in TestClient(browser.app).get(path_of(link)).text

    refused = post_form(
        browser,
        "/admin/users",
        {"email": "erin@example.org", "name": "Erin", "roles": ["candidate"], "access": "password"},
        from_page="/admin/users/new",
    )
    assert refused.status_code == 422 and "Type a password" in refused.text
    assert 'name="access" value="password" checked' in refused.text
    both = post_form(
        browser,
        "/admin/users",
        {"email": "erin@example.org", "name": "Erin", "roles": ["candidate"], "access": "invite", "password": "x" * 12},
        from_page="/admin/users/new",
    )
    assert both.status_code == 422 and "Set a password now" in both.text
    assert "erin@example.org" not in browser.get("/admin/users").text and mailbox.to("erin@example.org") == []


def test_the_admin_sees_when_mail_is_not_configured(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org", "admin")
    assert log_in(app_client, "ada@example.org", TEST_PASSWORD).status_code == 303
    for page in ("/admin/users", "/admin/users/new"):
        assert "Mail is not configured" in app_client.get(page).text
    created = post_form(
        app_client,
        "/admin/users",
        {"email": "dana@example.org", "name": "Dana New", "roles": ["candidate"]},
        from_page="/admin/users/new",
    )
    assert "was written to the outbox for dana@example.org" in app_client.get(created.headers["location"]).text


def test_a_bulk_import_invites_those_the_file_gives_no_password(
    browser: TestClient, mailbox: Mailbox, people: None
) -> None:
    assert log_in(browser, "ada@example.org", TEST_PASSWORD).status_code == 303
    page = browser.get("/admin/users/import")
    assert 'name="invite" value="1" checked' in page.text
    content = b"email,name,password\nmia@example.org,Mia,\nned@example.org,Ned,a-long-enough-password\n"
    imported = browser.post(
        "/admin/users/import",
        data={"csrf_token": csrf_from(page), "invite": "1"},
        files={"file": ("people.csv", content, "text/csv")},
    )
    assert imported.status_code == 200 and "Invitations to set a password: 1." in imported.text
    link = link_in(mailbox.wait_for("mia@example.org"))
    assert "<h1>Set your password</h1>" in TestClient(browser.app).get(path_of(link)).text
    assert mailbox.to("ned@example.org") == []
    assert log_in(TestClient(browser.app), "ned@example.org", "a-long-enough-password").status_code == 303
