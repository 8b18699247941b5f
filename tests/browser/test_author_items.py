"""An author works the item bank in Chromium: filter, open, try the key, edit, send to review; an admin approves."""

from __future__ import annotations

import json

from playwright.sync_api import FilePayload, Page, expect

from tests.browser.test_admin_users import sign_in


def test_author_filters_tries_the_key_edits_and_gets_approval(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "author@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Item bank").click()
    results = page.locator("#item-results")
    expect(results.get_by_role("row")).to_have_count(13)  # the demo bank: 12 items and the header
    page.get_by_label("Domain").fill("D2")
    expect(results.get_by_role("row")).to_have_count(5)  # htmx swapped the rows in without a reload
    page.get_by_label("Text").fill("noise")
    expect(results.get_by_role("row")).to_have_count(2)
    results.get_by_role("link", name="ITM-000007").click()

    expect(page.get_by_role("heading", name="ITM-000007: Noise exposure")).to_be_visible()
    page.get_by_label("Response").fill("80")
    page.get_by_role("button", name="Score it").click()
    expect(page.locator("#score-result")).to_have_text("Score 1.0 of 1.0.")
    page.get_by_label("Response").fill("85")
    page.get_by_role("button", name="Score it").click()
    expect(page.locator("#score-result")).to_have_text("Score 0.0 of 1.0.")

    source = page.get_by_label("Item (native YAML)")
    source.fill(source.input_value().replace("points: 1.0", "points: 2.0").replace("dB(A)", "decibels"))
    page.get_by_role("button", name="Preview as the candidate sees it").click()
    expect(page.get_by_role("heading", name="Preview (not saved)")).to_be_visible()
    expect(page.locator("#live-preview")).to_contain_text("decibels")
    page.get_by_role("button", name="Save new version").click()
    expect(page.get_by_text("Version 2 of 2")).to_be_visible()
    page.get_by_role("button", name="Send to review").click()
    expect(page.get_by_text("Version 2 of 2 — review")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)  # never offered to who wrote it
    expect(page.get_by_text("You wrote content of this version: another reviewer approves it.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server}/author/review")
    page.get_by_role("link", name="ITM-000007").click()
    page.get_by_label("Comment").fill("Checked against the regulations.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Version 2 of 2 — approved")).to_be_visible()
    expect(page.get_by_role("cell", name="Checked against the regulations.")).to_be_visible()


def test_author_imports_a_file_and_sees_the_report(live_server: str, page: Page) -> None:
    sign_in(page, live_server, "author@example.org")
    page.goto(f"{live_server}/author/items/import")
    bad = {"items": [{"id": "x", "kind": "numeric", "stem": "<p>1+1?</p>"}]}
    page.get_by_label("File").set_input_files(
        files=[FilePayload(name="bad.json", mimeType="application/json", buffer=json.dumps(bad).encode())]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing was imported")
    good = {"items": [{"id": "y", "kind": "numeric", "stem": "<p>1+1?</p>", "answer": 2}]}
    page.get_by_label("File").set_input_files(
        files=[FilePayload(name="good.json", mimeType="application/json", buffer=json.dumps(good).encode())]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 1 item as drafts.")


def test_author_uploads_an_image(live_server: str, page: Page) -> None:
    from tests.web.test_author_items import PNG_1x1

    sign_in(page, live_server, "author@example.org")
    page.goto(f"{live_server}/author/items")
    page.get_by_role("link", name="Images").click()
    page.get_by_label("Image file").set_input_files(
        files=[FilePayload(name="dot.png", mimeType="image/png", buffer=PNG_1x1)]
    )
    page.get_by_role("button", name="Upload image").click()
    expect(page.get_by_role("status")).to_contain_text("Stored. Its address is /media/")
    expect(page.get_by_role("img", name="dot.png")).to_be_visible()


def test_a_hostile_rationale_sends_no_request_from_the_item_page(live_server: str, page: Page) -> None:
    # the probe's payload: htmx would POST as the viewer on load; scripts and handlers would run on their own
    hostile = (
        '<p data-hx-post="/api/v1/items/import" data-hx-trigger="load" hx-trigger="load" '
        "onmouseover=\"fetch('/x')\">Why"
        '<svg onload="fetch(\'/y\')"></svg><script>fetch("/z")</script></p>'
    )
    item = {"id": "h", "kind": "numeric", "stem": f"<p>1+1?</p>{hostile}", "answer": 2, "rationale": hostile}
    sign_in(page, live_server, "author@example.org")
    page.goto(f"{live_server}/author/items/import")
    page.get_by_label("File").set_input_files(
        files=[FilePayload(name="h.json", mimeType="application/json", buffer=json.dumps({"items": [item]}).encode())]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("Imported 1 item as drafts.")
    item_page = page.locator("main a[href^='/author/items/']").filter(has_text="ITM-").last.get_attribute("href")
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.method} {request.url}"))
    page.goto(f"{live_server}{item_page}")
    expect(page.get_by_role("heading", name="Rationale (never shown during an attempt)")).to_be_visible()
    page.mouse.move(5, 5)
    page.get_by_text("Why").first.hover()
    page.wait_for_timeout(1000)
    assert [s for s in sent if s != f"GET {live_server}{item_page}" and "/static/" not in s] == [], sent
