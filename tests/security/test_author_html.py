"""Author HTML is untrusted: it is cleaned where a version is stored, whichever door it came by (every import
format, the API's versions route with native or raw content, the editor in either mode), and shown on the
author's item page without anything htmx or the browser would act on. Media of other types is refused."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

# The probe's payload: htmx would POST to the admin API on load with the viewer's CSRF header.
HOSTILE = (
    '<p data-hx-post="/api/v1/users" hx-trigger="load" data-hx-trigger="load" hx-vals=\'{"role": "admin"}\' id="main" '
    'onclick="steal()" style="position:fixed">Why<a href="javascript:alert(1)">see</a>'
    '<form action="/logout"><button formaction="/x" name="go">b</button></form>'
    '<img src="data:image/svg+xml;base64,PHN2Zz4=" onerror="x()"><script>alert(2)</script></p>'
)
QTI_HEAD = '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="hq" title="Hostile">'
QTI_ITEM = f"""<?xml version="1.0"?>{QTI_HEAD}
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>A</value></correctResponse></responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <outcomeDeclaration identifier="FEEDBACK" cardinality="single" baseType="identifier"/>
  <itemBody><p data-hx-get="/api/v1/users" hx-trigger="load">Stem</p>
    <rubricBlock view="scorer"><p hx-post="/x" hx-trigger="load">Rubric</p></rubricBlock>
    <choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
      <prompt><span data-hx-post="/x" hx-trigger="load">Prompt</span></prompt>
      <simpleChoice identifier="A"><span hx-get="/x" onmouseover="y()" id="A1">A</span></simpleChoice>
      <simpleChoice identifier="B">B</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
  <modalFeedback outcomeIdentifier="FEEDBACK" identifier="A" showHide="show"><p data-hx-post="/x">F</p></modalFeedback>
</assessmentItem>"""
ACTIVE_ATTRIBUTE_PREFIXES = ("on", "hx-", "data-hx", "style", "id", "name", "form")
FORBIDDEN_TAGS = {"script", "form", "button", "input", "iframe", "object", "embed", "base", "meta", "link", "svg"}


class _Active(HTMLParser):
    """Every active thing in a piece of markup: forbidden elements, attributes and URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith(ACTIVE_ATTRIBUTE_PREFIXES) and name != "hx-disable":
                self.found.append(name)
            if value and value.strip().lower().startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{name}={value}")


def active_in(markup: str) -> list[str]:
    parser = _Active()
    parser.feed(markup)
    parser.close()
    return parser.found


