"""Author pages: list and filters, import report, item page with preview, scoring, review and editing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_items_api import NATIVE
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in, post_form


@pytest.fixture
def author(app_client: TestClient, make_user: Callable[..., Any]) -> TestClient:
    make_user("author@example.org", "author")
    log_in(app_client, "author@example.org", TEST_PASSWORD)
    return app_client


def import_page(client: TestClient, name: str, data: bytes, mode: str = "all_or_nothing") -> object:
    token = csrf_from(client.get("/author/items/import"))
    return client.post("/author/items/import", data={"csrf_token": token, "mode": mode}, files={"file": (name, data)})


def item_ids(client: TestClient) -> list[str]:
    page = client.get("/author/items").text
    return sorted(
        {
            part.split('"')[0]
            for part in page.split('href="/author/items/')[1:]
            if part[:32].isalnum() and len(part.split('"')[0]) == 32
        }
    )


def test_import_report_lists_problems_and_nothing_is_stored(author: TestClient) -> None:
    broken = {"items": [NATIVE["items"][0], {"id": "BAD", "kind": "numeric", "stem": "x"}]}
    response = import_page(author, "mixed.json", json.dumps(broken).encode())
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "nothing was imported" in response.text and "item BAD" in response.text  # type: ignore[attr-defined]
    assert item_ids(author) == []
    done = import_page(author, "bank.json", json.dumps(NATIVE).encode())
    assert done.status_code == 200 and "Imported 2 items as drafts." in done.text  # type: ignore[attr-defined]
    assert len(item_ids(author)) == 2


def test_item_page_previews_scores_reviews_and_edits(author: TestClient, make_user: Callable[..., Any]) -> None:
    import_page(author, "bank.json", json.dumps(NATIVE).encode())
    choice = next(i for i in item_ids(author) if "Capital" in author.get(f"/author/items/{i}").text)
    page = author.get(f"/author/items/{choice}")
    assert "The capital of France?" in page.text and "Paris" in page.text
    scored = author.post(
        f"/author/items/{choice}/versions/1/score",
        data={"response": "A", "csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    assert scored.status_code == 200 and "Score 1.0 of 1.0." in scored.text and "<html" not in scored.text
    wrong = author.post(
        f"/author/items/{choice}/versions/1/score",
        data={"response": '["A"', "csrf_token": csrf_from(page)},
        headers={"HX-Request": "true"},
    )
    assert wrong.status_code == 422 and "Not valid JSON" in wrong.text

    to_review = post_form(
        author, f"/author/items/{choice}/versions/1/transition", {"to": "review"}, from_page=f"/author/items/{choice}"
    )
    assert to_review.status_code == 303
    own = post_form(
        author, f"/author/items/{choice}/versions/1/transition", {"to": "approved"}, from_page=f"/author/items/{choice}"
    )
    assert own.status_code == 403 and "another reviewer" in own.text
    assert "Capital" in author.get("/author/review").text

    edited = author.get(f"/author/items/{choice}").text
    assert "kind: single_choice" in edited
    source = (
        "id: CAP-1\nkind: single_choice\ntitle: Capital city\nstem: <p>The capital of Italy?</p>\n"
        "options:\n- {id: A, text: Rome, correct: true}\n- {id: B, text: Milan}\n"
    )
    saved = post_form(
        author,
        f"/author/items/{choice}/versions",
        {"kind": "native", "source": source},
        from_page=f"/author/items/{choice}",
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith("?v=2")
    v2 = author.get(saved.headers["location"]).text
    assert "Rome" in v2 and "Version 2 of 2" in v2
    assert "Changes from version 1" in v2
    assert "<del>- stem: &lt;p&gt;The capital of France?&lt;/p&gt;</del>" in v2
    assert "<ins>+ stem: &lt;p&gt;The capital of Italy?&lt;/p&gt;</ins>" in v2
    preview = author.post(
        f"/author/items/{choice}/preview",
        headers={"HX-Request": "true"},
        data={
            "kind": "native",
            "source": source.replace("Italy", "Spain"),
            "csrf_token": csrf_from(author.get(f"/author/items/{choice}")),
        },
    )
    assert preview.status_code == 200 and "capital of Spain" in preview.text and "<html" not in preview.text
    assert "Spain" not in author.get(f"/author/items/{choice}").text  # a preview saves nothing
    broken = author.post(
        f"/author/items/{choice}/preview",
        headers={"HX-Request": "true"},
        data={
            "kind": "native",
            "source": "id: x\nkind: numeric\nstem: s\n",
            "csrf_token": csrf_from(author.get(f"/author/items/{choice}")),
        },
    )
    assert broken.status_code == 422 and "not valid" in broken.text
    bad = post_form(
        author,
        f"/author/items/{choice}/versions",
        {"kind": "native", "source": "id: [unclosed"},
        from_page=f"/author/items/{choice}",
    )
    assert bad.status_code == 422 and "not valid YAML" in bad.text


def test_filters_and_htmx_fragment(author: TestClient) -> None:
    import_page(author, "bank.json", json.dumps(NATIVE).encode())
    fragment = author.get("/author/items?tag=calc", headers={"HX-Request": "true", "HX-Target": "item-results"})
    assert "<html" not in fragment.text and "Sum" in fragment.text and "Capital" not in fragment.text
    assert "Capital" in author.get("/author/items?q=france").text
    assert "No items match." in author.get("/author/items?status=approved").text
    assert "Capital" in author.get("/author/items?mine=1").text


def test_only_my_items(author: TestClient, make_user: Callable[..., Any]) -> None:
    import_page(author, "bank.json", json.dumps(NATIVE).encode())
    make_user("other@example.org", "author")
    other = TestClient(author.app)
    log_in(other, "other@example.org", TEST_PASSWORD)
    assert "Capital" in other.get("/author/items").text
    assert "No items match." in other.get("/author/items?mine=1").text


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def test_images_are_stored_once_by_content_and_scripts_are_refused(author: TestClient) -> None:
    token = csrf_from(author.get("/author/media"))
    stored = author.post("/author/media", data={"csrf_token": token}, files={"file": ("dot.png", PNG_1x1, "image/png")})
    assert stored.status_code == 200 and "Stored. Its address is" in stored.text
    url = re.search(r"<code>(/media/[0-9a-f]{64})</code>", stored.text).group(1)  # type: ignore[union-attr]
    served = author.get(url)
    assert served.status_code == 200 and served.content == PNG_1x1 and served.headers["content-type"] == "image/png"
    assert "sandbox" in served.headers["content-security-policy"]
    again = author.post("/author/media", data={"csrf_token": token}, files={"file": ("copy.png", PNG_1x1, "image/png")})
    assert url in again.text and again.text.count(url) >= 2  # same bytes, same address
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    refused = author.post("/author/media", data={"csrf_token": token}, files={"file": ("x.png", svg, "image/png")})
    assert refused.status_code == 422 and "not a PNG, JPEG, GIF or WebP image" in refused.text
