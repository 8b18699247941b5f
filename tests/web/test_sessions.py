"""Login, logout, rotation, revocation, timeouts and disabled accounts, through the real app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from starlette.testclient import TestClient

from examengine.accounts import service
from examengine.accounts.models import Credential
from examengine.clock import utcnow
from examengine.context import Services
from examengine.web.auth import SESSION_COOKIE
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in, post_form


def test_login_sets_a_hardened_session_cookie_and_lands_on_next(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    make_user("ada@example.org", "admin")
    response = log_in(app_client, "ada@example.org", TEST_PASSWORD, next_path="/admin/users")
    assert response.status_code == 303
    assert response.headers["location"] == "/admin/users"
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=" in cookie
    assert app_client.get("/admin/users").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_answer(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    make_user("ada@example.org")
    wrong = log_in(app_client, "ada@example.org", "not the password!")
    unknown = log_in(app_client, "nobody@example.org", "not the password!")
    assert wrong.status_code == unknown.status_code == 401
    assert "The email address or password is not right." in wrong.text
    assert "The email address or password is not right." in unknown.text


def test_open_redirects_are_refused(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org")
    response = log_in(app_client, "ada@example.org", TEST_PASSWORD, next_path="//evil.example/")
    assert response.headers["location"] == "/"


def test_login_rotates_the_session_token(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    first = app_client.cookies[SESSION_COOKIE]
    app_client.cookies.delete("ee_device")
    log_in_again = app_client.post(
        "/login",
        data={
            "email": "ada@example.org",
            "password": TEST_PASSWORD,
            "csrf_token": csrf_from(app_client.get("/")),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert log_in_again.status_code == 303
    second = app_client.cookies[SESSION_COOKIE]
    assert second != first
    replay = TestClient(app_client.app)
    replay.cookies.set(SESSION_COOKIE, first)
    assert replay.get("/admin/users", follow_redirects=False).status_code == 303


def test_logout_revokes_the_session_server_side(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    stolen = app_client.cookies[SESSION_COOKIE]
    assert post_form(app_client, "/logout", {}).status_code == 303
    replay = TestClient(app_client.app)
    replay.cookies.set(SESSION_COOKIE, stolen)
    response = replay.get("/admin/users", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def _age_session(services: Services, **changes: object) -> None:
    def age(*, session) -> None:  # type: ignore[no-untyped-def]
        session.execute(update(Credential).values(**changes))

    services.db.call(age)


def test_idle_timeout_ends_the_session(
    app_client: TestClient, make_user: Callable[..., Any], services: Services
) -> None:
    make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    _age_session(services, last_seen_at=utcnow() - timedelta(minutes=31))
    assert app_client.get("/admin/users", follow_redirects=False).status_code == 303


def test_activity_keeps_an_idle_session_alive(
    app_client: TestClient, make_user: Callable[..., Any], services: Services
) -> None:
    make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    _age_session(services, last_seen_at=utcnow() - timedelta(minutes=29))
    assert app_client.get("/admin/users").status_code == 200
    _age_session(services, created_at=utcnow())  # no-op write; last_seen must have been refreshed by the read
    assert app_client.get("/admin/users", follow_redirects=False).status_code == 200


def test_absolute_lifetime_ends_the_session(
    app_client: TestClient, make_user: Callable[..., Any], services: Services
) -> None:
    make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    _age_session(services, expires_at=utcnow() - timedelta(seconds=1))
    assert app_client.get("/admin/users", follow_redirects=False).status_code == 303


def test_disabling_a_user_ends_their_sessions(
    app_client: TestClient, make_user: Callable[..., Any], services: Services
) -> None:
    user = make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    services.db.call(service.set_disabled, user_id=user.id, disabled=True)
    assert app_client.get("/admin/users", follow_redirects=False).status_code == 303
    assert log_in(app_client, "ada@example.org", TEST_PASSWORD).status_code == 401
