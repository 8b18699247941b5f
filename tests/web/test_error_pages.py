"""Errors render in the site layout on pages and in API.md's error format on the API, and never leak internals."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from httpx2 import Response
from starlette.testclient import TestClient

from examengine.accounts import service
from examengine.app import create_app
from examengine.db import Database
from examengine.settings import Settings
from examengine.web.errors import TITLES
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in

SECRET = "secret-internal-detail"
MAIN = re.compile(r"<main\b[^>]*>(.*)</main>", re.DOTALL)


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def candidate(make_user: Callable[..., Any]) -> str:
    make_user("cand@example.org", "candidate")
    return "cand@example.org"


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> str:
    make_user("ada@example.org", "admin")
    return "ada@example.org"


@pytest.fixture
def broken_user_list(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(**_: object) -> None:
        raise RuntimeError(SECRET)

    monkeypatch.setattr(service, "list_users", fail)


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def assert_page_in_layout(response: Response, status: int) -> str:
    """The error page's main content, after checking it is a whole page of the site."""
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert '<header class="site-header">' in response.text
    main = MAIN.search(response.text)
    assert main, "no <main> element"
    assert f"<h1>{TITLES[status]}</h1>" in main.group(1)
    assert re.search(r"<p>[^<]+</p>", main.group(1)), "no plain message"
    assert "Traceback" not in response.text and SECRET not in response.text
    return main.group(1)


def assert_api_error(response: Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    assert "Traceback" not in response.text and SECRET not in response.text
    return dict(error)


def test_403_page(client: TestClient, candidate: str) -> None:
    log_in(client, candidate, TEST_PASSWORD)
    main = assert_page_in_layout(client.get("/admin/users"), 403)
    assert "This needs the admin role." in main


def test_403_api(client: TestClient, candidate: str) -> None:
    response = client.get("/api/v1/users", headers=bearer(client, candidate))
    assert assert_api_error(response, 403, "role_required")["message"] == "This needs the admin role."


def test_404_page(client: TestClient) -> None:
    main = assert_page_in_layout(client.get("/no/such/page"), 404)
    assert "There is nothing at this address." in main


def test_404_api(client: TestClient) -> None:
    assert_api_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def allowed(response: Response) -> set[str]:
    return {method.strip() for method in response.headers["allow"].split(",")}


def test_405_page(client: TestClient) -> None:
    response = client.put("/login")
    assert_page_in_layout(response, 405)
    assert allowed(response) == {"GET", "HEAD", "POST"}


def test_405_api(client: TestClient) -> None:
    response = client.put("/api/v1/users")
    assert_api_error(response, 405, "method_not_allowed")
    assert allowed(response) == {"GET", "HEAD", "POST"}


@pytest.mark.usefixtures("broken_user_list")
def test_500_page_shows_no_internals(client: TestClient, admin: str) -> None:
    log_in(client, admin, TEST_PASSWORD)
    assert_page_in_layout(client.get("/admin/users"), 500)


@pytest.mark.usefixtures("broken_user_list")
def test_500_api_shows_no_internals(client: TestClient, admin: str) -> None:
    response = client.get("/api/v1/users", headers=bearer(client, admin))
    assert assert_api_error(response, 500, "server_error")["details"] == {}


@pytest.mark.usefixtures("broken_user_list")
def test_500_is_logged_for_the_operators(client: TestClient, admin: str, caplog: pytest.LogCaptureFixture) -> None:
    log_in(client, admin, TEST_PASSWORD)
    assert client.get("/admin/users").status_code == 500
    assert any(SECRET in record.getMessage() or SECRET in str(record.exc_info) for record in caplog.records)


@pytest.mark.usefixtures("broken_user_list")
def test_500_propagates_to_the_server(settings: Settings, db: Database, admin: str) -> None:
    with TestClient(create_app(settings)) as strict_client:
        log_in(strict_client, admin, TEST_PASSWORD)
        with pytest.raises(RuntimeError, match=SECRET):
            strict_client.get("/admin/users")
