"""Helpers for driving pages through TestClient as a browser would (cookies, CSRF form field)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from httpx2 import Response
from starlette.testclient import TestClient

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(page: Response) -> str:
    found = CSRF_FIELD.search(page.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def log_in(client: TestClient, email: str, password: str, *, next_path: str = "/") -> Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page), "next": next_path},
        follow_redirects=False,
    )


def post_form(client: TestClient, path: str, data: Mapping[str, str | list[str]], *, from_page: str = "/") -> Response:
    token = csrf_from(client.get(from_page))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


def start_on_page(client: TestClient, sitting_id: str) -> str:
    """Press Start on My exams (accepting the rules) as the signed-in candidate; the attempt's page address."""
    home = client.get("/candidate")
    started = client.post(
        f"/candidate/sittings/{sitting_id}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=False,
    )
    return str(started.headers["location"])


def first_choice(page: Response) -> tuple[str, str]:
    """The item form's field name and the value of its first radio button."""
    name = re.search(r'name="(r\.[A-Z_]+)"', page.text)
    values = re.findall(r'type="radio" [^>]*value="([^"]+)"', page.text)
    assert name and values, "the page has no choice to make"
    return name.group(1), values[0]
