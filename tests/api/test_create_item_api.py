"""POST /api/v1/items: one item in the native JSON form, as a native import of one item reads it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_items_api import NATIVE, bearer, upload

ONE: dict[str, Any] = NATIVE["items"][0]


@pytest.fixture
def author(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, str]:
    make_user("writer@example.org", "author")
    return bearer(app_client, "writer@example.org")


def test_an_item_is_created_as_a_native_import_would_store_it(app_client: TestClient, author: dict[str, str]) -> None:
    created = app_client.post("/api/v1/items", json=ONE, headers=author)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["version"], body["code"]) == (1, "CAP-1")  # its id becomes its code
    item = app_client.get(f"/api/v1/items/{body['item_id']}", headers=author).json()
    assert (item["code"], item["source_identifier"]) == ("CAP-1", "CAP-1")
    listed = app_client.get("/api/v1/items?q=cap-1", headers=author).json()["items"]
    assert [(i["item_id"], i["code"]) for i in listed] == [(body["item_id"], "CAP-1")]
    version = app_client.get(f"/api/v1/items/{body['item_id']}/versions/1", headers=author).json()
    assert (version["status"], version["domain"], version["tags"]) == ("draft", "D1", ["geo"])
    scored = app_client.post(
        f"/api/v1/items/{body['item_id']}/versions/1/score", json={"response": "A"}, headers=author
    )
    assert scored.json()["score"] == 1.0


def test_the_same_id_twice_is_a_conflict_and_stores_nothing(app_client: TestClient, author: dict[str, str]) -> None:
    first = app_client.post("/api/v1/items", json=ONE, headers=author).json()
    again = app_client.post("/api/v1/items", json={**ONE, "title": "Another"}, headers=author)
    assert again.status_code == 409
    error = again.json()["error"]
    assert error["code"] == "duplicate_item" and error["details"] == {"item_id": first["item_id"], "code": "CAP-1"}
    assert len(app_client.get("/api/v1/items", headers=author).json()["items"]) == 1


def test_a_numbered_code_is_taken_or_reserved(app_client: TestClient, author: dict[str, str]) -> None:
    # the bank numbers imported items ITM-000001, ...: an id of that form would clash with one, now or later
    numbered = app_client.post("/api/v1/items", json={**ONE, "id": "Q-1"}, headers=author).json()
    assert numbered["code"] == "Q-1"
    upload(app_client, author, "bank.json", json.dumps({"items": [{**ONE, "id": "Q-2"}]}).encode())
    taken = app_client.post("/api/v1/items", json={**ONE, "id": "ITM-000002"}, headers=author)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "duplicate_item"
    reserved = app_client.post("/api/v1/items", json={**ONE, "id": "itm-000099"}, headers=author)
    assert reserved.status_code == 422 and reserved.json()["error"]["code"] == "reserved_code"


def test_an_imported_item_with_the_same_source_id_keeps_its_numbered_code(
    app_client: TestClient, author: dict[str, str]
) -> None:
    imported = upload(app_client, author, "bank.json", json.dumps({"items": [ONE]}).encode()).json()  # type: ignore[attr-defined]
    assert imported["imported"][0]["code"] == "ITM-000001"
    created = app_client.post("/api/v1/items", json=ONE, headers=author)
    assert created.status_code == 201 and created.json()["code"] == "CAP-1"


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({**ONE, "options": [{"id": "A", "text": "Only", "correct": True}]}, ""),
        ({**ONE, "kind": "riddle"}, "kind"),
        ({**ONE, "options": [{"id": "1 bad", "text": "x", "correct": True}, {"id": "B", "text": "y"}]}, "options.0.id"),
        ({**ONE, "colour": "red"}, "colour"),
        ({key: value for key, value in ONE.items() if key != "stem"}, "stem"),
    ],
)
def test_an_invalid_item_is_422_with_the_field_and_nothing_stored(
    app_client: TestClient, author: dict[str, str], item: dict[str, Any], field: str
) -> None:
    refused = app_client.post("/api/v1/items", json=item, headers=author)
    assert refused.status_code == 422, refused.text
    problems = refused.json()["error"]["details"]["problems"]
    assert any(p["field"] == (field or "(body)") for p in problems), problems
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == []


def test_a_list_or_a_wrapped_document_is_not_one_item(app_client: TestClient, author: dict[str, str]) -> None:
    assert app_client.post("/api/v1/items", json=[ONE], headers=author).status_code == 422
    assert app_client.post("/api/v1/items", json=NATIVE, headers=author).status_code == 422


def test_the_route_is_in_the_openapi_document(app_client: TestClient) -> None:
    document = app_client.get("/api/openapi.json").json()
    post = document["paths"]["/api/v1/items"]["post"]
    assert set(post["responses"]) >= {"201", "409", "422"}
    assert "requestBody" in post


@pytest.mark.parametrize("where", ["id", "stem", "title"])
def test_a_nul_character_is_refused_not_a_server_error(
    app_client: TestClient, author: dict[str, str], where: str
) -> None:
    # PostgreSQL text cannot hold U+0000: refused as input on both doors, before anything reaches the database
    refused = app_client.post("/api/v1/items", json={**ONE, where: "A\x00B"}, headers=author)
    assert refused.status_code == 422, refused.text
    assert "NUL character" in refused.json()["error"]["message"]
    imported = upload(app_client, author, "nul.json", json.dumps({"items": [{**ONE, where: "A\x00B"}]}).encode())
    assert imported.status_code == 422  # type: ignore[attr-defined]
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == []


def test_metadata_beyond_what_the_bank_stores_is_a_422_naming_it(
    app_client: TestClient, author: dict[str, str]
) -> None:
    """Found by the API's conformance run: an expected_seconds beyond a 32-bit integer answered 500 on PostgreSQL."""
    body = {"kind": "essay", "id": "big", "stem": "Why?", "metadata": {"expected_seconds": -6_992_933_126_114_150}}
    refused = app_client.post("/api/v1/items", json=body, headers=author)
    assert refused.status_code == 422, refused.text
    assert "expected_seconds" in refused.text
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == []
