"""The structured item editor over HTTP: a new item per kind, editing as a new version, errors beside the fields,
the cleaner on what Trix (or anyone) posts, the live preview, and every demo item surviving a save unchanged."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.context import Services
from itembank import authoring
from tests.audit.test_actions import audit
from tests.security.test_author_html import QTI_ITEM
from tests.web.browsing import csrf_from
from tests.web.test_author_items import author as author
from tests.web.test_author_items import import_page, item_ids

DEMO = Path(__file__).resolve().parents[2] / "examengine" / "demo_items.yaml"


class _Form(HTMLParser):
    """The name/value pairs a browser submits from the form with id `form_id` (checked boxes, selected options)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside = form_id, False
        self.pairs: list[tuple[str, str]] = []
        self.text = ""
        self.textarea: str | None = None
        self.select: str | None = None
        self.first_option: str | None = None
        self.selected = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.pairs.append((a["name"], a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""
        elif tag == "select":
            self.select, self.first_option, self.selected = a["name"], None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a:
                self.pairs.append((self.select, a.get("value", "")))
                self.selected = True

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea is not None:
            self.pairs.append((self.textarea, self.text.removeprefix("\n")))  # as a browser's parser does
            self.textarea = None
        elif tag == "select" and self.select:
            if not self.selected:
                self.pairs.append((self.select, self.first_option or ""))
            self.select = None


def submitted(html: str, **changes: str) -> list[tuple[str, str]]:
    parser = _Form("item-editor")
    parser.feed(html)
    pairs = [(name, changes.pop(name) if name in changes else value) for name, value in parser.pairs]
    return pairs + list(changes.items())


def post(client: TestClient, path: str, pairs: list[tuple[str, str]]) -> Any:
    body = "&".join(f"{_q(k)}={_q(v)}" for k, v in pairs)
    headers = {"content-type": "application/x-www-form-urlencoded"}
    return client.post(path, content=body.encode(), headers=headers, follow_redirects=False)


def _q(text: str) -> str:
    return quote(text, safe="")


def test_every_demo_item_saved_unchanged_from_the_form_makes_an_identical_new_version(
    author: TestClient,
    services: Services,
) -> None:
    import_page(author, "demo.yaml", DEMO.read_bytes())
    ids = item_ids(author)
    assert len(ids) == 12
    for item_id in ids:
        page = author.get(f"/author/items/{item_id}/edit")
        assert page.status_code == 200
        saved = post(author, f"/author/items/{item_id}/edit", submitted(page.text, action="save"))
        assert saved.status_code == 303, saved.text[:3000]
        assert saved.headers["location"].endswith(f"/author/items/{item_id}?v=2")
        detail = services.db.call(authoring.get_item, item_id=item_id)
        first, second = detail.versions
        assert second.content.native == first.content.native, (first.content.native, second.content.native)
        assert (second.domain, second.tags, second.enemy_groups) == (first.domain, first.tags, first.enemy_groups)
        assert second.status.value == "draft" and first.status.value == "draft"
    saved = [subject for _, _, subject, _ in audit(services, AuditKind.ITEM_TRANSITION)]
    assert saved == [f"item:{item_id}/2" for item_id in ids]


def test_new_single_choice_item_is_created_as_a_draft(author: TestClient, services: Services) -> None:
    page = author.get("/author/items/new?kind=single_choice")
    assert page.status_code == 200 and "New item: Single choice" in page.text
    fields = submitted(
        page.text,
        title="Boiling point",
        stem="<div>At what temperature does water boil at sea level?</div>",
        **{"options-0-text": "100 °C", "options-1-text": "90 °C", "options-2-text": "50 °C"},
        correct="0",
        action="save",
    )
    fields.append(("options-1-feedback", "Too low: that is at altitude."))
    created = post(author, "/author/items/new", [(k, v) for k, v in fields if k != "options-1-feedback"] + [fields[-1]])
    assert created.status_code == 303, created.text[:2000]
    item_id = created.headers["location"].rsplit("/", 1)[1]
    native = services.db.call(authoring.get_item, item_id=item_id).latest.content.native
    assert native is not None
    assert native["id"] == "boiling-point" and native["kind"] == "single_choice"
    assert [(o["id"], o["text"], o.get("correct", False)) for o in native["options"]] == [
        ("A", "100 °C", True),
        ("B", "90 °C", False),
        ("C", "50 °C", False),
    ]
    assert native["options"][1]["feedback"] == "Too low: that is at altitude."
    recorded = audit(services, AuditKind.ITEM_TRANSITION)
    assert [(subject, detail["to"]) for _, _, subject, detail in recorded] == [(f"item:{item_id}/1", "draft")]


@pytest.mark.parametrize(
    ("kind", "changes", "field", "message"),
    [
        ("single_choice", {"options-0-text": "x", "options-1-text": "y"}, "options", "Mark exactly one option"),
        ("numeric", {"answer": "ten", "points": "2"}, "answer", "Enter a number"),
        ("numeric", {"answer": "10", "points": "-1"}, "points", "cannot be negative"),
        ("true_false", {}, "answer", "Choose whether the statement is true or false."),
        ("short_text", {}, "answers", "Give at least one accepted answer."),
        ("matching", {"pairs-0-left": "a", "pairs-0-right": "b"}, "pairs", "Give at least two pairs."),
        ("essay", {"word_limit": "2.5"}, "word_limit", "Enter a whole number"),
        ("inline_choice", {"stem": "No gap here", "gaps-0-id": "g"}, "stem", "Write each gap"),
    ],
)
def test_errors_are_shown_beside_their_field_and_what_was_typed_is_kept(
    author: TestClient,
    kind: str,
    changes: dict[str, str],
    field: str,
    message: str,
) -> None:
    page = author.get(f"/author/items/new?kind={kind}")
    answer = post(author, "/author/items/new", submitted(page.text, action="save", **changes))
    assert answer.status_code == 422
    assert f'id="{field}-error">' in answer.text and message in answer.text.split(f'id="{field}-error">')[1][:300]
    assert f'aria-describedby="{field}-error' in answer.text
    for name, value in changes.items():
        assert f'value="{value}"' in answer.text or f">\n{value}</textarea>" in answer.text, name
    assert item_ids(author) == []


def test_what_is_stored_went_through_the_one_cleaner(author: TestClient, services: Services) -> None:
    page = author.get("/author/items/new?kind=true_false")
    hostile = (
        '<div>Is fire hot?<script>alert(1)</script><img src="x" onerror="alert(2)" alt="flame">'
        '<a href="javascript:alert(3)">more</a><a href="https://example.org/fire">fire</a>'
        '<figure data-trix-attachment="{}" class="attachment"><img src="/media/'
        + "a" * 64
        + '" alt="a flame"></figure></div>'
    )
    created = post(
        author,
        "/author/items/new",
        submitted(page.text, stem=hostile, answer="true", rationale='<p onclick="x()">Yes</p>', action="save"),
    )
    assert created.status_code == 303
    item_id = created.headers["location"].rsplit("/", 1)[1]
    content = services.db.call(authoring.get_item, item_id=item_id).latest.content
    for stored in (content.stem, content.rationale):
        assert "<script" not in stored and "alert(1)" not in stored
        assert "onerror" not in stored and "onclick" not in stored and "javascript:" not in stored
        assert "data-trix" not in stored
    assert '<img src="x" alt="flame">' in content.stem and 'href="https://example.org/fire"' in content.stem
    assert f'<img src="/media/{"a" * 64}" alt="a flame">' in content.stem
    shown = author.get(f"/author/items/{item_id}").text
    assert "alert(" not in shown and "onerror" not in shown


def test_the_preview_is_the_candidates_item_without_the_key(author: TestClient) -> None:
    page = author.get("/author/items/new?kind=single_choice")
    fields = submitted(
        page.text, stem="<div>Pick one</div>", correct="1", **{"options-0-text": "Red", "options-1-text": "Blue"}
    )
    preview = post(author, "/author/editor/preview", fields)
    assert preview.status_code == 200
    assert 'name="preview.RESPONSE" value="B"' in preview.text and "Blue" in preview.text
    assert "<form" not in preview.text and "correct" not in preview.text.lower()
    unfinished = post(author, "/author/editor/preview", submitted(page.text))
    assert unfinished.status_code == 200 and "Give at least two options." in unfinished.text


def test_an_image_from_the_library_is_added_to_the_question_without_javascript(author: TestClient) -> None:
    page = author.get("/author/items/new?kind=essay")
    url = "/media/" + "b" * 64
    added = post(
        author, "/author/items/new", submitted(page.text, image=url, image_alt="A ladder", action="insert_image")
    )
    assert added.status_code == 200
    assert f"&lt;img src=&#34;{url}&#34; alt=&#34;A ladder&#34;&gt;" in added.text  # kept in the question's field
    refused = post(author, "/author/items/new", submitted(page.text, image="javascript:x", action="insert_image"))
    assert refused.status_code == 422 and "Choose an image from the list." in refused.text


def test_a_stale_form_does_not_undo_a_newer_version(author: TestClient) -> None:
    import_page(author, "demo.yaml", DEMO.read_bytes())
    item_id = item_ids(author)[0]
    stale = author.get(f"/author/items/{item_id}/edit").text
    assert post(author, f"/author/items/{item_id}/edit", submitted(stale, action="save")).status_code == 303
    again = post(author, f"/author/items/{item_id}/edit", submitted(stale, title="Mine", action="save"))
    assert again.status_code == 409 and "Version 2 was saved after you opened version 1" in again.text
    assert 'value="Mine"' in again.text
    assert post(author, f"/author/items/{item_id}/edit", submitted(again.text, action="save")).status_code == 303


def test_bad_requests_get_a_clear_refusal(author: TestClient) -> None:
    token = csrf_from(author.get("/author/items/new"))
    assert post(author, "/author/items/new", [("csrf_token", token), ("kind", "nonsense")]).status_code == 422
    assert (
        post(author, "/author/items/new", [("csrf_token", token), ("kind", "essay"), ("stem", "a\x00b")]).status_code
        == 422
    )
    assert author.get("/author/items/new?kind=nonsense").status_code == 200  # the list of kinds
    assert author.get("/author/items/" + "0" * 32 + "/edit").status_code == 404


def test_enter_in_a_field_previews_instead_of_refusing_an_image(author: TestClient) -> None:
    page = author.get("/author/items/new?kind=numeric")
    # a browser's implicit submission sends the first submit button: "Add the image to the question"
    answer = post(author, "/author/items/new", submitted(page.text, title="Speed", action="insert_image"))
    assert answer.status_code == 422  # the item is unfinished: its problems are listed, nothing about images
    assert 'id="image-error"' not in answer.text and 'value="Speed"' in answer.text
    assert item_ids(author) == []


def test_an_item_imported_as_qti_is_sent_to_the_advanced_editor(author: TestClient) -> None:
    imported = import_page(author, "item.xml", QTI_ITEM.encode())
    assert imported.status_code == 200  # type: ignore[attr-defined]
    item_id = item_ids(author)[0]
    page = author.get(f"/author/items/{item_id}/edit")
    assert page.status_code == 409 and "Advanced (YAML)" in page.text
    assert "Edit in the form" not in author.get(f"/author/items/{item_id}").text
