"""YAML typed into the item editor and the blueprint page is read as imports read it: a billion-laughs document
(nested aliases) or one nested thousands deep is refused with a clear 422, never expanded or crashed on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.context import Services
from itembank.authoring import get_item
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in, post_form
from tests.web.test_author_items import import_page, item_ids

LAUGHS = "kind: essay\nstem: x\na: &a [l,l,l,l,l,l,l,l,l]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)
DEEP = "kind: essay\nstem: " + "[" * 5_000 + "]" * 5_000 + "\n"
SOURCES = [(LAUGHS, "aliases"), (DEEP, "nested too deeply")]


@pytest.fixture
def editor(app_client: TestClient, make_user: Callable[..., Any]) -> tuple[TestClient, str]:
    make_user("author@example.org", "author")
    assert log_in(app_client, "author@example.org", TEST_PASSWORD).status_code == 303
    native = b'[{"id": "q1", "kind": "essay", "stem": "Why?"}]'
    import_page(app_client, "q.json", native)
    return app_client, item_ids(app_client)[0]


@pytest.mark.parametrize(("source", "message"), SOURCES)
def test_the_item_editor_refuses_alias_bombs_and_deep_nesting(
    editor: tuple[TestClient, str], services: Services, source: str, message: str
) -> None:
    client, item_id = editor
    page = f"/author/items/{item_id}"
    for path in (f"{page}/versions", f"{page}/preview"):
        for kind in ("native", "content"):
            refused = post_form(client, path, {"source": source, "kind": kind}, from_page=page)
            assert refused.status_code == 422 and message in refused.text, (path, kind)
    assert services.db.call(get_item, item_id=item_id, write=False).latest.version == 1


@pytest.mark.parametrize(("source", "message"), SOURCES)
def test_the_blueprint_page_refuses_alias_bombs_and_deep_nesting(
    app_client: TestClient, make_user: Callable[..., Any], source: str, message: str
) -> None:
    make_user("admin@example.org", "admin")
    assert log_in(app_client, "admin@example.org", TEST_PASSWORD).status_code == 303
    refused = post_form(app_client, "/admin/exams", {"source": source}, from_page="/admin/exams/new")
    assert refused.status_code == 422 and message in refused.text
