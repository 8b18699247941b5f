"""The review workflow as the author pages offer it: every move a page offers is one the service accepts for that
viewer and version (and every move it leaves out is refused), bulk moves report each version's fate, and trying a
key says when a response cannot be read instead of scoring it 0."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_create_item_api import ONE
from tests.api.test_items_api import bearer
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in, post_form

STATUSES = ("draft", "review", "approved", "retired")
PATHS = {"draft": [], "review": ["review"], "approved": ["review", "approved"], "retired": ["retired"]}
BUTTON = re.compile(r'<button type="submit" name="to" value="(\w+)"')


@pytest.fixture
def people(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, dict[str, str]]:
    for name in ("ann", "cy"):
        make_user(f"{name}@example.org", "author")
    return {name: bearer(app_client, f"{name}@example.org") for name in ("ann", "cy")}


def item_in(
    client: TestClient, people: dict[str, dict[str, str]], status: str, number: int, writer: str = "ann"
) -> str:
    """A new item written by `writer`, moved to `status` (approved by the other person)."""
    item = {**ONE, "id": f"Q-{status}-{number}-{writer}", "title": f"Question {number}"}
    created = client.post("/api/v1/items", json=item, headers=people[writer])
    assert created.status_code == 201, created.text
    item_id = str(created.json()["item_id"])
    for to in PATHS[status]:
        mover = people["cy" if writer == "ann" else "ann"] if to == "approved" else people[writer]
        moved = client.post(f"/api/v1/items/{item_id}/versions/1/transition", json={"to": to}, headers=mover)
        assert moved.status_code == 200, moved.text
    return item_id


@pytest.mark.parametrize("viewer", ["ann", "cy"])
@pytest.mark.parametrize("status", STATUSES)
def test_the_item_page_offers_exactly_the_moves_the_service_accepts(
    app_client: TestClient, people: dict[str, dict[str, str]], viewer: str, status: str
) -> None:
    log_in(app_client, f"{viewer}@example.org", TEST_PASSWORD)
    for number, to in enumerate(STATUSES):
        item_id = item_in(app_client, people, status, number)
        page = app_client.get(f"/author/items/{item_id}")
        offered = to in BUTTON.findall(page.text)
        moved = post_form(
            app_client,
            f"/author/items/{item_id}/versions/1/transition",
            {"to": to},
            from_page=f"/author/items/{item_id}",
        )
        assert (moved.status_code == 303) == offered, (viewer, status, to, moved.status_code)
        if status == "review" and viewer == "ann":
            assert not offered or to != "approved"
            assert "another reviewer approves it" in page.text


def test_bulk_approval_moves_the_allowed_and_names_each_refusal(
    app_client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    others = [item_in(app_client, people, "review", n) for n in range(2)]
    own = item_in(app_client, people, "review", 9, writer="cy")
    log_in(app_client, "cy@example.org", TEST_PASSWORD)
    queue = app_client.get("/author/review")
    assert queue.text.count('name="version"') == 3 and "Approve selected" in queue.text
    assert "(you wrote it: another reviewer approves)" in queue.text
    picked = [f"{item_id}/1" for item_id in (*others, own)]
    done = post_form(app_client, "/author/review", {"to": "approved", "version": picked}, from_page="/author/review")
    assert done.status_code == 200
    assert "2 of 3 moved; 1 refused, nothing of them changed." in done.text
    assert "another reviewer has to approve it" in done.text
    statuses = {
        item_id: app_client.get(f"/api/v1/items/{item_id}/versions/1", headers=people["cy"]).json()["status"]
        for item_id in (*others, own)
    }
    assert statuses == {others[0]: "approved", others[1]: "approved", own: "review"}


def test_bulk_retire_from_the_approved_list_and_refusals_of_a_bad_request(
    app_client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    approved = item_in(app_client, people, "approved", 1)
    log_in(app_client, "ann@example.org", TEST_PASSWORD)
    listing = app_client.get("/author/review?status=approved")
    assert "Retire selected" in listing.text and "Approve selected" not in listing.text
    nothing = post_form(app_client, "/author/review", {"to": "retired"}, from_page="/author/review")
    assert nothing.status_code == 422 and "Select at least one version." in nothing.text
    forged = post_form(app_client, "/author/review", {"to": "retired", "version": "x/y"}, from_page="/author/review")
    assert forged.status_code == 422
    stale = post_form(
        app_client, "/author/review", {"to": "approved", "version": f"{approved}/1"}, from_page="/author/review"
    )
    assert stale.status_code == 409 and "it can move to retired" in stale.text
    retired = post_form(
        app_client,
        "/author/review",
        {"to": "retired", "version": f"{approved}/1", "status": "approved"},
        from_page="/author/review",
    )
    assert retired.status_code == 200 and "1 of 1 moved." in retired.text


@pytest.mark.parametrize(
    ("item", "typed", "said", "readable"),
    [
        ({"kind": "numeric", "answer": 4, "options": []}, "four", "'four' is not a number", "4"),
        ({}, "Z", "Z is not one of the item's options (A, B, C)", "A"),
        ({"kind": "multiple_response"}, '["A", "Q"]', "Q is not one of the item's options", '["A", "B"]'),
        ({"kind": "numeric", "answer": 4, "options": []}, '{"RESPONSE": {"a": 1}}', "give a value or a list", "4.0"),
    ],
)
def test_trying_the_key_says_when_a_response_cannot_be_read(
    app_client: TestClient,
    people: dict[str, dict[str, str]],
    item: dict[str, Any],
    typed: str,
    said: str,
    readable: str,
) -> None:
    created = app_client.post("/api/v1/items", json={**ONE, **item}, headers=people["ann"]).json()
    path = f"/author/items/{created['item_id']}"
    log_in(app_client, "ann@example.org", TEST_PASSWORD)
    tried = post_form(app_client, f"{path}/versions/1/score", {"response": typed}, from_page=path)
    assert tried.status_code == 422 and "cannot be read, so it was not scored" in tried.text
    assert said in tried.text.replace("&#39;", "'"), tried.text
    scored = post_form(app_client, f"{path}/versions/1/score", {"response": readable}, from_page=path)
    assert scored.status_code == 200 and "Score" in scored.text


def test_the_api_score_preview_refuses_an_unreadable_response(
    app_client: TestClient, people: dict[str, dict[str, str]]
) -> None:
    created = app_client.post("/api/v1/items", json=ONE, headers=people["ann"]).json()
    path = f"/api/v1/items/{created['item_id']}/versions/1/score"
    refused = app_client.post(path, json={"response": "Z"}, headers=people["ann"])
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "unreadable_response"
    assert app_client.post(path, json={"response": "B"}, headers=people["ann"]).json()["score"] == 0.0
