"""What an import of QTI items from other engines reports, through the API and the import page alike: a padded
string key is a warning beside the imported item, processing that can never run is a refusal with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from tests.api.test_items_api import bearer, upload
from tests.conftest import TEST_PASSWORD
from tests.itembank.test_qti_fidelity import CUSTOM_MAP, MATCH_CORRECT, QTI3_TEXT_ENTRY, SINGLE, item
from tests.web.browsing import log_in
from tests.web.test_author_items import import_page


def test_the_api_report_and_the_page_show_the_padded_key_warning(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    make_user("qti@example.org", "author")
    imported = upload(app_client, bearer(app_client, "qti@example.org"), "capital.xml", QTI3_TEXT_ENTRY.encode())
    assert imported.status_code == 201  # type: ignore[attr-defined]
    report = imported.json()  # type: ignore[attr-defined]
    assert len(report["imported"]) == 1
    assert [w["item"] for w in report["warnings"]] == ["capital"]
    assert "has whitespace around it" in report["warnings"][0]["message"]
    log_in(app_client, "qti@example.org", TEST_PASSWORD)
    page = import_page(app_client, "capital.xml", QTI3_TEXT_ENTRY.encode())
    text = page.text.replace("&#39;", "'")  # type: ignore[attr-defined]
    assert "Imported 1 item as drafts." in text and "Warnings:" in text
    assert "item capital: the correct response" in text and "will not match it" in text


def test_processing_that_can_never_run_is_refused_with_the_reason_and_nothing_stored(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    make_user("qti2@example.org", "author")
    author = bearer(app_client, "qti2@example.org")
    refused = upload(app_client, author, "held-out.xml", item(SINGLE, CUSTOM_MAP))
    assert refused.status_code == 422  # type: ignore[attr-defined]
    messages = [e["message"] for e in refused.json()["error"]["details"]["errors"]]  # type: ignore[attr-defined]
    assert any("which has no <mapping>, so it would fail at every answer" in m for m in messages), messages
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == []


def test_an_edited_content_whose_processing_cannot_run_is_refused(
    app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    make_user("qti3@example.org", "author")
    author = bearer(app_client, "qti3@example.org")
    imported = upload(app_client, author, "ok.xml", item(SINGLE, MATCH_CORRECT))
    item_id = imported.json()["imported"][0]["item_id"]  # type: ignore[attr-defined]
    content = app_client.get(f"/api/v1/items/{item_id}/versions/1", headers=author).json()["content"]
    mapped = {"name": "mapResponse", "attrs": {"identifier": "RESPONSE"}}
    content["response_processing"] = {
        "rules": [{"name": "setOutcomeValue", "attrs": {"identifier": "SCORE"}, "children": [mapped]}]
    }
    refused = app_client.post(f"/api/v1/items/{item_id}/versions", json={"content": content}, headers=author)
    assert refused.status_code == 422 and "has no <mapping>" in refused.json()["error"]["message"]
    assert app_client.get(f"/api/v1/items/{item_id}", headers=author).json()["latest_version"] == 1
