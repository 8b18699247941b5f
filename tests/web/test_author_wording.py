"""Messages on author pages use the words on the screen, not the code's names: an import refusal names the form's
option ("Import the valid items only"), never the `valid_only` parameter (which the JSON API keeps, in details)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_items_api import NATIVE, bearer, upload
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in, post_form
from tests.web.test_author_items import import_page

BROKEN = json.dumps({"items": [NATIVE["items"][0], {"id": "BAD", "kind": "numeric", "stem": "x"}]}).encode()
# an identifier of the code: snake_case, or a name in backticks
CODE_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b|`[^`]+`")


def visible_alert(html: str) -> str:
    found = re.search(r'<div class="alert" role="alert">\s*<p>(.*?)</p>', html, re.S)
    alert = re.search(r'<p class="alert" role="alert">(.*?)</p>', html, re.S) if found is None else found
    assert alert, "the page shows no alert"
    return alert.group(1)


@pytest.fixture
def author(app_client: TestClient, make_user: Callable[..., Any]) -> TestClient:
    make_user("author@example.org", "author")
    log_in(app_client, "author@example.org", TEST_PASSWORD)
    return app_client


def test_an_import_refusal_names_the_option_on_the_form(author: TestClient) -> None:
    refused = import_page(author, "mixed.json", BROKEN)
    message = visible_alert(refused.text)  # type: ignore[attr-defined]
    assert "Import the valid items only" in message and CODE_NAME.findall(message) == []
    assert re.search(r'value="valid_only"> Import the valid items only</label>', refused.text)  # type: ignore[attr-defined]


def test_the_api_keeps_the_parameter_in_details(app_client: TestClient, make_user: Callable[..., Any]) -> None:
    make_user("api@example.org", "author")
    refused = upload(app_client, bearer(app_client, "api@example.org"), "mixed.json", BROKEN)
    error = refused.json()["error"]  # type: ignore[attr-defined]
    assert error["details"]["retry_with"] == {"mode": "valid_only"} and "valid_only" not in error["message"]


def test_trying_a_key_of_several_responses_says_how_to_type_it(author: TestClient) -> None:
    two_gaps = {
        "id": "GAPS",
        "kind": "inline_choice",
        "stem": "<p>{{g1}} and {{g2}}</p>",
        "gaps": [
            {"id": "g1", "options": [{"id": "a", "text": "A", "correct": True}, {"id": "b", "text": "B"}]},
            {"id": "g2", "options": [{"id": "c", "text": "C", "correct": True}, {"id": "d", "text": "D"}]},
        ],
    }
    import_page(author, "gaps.json", json.dumps(two_gaps).encode())
    item = re.search(r'href="/author/items/([0-9a-z]{32})"', author.get("/author/items").text)
    assert item
    path = f"/author/items/{item.group(1)}"
    tried = post_form(author, f"{path}/versions/1/score", {"response": "a"}, from_page=path)
    assert tried.status_code == 422
    message = visible_alert(tried.text)
    assert "keyed by its identifier" in message and CODE_NAME.findall(message) == [], message
