"""Helpers for the blueprint editor tests: read a rendered form back as a browser would submit it."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from starlette.testclient import TestClient

from tests.api.test_exams_api import approved_bank, bearer, native_items
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in


class _FormFields(HTMLParser):
    """The fields of the form with id `blueprint-editor` that a browser submits, without pressing any button."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id, self.inside = form_id, False
        self.fields: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or "name" not in a:
            if tag == "option" and self.select is not None and "selected" in a:
                self.fields[self.select] = a.get("value", "")
            return
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                self.fields[a["name"]] = a.get("value", "on")
        elif tag == "input":
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self.select = a["name"]
            self.fields.setdefault(a["name"], "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.fields[a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.fields[self.textarea] += data.removeprefix("\n") if not self.fields[self.textarea] else data


def form_fields(html: str, form_id: str = "blueprint-editor") -> dict[str, str]:
    parser = _FormFields(form_id)
    parser.feed(html)
    return parser.fields


def admin_with_bank(app_client: TestClient, make_user: Any) -> dict[str, Any]:
    """An admin signed in to the pages, an author, a candidate, and an approved bank: D1 x4 (D1-1 and D1-3 tagged
    calc), D2 x1; plus one D1 item left in draft."""
    users = {
        name: make_user(f"{name}@example.org", role)
        for name, role in (("admin", "admin"), ("author", "author"), ("cara", "candidate"), ("dan", "candidate"))
    }
    people = {"users": users, "headers": {n: bearer(app_client, u.email) for n, u in users.items()}}
    ids = approved_bank(app_client, people, native_items("D1", 4) + native_items("D2", 1))
    draft = native_items("D1", 5)[4:]
    imported = app_client.post(
        "/api/v1/items/import",
        headers=people["headers"]["author"],
        files={"file": ("draft.json", json.dumps({"items": draft}).encode())},
    )
    assert imported.status_code == 201, imported.text
    client = TestClient(app_client.app)
    log_in(client, "admin@example.org", TEST_PASSWORD)
    return {"client": client, "item_ids": ids, "draft_id": imported.json()["imported"][0]["item_id"], **people}
