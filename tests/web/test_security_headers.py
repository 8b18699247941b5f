"""Security headers on every kind of response the app sends, over HTTP and over HTTPS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from httpx2 import Response
from starlette.testclient import TestClient

from examengine.accounts import login
from examengine.app import MAX_BODY_BYTES, create_app
from examengine.db import Database
from examengine.settings import Settings
from examengine.web.auth import CSRF_COOKIE, DEVICE_COOKIE, SESSION_COOKIE
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

SCHEMES = ["http", "https"]


async def broken_login(*_args: Any, **_kwargs: Any) -> None:
    raise RuntimeError("login is broken for this test")


def failing_page(client: TestClient) -> Response:
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": "ada@example.org", "password": "x", "csrf_token": token})


# Each kind of response with the status that shows the case really produced it. The 500s come from login,
# which these tests break; the 413 declares a length over the cap, which is refused before any body is read.
RESPONSES: dict[str, tuple[int, Callable[[TestClient], Response]]] = {
    "page": (200, lambda client: client.get("/login")),
    "API JSON": (200, lambda client: client.get("/api/openapi.json")),
    "404 page": (404, lambda client: client.get("/no-such-page")),
    "404 API": (404, lambda client: client.get("/api/v1/no-such-thing")),
    "405 page": (405, lambda client: client.put("/login")),
    "redirect": (303, lambda client: client.get("/", follow_redirects=False)),
    "static file": (200, lambda client: client.get("/static/app/app.css")),
    "413": (
        413,
        lambda client: client.post(
            "/api/v1/auth/token", content=b"{}", headers={"content-length": str(MAX_BODY_BYTES + 1)}
        ),
    ),
    "400 NUL in URL": (400, lambda client: client.get("/login?next=%00")),
    "500 page": (500, failing_page),
    "500 API": (500, lambda client: client.post("/api/v1/auth/token", json={"email": "a@b.org", "password": "x"})),
}
STATIC = {"static file"}


@pytest.fixture(params=SCHEMES)
def client(request: pytest.FixtureRequest, settings: Settings, db: Database) -> Iterator[TestClient]:
    base_url = f"{request.param}://testserver"
    with TestClient(create_app(settings), base_url=base_url, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def response(request: pytest.FixtureRequest, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[Response]:
    monkeypatch.setattr(login, "log_in", broken_login)
    status, send = RESPONSES[request.param]
    answer = send(client)
    assert answer.status_code == status, answer.text
    yield answer


def csp_directives(response: Response) -> dict[str, list[str]]:
    policy = response.headers.get("content-security-policy")
    assert policy, "no Content-Security-Policy"
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.parametrize("response", RESPONSES, indirect=True)
def test_every_response_has_a_strict_policy(response: Response) -> None:
    directives = csp_directives(response)
    script_sources = directives.get("script-src", directives.get("default-src"))
    assert script_sources, "scripts are not restricted"
    assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources
    assert "*" not in script_sources
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"no-referrer", "same-origin", "strict-origin-when-cross-origin"}


@pytest.mark.parametrize("response", RESPONSES, indirect=True)
def test_dynamic_responses_are_never_stored_and_static_files_may_be(
    request: pytest.FixtureRequest, response: Response
) -> None:
    kind = request.node.callspec.params["response"]
    if kind in STATIC:
        assert "no-store" not in response.headers.get("cache-control", "")
    else:
        assert response.headers.get("cache-control") == "no-store"


@pytest.mark.parametrize("response", RESPONSES, indirect=True)
def test_hsts_only_over_https(client: TestClient, response: Response) -> None:
    hsts = response.headers.get("strict-transport-security")
    if client.base_url.scheme == "https":
        assert hsts is not None and "max-age=" in hsts
        assert int(hsts.split("max-age=")[1].split(";")[0]) >= 365 * 86400
    else:
        assert hsts is None


def cookie_header(response: Response, name: str) -> str:
    found = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


def cookie_attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


def test_cookies_are_secure_over_https(client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("ada@example.org")
    login_page = client.get("/login")
    signed_in = log_in(client, "ada@example.org", TEST_PASSWORD)
    assert signed_in.status_code == 303
    cookies = {
        CSRF_COOKIE: cookie_header(login_page, CSRF_COOKIE),
        SESSION_COOKIE: cookie_header(signed_in, SESSION_COOKIE),
        DEVICE_COOKIE: cookie_header(signed_in, DEVICE_COOKIE),
    }
    for name, header in cookies.items():
        attributes = cookie_attributes(header)
        assert "httponly" in attributes, name
        assert ("secure" in attributes) == (client.base_url.scheme == "https"), name
    assert client.get("/", follow_redirects=False).status_code == 200


def script_nonce(response: Response) -> str:
    sources = csp_directives(response)["script-src"]
    assert len(sources) == 1 and sources[0].startswith("'nonce-"), sources
    return sources[0].removeprefix("'nonce-").removesuffix("'")


def test_scripts_run_only_with_the_response_s_own_nonce(client: TestClient) -> None:
    # 'self' would let any same-origin file (a stored upload, a media URL) load as a script
    first, second = client.get("/login"), client.get("/login")
    nonce = script_nonce(first)
    assert len(nonce) >= 16 and nonce != script_nonce(second), "a fresh nonce per response"
    tags = [part.split(">", 1)[0] for part in first.text.split("<script")[1:]]
    assert tags, "the page loads its scripts"
    assert all(f'nonce="{nonce}"' in tag for tag in tags), tags


def test_a_response_without_a_page_allows_no_script_at_all(client: TestClient) -> None:
    """JSON, redirects and errors ask for no nonce, so their policy names none: nothing in them can run."""
    for answer in (client.get("/healthz"), client.get("/api/v1/me"), client.get("/", follow_redirects=False)):
        directives = csp_directives(answer)
        if "<script" not in answer.text:
            assert directives["script-src"] == ["'none'"] and directives["style-src"] == ["'self'"], answer.url
