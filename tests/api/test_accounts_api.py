"""The JSON API of accounts: tokens and users, with API.md's error format."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.accounts.models import Role
from tests.conftest import TEST_PASSWORD


def token_for(client: TestClient, email: str) -> str:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 201, response.text
    return str(response.json()["token"])


@pytest.fixture
def admin_headers(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, str]:
    make_user("ada@example.org", "admin", "author")
    return {"Authorization": f"Bearer {token_for(app_client, 'ada@example.org')}"}


def test_token_carries_user_and_roles(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    user = make_user("ada@example.org", "admin", "author")
    body = app_client.post("/api/v1/auth/token", json={"email": "ADA@example.org", "password": TEST_PASSWORD}).json()
    assert body["user"] == {"id": user.id, "email": "ada@example.org", "roles": ["admin", "author"]}
    assert body["expires_at"].endswith("Z") or body["expires_at"].endswith("+00:00")
    assert len(body["token"]) >= 40


def test_wrong_password_is_401_in_the_error_format(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org")
    response = app_client.post("/api/v1/auth/token", json={"email": "ada@example.org", "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "The email address or password is not right.",
            "details": {},
        }
    }


def test_revoked_token_stops_working(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    assert app_client.get("/api/v1/users", headers=admin_headers).status_code == 200
    assert app_client.delete("/api/v1/auth/token", headers=admin_headers).status_code == 204
    response = app_client.get("/api/v1/users", headers=admin_headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response.headers["www-authenticate"] == "Bearer"


def test_session_cookies_do_not_authenticate_the_api(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org", "admin")
    from tests.web.browsing import log_in

    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    assert app_client.get("/admin/users").status_code == 200
    assert app_client.get("/api/v1/users").status_code == 401


def test_create_and_list_users(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    created = app_client.post(
        "/api/v1/users",
        json={
            "email": "Cara@Example.org",
            "name": "  Cara   Candidate ",
            "password": TEST_PASSWORD,
            "roles": ["candidate"],
        },
        headers=admin_headers,
    )
    assert created.status_code == 201
    body = created.json()
    assert body["email"] == "cara@example.org" and body["name"] == "Cara Candidate" and body["roles"] == ["candidate"]
    assert token_for(app_client, "cara@example.org")

    for n in range(3):
        app_client.post(
            "/api/v1/users",
            json={"email": f"c{n}@example.org", "name": f"C {n}", "roles": ["candidate"]},
            headers=admin_headers,
        )
    first = app_client.get("/api/v1/users?role=candidate&limit=2", headers=admin_headers).json()
    assert [u["email"] for u in first["items"]] == ["c0@example.org", "c1@example.org"]
    second = app_client.get(
        f"/api/v1/users?role=candidate&limit=2&cursor={first['next_cursor']}", headers=admin_headers
    ).json()
    assert [u["email"] for u in second["items"]] == ["c2@example.org", "cara@example.org"]
    assert second["next_cursor"] is None
    found = app_client.get("/api/v1/users?q=CARA", headers=admin_headers).json()
    assert [u["email"] for u in found["items"]] == ["cara@example.org"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "ada@example.org", "name": "Dup", "roles": ["admin"]}, 409, "email_taken"),
        ({"email": "not-an-email", "name": "X", "roles": ["candidate"]}, 422, "invalid_email"),
        ({"email": "x@example.org", "name": "X", "roles": ["wizard"]}, 422, "invalid_body"),
        ({"email": "x@example.org", "name": "X", "roles": []}, 422, "invalid_body"),
        ({"email": "x@example.org", "name": "X", "roles": ["candidate"], "password": "short"}, 422, "invalid_body"),
        ({"email": "x@example.org", "name": "X", "roles": ["candidate"], "admin": True}, 422, "invalid_body"),
        ({"email": "x@example.org", "name": "\u0000", "roles": ["candidate"]}, 422, "invalid_body"),
    ],
)
def test_bad_users_are_refused_with_an_actionable_error(
    app_client: TestClient, admin_headers: dict[str, str], body: dict[str, object], status: int, code: str
) -> None:
    response = app_client.post("/api/v1/users", json=body, headers=admin_headers)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    listing = app_client.get("/api/v1/users", headers=admin_headers).json()
    assert [u["email"] for u in listing["items"]] == ["ada@example.org"]


def test_malformed_json_is_400(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    response = app_client.post(
        "/api/v1/users", content=b"{not json", headers={**admin_headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_json"
    assert app_client.post("/api/v1/users", headers=admin_headers).json()["error"]["code"] == "missing_body"


def test_unknown_api_paths_answer_json_404(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_oversized_bodies_are_413(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    response = app_client.post("/api/v1/users", content=b"x" * (65 * 1024 * 1024), headers=admin_headers)
    assert response.status_code == 413


def test_health(app_client: TestClient) -> None:
    assert app_client.get("/healthz").json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize(
    "path", ["/api/v1/users?cursor=%00", "/api/v1/users?q=a%00b", "/admin/users?q=%00", "/admin/users/%00"]
)
def test_nul_in_the_address_is_400(app_client: TestClient, admin_headers: dict[str, str], path: str) -> None:
    response = app_client.get(path, headers=admin_headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "malformed_input"


def test_a_user_can_be_created_with_every_role(app_client: TestClient, admin_headers: dict[str, str]) -> None:
    """The roles list holds each role at most once, all of them included (it was capped at 4 of the 5)."""
    every = sorted(role.value for role in Role)
    body = {"email": "all@example.org", "name": "All Roles", "password": TEST_PASSWORD, "roles": every}
    created = app_client.post("/api/v1/users", json=body, headers=admin_headers)
    assert created.status_code == 201, created.text
    assert sorted(created.json()["roles"]) == every
