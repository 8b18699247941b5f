"""Separation of duties: nobody approves a version whose content they wrote in any version since the last
approved one, through the API and the author pages alike (the rule lives in the service)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_items_api import bearer, import_native
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in, post_form


@pytest.fixture
def people(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, dict[str, str]]:
    for name in ("ann", "bob", "cy"):
        make_user(f"{name}@example.org", "author")
    return {name: bearer(app_client, f"{name}@example.org") for name in ("ann", "bob", "cy")}


def api_move(client: TestClient, item_id: str, version: int, to: str, who: dict[str, str]) -> Any:
    return client.post(
        f"/api/v1/items/{item_id}/versions/{version}/transition", json={"to": to, "comment": "ok"}, headers=who
    )


def edited_twice(client: TestClient, people: dict[str, dict[str, str]]) -> str:
    """Ann writes v1 (approved by Cy) and v2; Bob edits it into v3, which goes to review."""
    item_id = str(import_native(client, people["ann"])[0]["item_id"])
    assert api_move(client, item_id, 1, "review", people["ann"]).status_code == 200
    assert api_move(client, item_id, 1, "approved", people["cy"]).status_code == 200
    base = f"/api/v1/items/{item_id}/versions"
    assert client.post(base, json={"points": 2}, headers=people["ann"]).json()["version"] == 2
    assert client.post(base, json={"points": 3}, headers=people["bob"]).json()["version"] == 3
    assert api_move(client, item_id, 3, "review", people["bob"]).status_code == 200
    return item_id


def test_an_earlier_author_since_the_last_approval_cannot_approve_through_the_api(
    app_client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    item_id = edited_twice(app_client, people)
    for writer in ("ann", "bob"):
        refused = api_move(app_client, item_id, 3, "approved", people[writer])
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "separation_of_duties", writer
    assert api_move(app_client, item_id, 3, "approved", people["cy"]).json()["status"] == "approved"


def test_an_earlier_author_since_the_last_approval_cannot_approve_on_the_page(
    app_client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    item_id = edited_twice(app_client, people)
    path, page = f"/author/items/{item_id}/versions/3/transition", f"/author/items/{item_id}"
    for writer in ("ann", "cy"):
        browser = TestClient(app_client.app)
        assert log_in(browser, f"{writer}@example.org", TEST_PASSWORD).status_code == 303
        moved = post_form(browser, path, {"to": "approved"}, from_page=page)
        if writer == "ann":
            assert moved.status_code == 403 and "another reviewer" in moved.text
        else:
            assert moved.status_code == 303


def test_authors_before_the_last_approval_may_approve(
    app_client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    item_id = edited_twice(app_client, people)
    assert api_move(app_client, item_id, 3, "approved", people["cy"]).status_code == 200
    # Cy approved v3; Bob writes v4: Ann's and Bob's earlier versions are behind the approval, Bob's v4 is not.
    base = f"/api/v1/items/{item_id}/versions"
    assert app_client.post(base, json={"points": 4}, headers=people["bob"]).json()["version"] == 4
    assert api_move(app_client, item_id, 4, "review", people["bob"]).status_code == 200
    assert api_move(app_client, item_id, 4, "approved", people["bob"]).status_code == 403
    assert api_move(app_client, item_id, 4, "approved", people["ann"]).json()["status"] == "approved"
