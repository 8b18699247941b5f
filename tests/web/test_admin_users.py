"""Admin user pages: create with clear errors, roles, passwords, disabling, and all-or-nothing CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.accounts import service
from examengine.context import Services
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in, post_form


@pytest.fixture
def admin(app_client: TestClient, make_user: Callable[..., Any]) -> TestClient:
    make_user("ada@example.org", "admin")
    log_in(app_client, "ada@example.org", TEST_PASSWORD)
    return app_client


def emails(services: Services) -> list[str]:
    return [u.email for u in services.db.call(service.list_users, write=False).items]


def test_create_user_page_explains_problems_and_keeps_input(admin: TestClient, services: Services) -> None:
    response = post_form(admin, "/admin/users", {"email": "nope", "name": "Kept Name", "roles": "candidate"})
    assert response.status_code == 422
    assert "is not a valid email address" in response.text and 'value="Kept Name"' in response.text
    response = post_form(admin, "/admin/users", {"email": "ADA@example.org", "name": "Dup", "roles": "admin"})
    assert response.status_code == 409 and "already exists" in response.text
    response = post_form(admin, "/admin/users", {"email": "x@example.org", "name": "X", "password": "short"})
    assert response.status_code == 422 and "too short" in response.text
    assert emails(services) == ["ada@example.org"]
    created = post_form(admin, "/admin/users", {"email": "x@example.org", "name": "X", "roles": ["author", "proctor"]})
    assert created.status_code == 303
    detail = admin.get(created.headers["location"])
    assert "User created." in detail.text and "author, proctor" in detail.text


def test_roles_passwords_and_disabling(admin: TestClient, make_user: Callable[..., Any], services: Services) -> None:
    user = make_user("cara@example.org", "candidate")
    page = f"/admin/users/{user.id}"
    assert post_form(admin, f"{page}/roles", {"roles": ["candidate", "proctor"]}, from_page=page).status_code == 303
    assert services.db.call(service.get_user, user_id=user.id, write=False).roles == ("candidate", "proctor")
    refused = post_form(admin, f"{page}/roles", {"roles": []}, from_page=page)
    assert refused.status_code == 422 and "at least one role" in refused.text

    assert post_form(admin, f"{page}/password", {"password": "a-brand-new-password"}, from_page=page).status_code == 303
    other = TestClient(admin.app)
    assert log_in(other, "cara@example.org", "a-brand-new-password").status_code == 303

    assert post_form(admin, f"{page}/disable", {}, from_page=page).status_code == 303
    assert other.get("/", follow_redirects=False).status_code == 303  # their session ended
    assert post_form(admin, f"{page}/enable", {}, from_page=page).status_code == 303
    assert log_in(other, "cara@example.org", "a-brand-new-password").status_code == 303


def test_an_admin_cannot_lock_themselves_out(admin: TestClient, services: Services) -> None:
    me = services.db.call(service.find_user_id_by_email, email="ada@example.org", write=False)
    page = f"/admin/users/{me}"
    response = post_form(admin, f"{page}/roles", {"roles": ["candidate"]}, from_page=page)
    assert response.status_code == 409 and "own admin role" in response.text
    response = post_form(admin, f"{page}/disable", {}, from_page=page)
    assert response.status_code == 409 and "your own account" in response.text
    assert admin.get("/admin/users").status_code == 200


def test_unknown_user_is_404(admin: TestClient) -> None:
    response = admin.get("/admin/users/" + "0" * 32)
    assert response.status_code == 404 and "No such user." in response.text


def _import(client: TestClient, content: bytes) -> object:
    token = csrf_from(client.get("/admin/users/import"))
    return client.post(
        "/admin/users/import", data={"csrf_token": token}, files={"file": ("people.csv", content, "text/csv")}
    )


def test_csv_import_is_all_or_nothing_with_per_row_errors(admin: TestClient, services: Services) -> None:
    bad = (
        b"email,name,roles,password\n"
        b"one@example.org,One,,\n"
        b"not-an-email,Two,,\n"
        b"three@example.org,,candidate,\n"
        b"one@example.org,Dup,,\n"
        b"four@example.org,Four,wizard,\n"
        b"five@example.org,Five,,short\n"
    )
    response = _import(admin, bad)
    assert response.status_code == 422  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    for line, fragment in [
        (3, "not a valid email"),
        (4, "A name is required"),
        (5, "also on line 2"),
        (6, "Unknown role"),
        (7, "too short"),
    ]:
        assert f"Line {line}: " in text and fragment in text
    assert "nothing was imported" in text
    assert emails(services) == ["ada@example.org"]

    good = b"email,name,roles,password\none@example.org,One,,\ntwo@example.org,Two,candidate;proctor,long-enough-pw\n"
    response = _import(admin, good)
    assert response.status_code == 200 and "Imported 2 users." in response.text  # type: ignore[attr-defined]
    assert emails(services) == ["ada@example.org", "one@example.org", "two@example.org"]
    again = _import(admin, good)
    assert again.status_code == 422 and "already exists" in again.text  # type: ignore[attr-defined]
    assert len(emails(services)) == 3


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "header"),
        (b"email,name\n", "no rows"),
        (b"mail,fullname\nx@example.org,X\n", "header naming at least"),
        (b"email,name,shoe_size\nx@example.org,X,42\n", "Unknown columns shoe_size"),
        (b"\xff\xfe\x00e\x00m", "not UTF-8"),
        (b"email,name\nx@example.org,X\x00\n", "NUL"),
    ],
)
def test_unusable_files_are_explained(admin: TestClient, services: Services, content: bytes, message: str) -> None:
    response = _import(admin, content)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.text  # type: ignore[attr-defined]
    assert emails(services) == ["ada@example.org"]
