"""Every state-changing page request needs this session's CSRF token and a same-site origin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in


@pytest.fixture
def admin_client(app_client: TestClient, make_user: Callable[..., Any]) -> TestClient:
    make_user("ada@example.org", "admin")
    assert log_in(app_client, "ada@example.org", TEST_PASSWORD).status_code == 303
    return app_client


NEW_USER = {"email": "new@example.org", "name": "New Person", "roles": "candidate"}


def test_a_form_with_the_session_token_is_accepted(admin_client: TestClient) -> None:
    token = csrf_from(admin_client.get("/admin/users/new"))
    response = admin_client.post("/admin/users", data={**NEW_USER, "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_the_htmx_header_is_accepted(admin_client: TestClient) -> None:
    token = csrf_from(admin_client.get("/admin/users/new"))
    response = admin_client.post("/admin/users", data=NEW_USER, headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("case", "token_for", "headers"),
    [
        ("missing", None, {}),
        ("wrong", "not-the-token", {}),
        ("foreign origin", "valid", {"Origin": "https://evil.example"}),
    ],
)
def test_refused_requests_change_nothing(
    admin_client: TestClient, case: str, token_for: str | None, headers: dict[str, str]
) -> None:
    token = csrf_from(admin_client.get("/admin/users/new")) if token_for == "valid" else token_for
    data = {**NEW_USER, **({"csrf_token": token} if token else {})}
    response = admin_client.post("/admin/users", data=data, headers=headers, follow_redirects=False)
    assert response.status_code == 403, case
    assert "did not come from this site" in response.text or "another site" in response.text
    assert "new@example.org" not in admin_client.get("/admin/users").text


def test_another_sessions_token_is_refused(admin_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("bob@example.org", "admin")
    other = TestClient(admin_client.app)
    log_in(other, "bob@example.org", TEST_PASSWORD)
    bobs_token = csrf_from(other.get("/admin/users/new"))
    response = admin_client.post("/admin/users", data={**NEW_USER, "csrf_token": bobs_token}, follow_redirects=False)
    assert response.status_code == 403
    assert "new@example.org" not in admin_client.get("/admin/users").text


def test_login_itself_needs_the_anonymous_token(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org")
    app_client.get("/login")
    response = app_client.post(
        "/login", data={"email": "ada@example.org", "password": TEST_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403


def test_get_requests_never_change_state(admin_client: TestClient) -> None:
    assert admin_client.get("/logout", follow_redirects=False).status_code == 405
    assert admin_client.get("/admin/users").status_code == 200
