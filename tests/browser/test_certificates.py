"""Certificates in Chromium: a candidate passes and opens the certificate with its QR code; anyone verifies it
without signing in; an admin revokes it with a reason; verification then says it is revoked.

The passing exam is built through the public API on the demo server: one approved single-choice item, a 50 %
cut, results released at once, and a sitting with candidate2 enrolled.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

import httpx2
from playwright.sync_api import Page, expect

from tests.browser.test_admin_users import sign_in

DEMO_PASSWORD = "examengine-demo"


def fire_exit_item(item_id: str) -> dict[str, object]:
    """A one-option-right item about fire exits, imported under its own id by each test that needs one."""
    return {
        "id": item_id,
        "kind": "single_choice",
        "stem": "<p>Which sign means a fire exit?</p>",
        "options": [
            {"id": "A", "text": "A green running figure", "correct": True},
            {"id": "B", "text": "A red circle"},
        ],
        "metadata": {"domain": "D1"},
    }


ITEM = fire_exit_item("CERT-Q1")


def api_headers(base: str, email: str) -> dict[str, str]:
    response = httpx2.post(f"{base}/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def approved_item(base: str, item: Mapping[str, object]) -> str:
    """Import `item` as the demo author and take version 1 through review to approved (by the demo admin)."""
    author, admin = api_headers(base, "author@example.org"), api_headers(base, "admin@example.org")
    bank = json.dumps({"items": [item]}).encode()
    imported = httpx2.post(f"{base}/api/v1/items/import", headers=author, files={"file": ("bank.json", bank)})
    assert imported.status_code == 201, imported.text
    item_id: str = imported.json()["imported"][0]["item_id"]
    for to, who in (("review", author), ("approved", admin)):
        moved = httpx2.post(f"{base}/api/v1/items/{item_id}/versions/1/transition", json={"to": to}, headers=who)
        assert moved.status_code == 200, moved.text
    return item_id


def passing_exam_for_candidate2(base: str) -> None:
    admin = api_headers(base, "admin@example.org")
    item_id = approved_item(base, ITEM)
    exam = {
        "code": "CERT-201",
        "title": "Fire Safety Marshal",
        "time_limit_minutes": 10,
        "assembly": "fixed",
        "sections": [{"title": "Part A", "items": [{"item_id": item_id, "version": 1}]}],
        "cut_score": {"type": "percent", "value": 50},
        "result_release": "immediate",
    }
    exam_id = httpx2.post(f"{base}/api/v1/exams", json=exam, headers=admin).json()["exam_id"]
    assert httpx2.post(f"{base}/api/v1/exams/{exam_id}/publish", headers=admin).status_code == 200
    found = httpx2.get(f"{base}/api/v1/users", params={"q": "candidate2@example.org"}, headers=admin).json()
    candidate_id = found["items"][0]["id"]
    now = datetime.now(UTC)
    sitting = {
        "exam_id": exam_id,
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(hours=2)).isoformat(),
        "proctor_ids": [],
        "candidates": [{"user_id": candidate_id}],
    }
    created = httpx2.post(f"{base}/api/v1/sittings", json=sitting, headers=admin)
    assert created.status_code == 201, created.text


def test_a_certificate_is_issued_verified_and_revoked(live_server: str, page: Page) -> None:
    passing_exam_for_candidate2(live_server)

    sign_in(page, live_server, "candidate2@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    sitting = page.get_by_role("region", name="Fire Safety Marshal")
    sitting.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    sitting.get_by_role("button", name="Start exam").click()
    page.get_by_role("radio", name="A green running figure").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("button", name="Review answers").click()
    page.get_by_role("checkbox", name="I want to submit my exam").check()
    page.get_by_role("button", name="Submit exam").click()
    expect(page.get_by_text("Pass", exact=True)).to_be_visible()

    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", name="Certificate", exact=True)).to_be_visible()
    expect(page.get_by_text("Fire Safety Marshal")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile(r"^QR code linking to the verification page of certificate "))
    expect(qr).to_be_visible()
    code = page.locator(".certificate-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code), code
    assert code in (qr.get_attribute("aria-label") or "")
    page.emulate_media(media="print")  # on paper only the certificate remains
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(qr).to_be_visible()
    page.emulate_media(media="screen")

    anonymous = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    anonymous.goto(f"{live_server}/verify")
    anonymous.get_by_label("Verification code").fill(code.lower().replace("-", " "))
    anonymous.get_by_role("button", name="Verify").click()
    expect(anonymous.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(anonymous.get_by_text("Fire Safety Marshal (CERT-201)")).to_be_visible()
    anonymous.goto(f"{live_server}/verify/0000-0000-0000-0000")
    expect(anonymous.get_by_role("heading", name="No certificate with this code")).to_be_visible()

    admin = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    sign_in(admin, live_server, "admin@example.org")
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Certificates").click()
    admin.get_by_label("Code or candidate").fill(code)
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=code).click()
    admin.get_by_role("button", name="Revoke certificate").click()  # the reason is required: nothing happens
    expect(admin.get_by_label(re.compile("Reason for revoking"))).to_be_focused()
    admin.get_by_label(re.compile("Reason for revoking")).fill("Another person sat the exam.")
    admin.get_by_role("button", name="Revoke certificate").click()
    expect(admin.get_by_role("status")).to_have_text("The certificate was revoked.")

    anonymous.goto(f"{live_server}/verify/{code}")
    expect(anonymous.get_by_role("heading", name="Revoked certificate")).to_be_visible()
    expect(anonymous.get_by_text("Another person sat the exam.")).to_be_visible()
