"""The item bank API end to end: import, versions, review workflow with separation of duties, scoring, export."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_PASSWORD

NATIVE: dict[str, Any] = {
    "format": "examengine-items",
    "version": 1,
    "items": [
        {
            "id": "CAP-1",
            "kind": "single_choice",
            "title": "Capital",
            "stem": "<p>The capital of France?</p>",
            "options": [
                {"id": "A", "text": "Paris", "correct": True},
                {"id": "B", "text": "Lyon"},
                {"id": "C", "text": "Nice"},
            ],
            "rationale": "RATIONALE-MARKER",
            "metadata": {"domain": "D1", "tags": ["geo"], "enemy_groups": ["E1"]},
        },
        {
            "id": "NUM-1",
            "kind": "numeric",
            "title": "Sum",
            "stem": "<p>2 + 2?</p>",
            "answer": 4,
            "points": 2,
            "metadata": {"domain": "D2", "tags": ["calc"]},
        },
    ],
}


def bearer(client: TestClient, email: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def author(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, str]:
    make_user("author@example.org", "author")
    return bearer(app_client, "author@example.org")


@pytest.fixture
def reviewer(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, str]:
    make_user("reviewer@example.org", "author")
    return bearer(app_client, "reviewer@example.org")


def upload(client: TestClient, headers: dict[str, str], name: str, data: bytes, **fields: str) -> object:
    return client.post("/api/v1/items/import", headers=headers, files={"file": (name, data)}, data=fields)


def import_native(client: TestClient, headers: dict[str, str]) -> list[dict[str, object]]:
    response = upload(client, headers, "bank.json", json.dumps(NATIVE).encode())
    assert response.status_code == 201, response.text  # type: ignore[attr-defined]
    return response.json()["imported"]  # type: ignore[attr-defined,no-any-return]


def test_import_then_list_filter_and_read(app_client: TestClient, author: dict[str, str]) -> None:
    imported = import_native(app_client, author)
    assert [i["code"] for i in imported] == ["ITM-000001", "ITM-000002"]
    assert all(i["version"] == 1 for i in imported)
    listing = app_client.get("/api/v1/items", headers=author).json()
    assert [(i["code"], i["status"], i["domain"]) for i in listing["items"]] == [
        ("ITM-000001", "draft", "D1"),
        ("ITM-000002", "draft", "D2"),
    ]
    assert [i["code"] for i in app_client.get("/api/v1/items?tag=calc", headers=author).json()["items"]] == [
        "ITM-000002"
    ]
    assert [i["code"] for i in app_client.get("/api/v1/items?q=FRANCE", headers=author).json()["items"]] == [
        "ITM-000001"
    ]
    assert app_client.get("/api/v1/items?status=approved", headers=author).json()["items"] == []
    item_id = imported[0]["item_id"]
    version = app_client.get(f"/api/v1/items/{item_id}/versions/1", headers=author).json()
    assert version["enemy_groups"] == ["E1"] and version["max_score"] == 1.0
    assert version["content"]["responses"][0]["correct_response"] == ["A"]
    assert "RATIONALE-MARKER" in version["content"]["rationale"]


def test_all_or_nothing_stores_nothing_and_valid_only_stores_the_good(
    app_client: TestClient, author: dict[str, str]
) -> None:
    broken = {"items": [NATIVE["items"][0], {"id": "BAD", "kind": "single_choice", "stem": "x", "options": []}]}
    rejected = upload(app_client, author, "mixed.json", json.dumps(broken).encode())
    assert rejected.status_code == 422  # type: ignore[attr-defined]
    error = rejected.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "import_rejected"
    assert [e["item"] for e in error["details"]["errors"]] == ["BAD"]
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == []
    partial = upload(app_client, author, "mixed.json", json.dumps(broken).encode(), mode="valid_only")
    assert partial.status_code == 201  # type: ignore[attr-defined]
    body = partial.json()  # type: ignore[attr-defined]
    assert len(body["imported"]) == 1 and [e["item"] for e in body["errors"]] == ["BAD"]


def test_unrecognised_and_hostile_files_are_refused(app_client: TestClient, author: dict[str, str]) -> None:
    assert upload(app_client, author, "notes.txt", b"just some words").status_code == 422  # type: ignore[attr-defined]
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b'<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x">&e;</assessmentItem>'
    )
    refused = upload(app_client, author, "item.xml", xxe)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "root:" not in refused.text  # type: ignore[attr-defined]
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == []


def test_versions_workflow_and_separation_of_duties(
    app_client: TestClient, author: dict[str, str], reviewer: dict[str, str]
) -> None:
    item_id = import_native(app_client, author)[0]["item_id"]
    base = f"/api/v1/items/{item_id}/versions"

    def move(version: int, to: str, who: dict[str, str]) -> Any:
        return app_client.post(f"{base}/{version}/transition", json={"to": to, "comment": "checked"}, headers=who)

    bad_move = move(1, "approved", author)
    assert bad_move.status_code == 409 and "can move to retired, review" in bad_move.json()["error"]["message"]
    assert move(1, "review", author).status_code == 200
    own = move(1, "approved", author)
    assert own.status_code == 403 and own.json()["error"]["code"] == "separation_of_duties"
    assert move(1, "approved", reviewer).json()["status"] == "approved"

    new = app_client.post(base, json={"domain": "D3", "tags": ["geo", "europe"], "points": 2}, headers=author)
    assert new.status_code == 201 and new.json() == {"item_id": item_id, "version": 2}
    v2 = app_client.get(f"{base}/2", headers=author).json()
    assert (v2["status"], v2["domain"], v2["tags"], v2["max_score"]) == ("draft", "D3", ["geo", "europe"], 2.0)
    v1 = app_client.get(f"{base}/1", headers=author).json()
    assert (v1["status"], v1["domain"], v1["max_score"]) == ("approved", "D1", 1.0)  # pinned versions never change
    detail = app_client.get(f"/api/v1/items/{item_id}", headers=author).json()
    assert detail["latest_version"] == 2
    assert [(h["version"], h["from_status"], h["to_status"]) for h in detail["history"]] == [
        (1, None, "draft"),
        (1, "draft", "review"),
        (1, "review", "approved"),
        (2, None, "draft"),
    ]
    assert app_client.post(base, json={"colour": "red"}, headers=author).status_code == 422


def test_scoring_preview(app_client: TestClient, author: dict[str, str]) -> None:
    choice_id, numeric_id = (i["item_id"] for i in import_native(app_client, author))

    def score(item: object, body: dict[str, object]) -> Any:
        return app_client.post(f"/api/v1/items/{item}/versions/1/score", json=body, headers=author)

    assert score(choice_id, {"response": "A"}).json()["score"] == 1.0
    assert score(choice_id, {"response": "B"}).json()["score"] == 0.0
    assert score(numeric_id, {"response": "4"}).json() | {"outcomes": None} == {
        "score": 2.0,
        "max_score": 2.0,
        "outcomes": None,
        "pending": False,
    }
    assert score(numeric_id, {"responses": {"RESPONSE": 4}}).json()["score"] == 2.0
    unknown = score(numeric_id, {"responses": {"NOPE": 4}})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_response"


def test_export_imports_back_with_the_same_keys_and_scores(app_client: TestClient, author: dict[str, str]) -> None:
    import_native(app_client, author)
    exported = app_client.get("/api/v1/items/export?format=qti3", headers=author)
    assert exported.status_code == 200 and exported.headers["content-type"] == "application/zip"
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(exported.content)).namelist()
    again = upload(app_client, author, "export.zip", exported.content)
    assert again.status_code == 201  # type: ignore[attr-defined]
    codes = [i["item_id"] for i in again.json()["imported"]]  # type: ignore[attr-defined]
    assert len(codes) == 2
    for original, copy in zip(app_client.get("/api/v1/items", headers=author).json()["items"][:2], codes, strict=True):
        a = app_client.get(f"/api/v1/items/{original['item_id']}/versions/1", headers=author).json()["content"]
        b = app_client.get(f"/api/v1/items/{copy}/versions/1", headers=author).json()["content"]
        assert a["responses"] == b["responses"] and a["stem"] == b["stem"]
    choice_copy = codes[0]
    result = app_client.post(
        f"/api/v1/items/{choice_copy}/versions/1/score", json={"response": "A"}, headers=author
    ).json()
    assert result["score"] == 1.0


def test_candidates_cannot_reach_the_bank(
    app_client: TestClient, author: dict[str, str], make_user: Callable[..., Any]
) -> None:
    item_id = import_native(app_client, author)[0]["item_id"]
    make_user("cara@example.org", "candidate")
    candidate = bearer(app_client, "cara@example.org")
    assert app_client.get(f"/api/v1/items/{item_id}/versions/1", headers=candidate).status_code == 403
    assert app_client.get("/api/v1/items", headers=candidate).status_code == 403


def test_separation_of_duties_can_be_switched_off(
    settings: Any, author: dict[str, str], make_user: Callable[..., Any]
) -> None:
    from dataclasses import replace

    from examengine.app import create_app

    with TestClient(create_app(replace(settings, separation_of_duties=False))) as client:
        item_id = import_native(client, author)[0]["item_id"]
        base = f"/api/v1/items/{item_id}/versions/1/transition"
        client.post(base, json={"to": "review"}, headers=author)
        assert client.post(base, json={"to": "approved"}, headers=author).json()["status"] == "approved"