def strings(tree: Any) -> Iterator[str]:
    if isinstance(tree, str):
        yield tree
    elif isinstance(tree, dict):
        for value in tree.values():  # the native authoring form too: the editors show it again
            yield from strings(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from strings(value)


def assert_clean(content: dict[str, Any]) -> None:
    for text in strings(content):
        assert active_in(text) == [], text


def bearer(client: TestClient, email: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def author(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, str]:
    make_user("author@example.org", "author")
    return bearer(app_client, "author@example.org")


def native_item(**fields: Any) -> dict[str, Any]:
    return {
        "id": "h1",
        "kind": "single_choice",
        "stem": HOSTILE,
        "options": [{"id": "A", "text": HOSTILE, "correct": True}, {"id": "B", "text": "b"}],
        "rationale": HOSTILE,
        **fields,
    }


def upload(client: TestClient, headers: dict[str, str], name: str, data: bytes) -> Any:
    return client.post("/api/v1/items/import", headers=headers, files={"file": (name, data)})


def content_of(client: TestClient, headers: dict[str, str], item_id: str, version: int = 1) -> dict[str, Any]:
    found = client.get(f"/api/v1/items/{item_id}/versions/{version}", headers=headers)
    assert found.status_code == 200, found.text
    return dict(found.json()["content"])


def manifest(*hrefs: str) -> bytes:
    files = "".join(f'<file href="{h}"/>' for h in hrefs)
    return (
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources>'
        f'<resource identifier="r1" type="imsqti_item_xmlv2p1" href="item.xml">{files}</resource>'
        "</resources></manifest>"
    ).encode()


def package(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest("item.xml", *extra))
        archive.writestr("item.xml", QTI_ITEM)
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


QUOTED = HOSTILE.replace('"', '""')
GIFT_HOSTILE = re.sub(r"([{}=~#:])", r"\\\1", HOSTILE)
FILES: dict[str, tuple[str, bytes]] = {
    "native JSON": ("bank.json", json.dumps({"items": [native_item()]}).encode()),
    "native YAML": ("bank.yaml", json.dumps({"items": [native_item()]}).encode()),
    "QTI XML": ("item.xml", QTI_ITEM.encode()),
    "QTI package": ("package.zip", package({})),
    # GIFT's own characters escaped, so that the whole of HOSTILE is the question (unescaped, GIFT reads its
    # `{"role": ...}` as the answers, and the text kept only in the uncleaned native form, which is now cleaned too)
    "GIFT": ("q.gift", f"::h1::[html]{GIFT_HOSTILE} {{=right#{GIFT_HOSTILE} ~wrong}}\n".encode()),
    "CSV": ("q.csv", ("id,stem,A,B,answer,rationale\n" + f'h1,"{QUOTED}","{QUOTED}",b,A,"{QUOTED}"\n').encode()),
}


@pytest.mark.parametrize("kind", FILES)
def test_every_import_format_stores_clean_markup(app_client: TestClient, author: dict[str, str], kind: str) -> None:
    name, data = FILES[kind]
    imported = upload(app_client, author, name, data)
    assert imported.status_code == 201, imported.text
    for ref in imported.json()["imported"]:
        content = content_of(app_client, author, ref["item_id"])
        assert_clean(content)
        assert "Why" in json.dumps(content) or "Stem" in json.dumps(content), "the text itself is kept"


def test_aiken_stores_clean_markup(app_client: TestClient, author: dict[str, str]) -> None:
    aiken = f"Question {HOSTILE}\nA. {HOSTILE}\nB. b\nANSWER: A\n".encode()
    imported = upload(app_client, author, "q.txt", aiken)
    assert imported.status_code == 201, imported.text
    assert_clean(content_of(app_client, author, imported.json()["imported"][0]["item_id"]))


def test_a_qti_item_keeps_its_rubric_feedback_and_prompt_text_without_the_attributes(
    app_client: TestClient, author: dict[str, str]
) -> None:
    imported = upload(app_client, author, "item.xml", QTI_ITEM.encode())
    content = content_of(app_client, author, imported.json()["imported"][0]["item_id"])
    assert_clean(content)
    assert "Rubric" in content["rubrics"][0]["html"] and "F" in content["feedback"][0]["html"]
    assert '<div data-interaction="RESPONSE"></div>' in content["stem"], "the placeholder the renderer needs stays"


def test_the_versions_route_cleans_raw_content_and_native_items(app_client: TestClient, author: dict[str, str]) -> None:
    item_id = upload(app_client, author, "item.xml", QTI_ITEM.encode()).json()["imported"][0]["item_id"]
    raw = content_of(app_client, author, item_id)
    raw["stem"] = HOSTILE + '<div data-interaction="RESPONSE"></div>'
    raw["rationale"] = HOSTILE
    raw["rubrics"] = [{"view": ["scorer"], "html": HOSTILE}]
    raw["feedback"] = [{"kind": "modal", "outcome_identifier": "FEEDBACK", "identifier": "A", "html": HOSTILE}]
    raw["interactions"][0]["prompt"] = HOSTILE
    raw["interactions"][0]["choices"][0]["html"] = HOSTILE
    base = f"/api/v1/items/{item_id}/versions"
    created = app_client.post(base, json={"content": raw}, headers=author)
    assert created.status_code == 201, created.text
    stored = content_of(app_client, author, item_id, 2)
    assert_clean(stored)
    assert "Why" in stored["rationale"] and "Why" in stored["rubrics"][0]["html"]
    native = app_client.post(base, json={"native": native_item()}, headers=author)
    assert native.status_code == 201, native.text
    assert_clean(content_of(app_client, author, item_id, 3))


@pytest.mark.parametrize("kind", ["content", "native"])
def test_the_editor_cleans_in_either_mode_and_the_item_page_shows_nothing_active(
    app_client: TestClient, author: dict[str, str], kind: str
) -> None:
    item_id = upload(app_client, author, "bank.json", json.dumps({"items": [native_item()]}).encode()).json()[
        "imported"
    ][0]["item_id"]
    source = native_item() if kind == "native" else {**content_of(app_client, author, item_id), "rationale": HOSTILE}
    page_client = TestClient(app_client.app)
    assert log_in(page_client, "author@example.org", TEST_PASSWORD).status_code == 303
    form = page_client.get(f"/author/items/{item_id}")
    saved = page_client.post(
        f"/author/items/{item_id}/versions",
        data={"csrf_token": csrf_from(form), "kind": kind, "source": json.dumps(source)},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert_clean(content_of(app_client, author, item_id, 2))
    page = page_client.get(f"/author/items/{item_id}?v=2")
    assert page.status_code == 200
    rationale = page.text.split('id="rationale-heading"', 1)[1].split("</section>", 1)[0]
    assert "Why" in rationale and active_in(rationale) == []
    preview = page.text.split('class="item-preview"', 1)[1].split("</section>", 1)[0]
    # the renderer's own controls carry ids and names; the author's markup none
    assert "Why" in preview and [f for f in active_in(preview) if f not in ("<input>", "id", "name")] == []
    assert 'id="main"' not in preview and 'name="go"' not in preview
    # the editor shows the source escaped as text; nowhere is any of it markup
    for needle in ('data-hx-post="', 'hx-trigger="load"', 'onclick="', 'href="javascript:', "<script>alert"):
        assert needle not in page.text


@pytest.mark.parametrize("name", ["evil.js", "page.html", "look.css", "pic.svg", "run.exe", "noext"])
def test_a_package_with_a_file_that_is_no_media_is_refused_naming_it(
    app_client: TestClient, author: dict[str, str], name: str
) -> None:
    refused = upload(app_client, author, "package.zip", package({name: b"fetch('/api/v1/users')"}))
    assert refused.status_code == 422, refused.text
    error = refused.json()["error"]
    assert error["code"] == "unsupported_media" and name in error["message"]
    assert app_client.get("/api/v1/items", headers=author).json()["items"] == [], "nothing was stored"


def test_a_package_with_allowed_media_imports(app_client: TestClient, author: dict[str, str]) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    imported = upload(app_client, author, "package.zip", package({"media/a.png": png, "schema.xsd": b"<x/>"}))
    assert imported.status_code == 201, imported.text
