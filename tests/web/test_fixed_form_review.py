"""Reviewing fixed forms: forms A and B as delivery assembles them (the same items, order and option orders as the
attempts that get them), keys for the admin only, summaries side by side, marking reviewed (who, when, audited,
once), and the warnings while a form is unreviewed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.delivery.models import Attempt
from examengine.exams import form_review
from examengine.exams.form_document import FormDocument
from tests.web.blueprint_pages import admin_with_bank
from tests.web.browsing import csrf_from, post_form

FIXED = {
    "code": "FIX-1",
    "title": "Fixed forms",
    "assembly": "fixed",
    "forms": 2,
    "sections": [
        {"title": "Drawn", "draw": [{"domain": "D1", "count": 2}]},
        {"title": "Always", "shuffle_items": False, "draw": [{"domain": "D2", "count": 1}]},
    ],
}


@pytest.fixture
def admin(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    return admin_with_bank(app_client, make_user)


def _create(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> str:
    created = client.post("/api/v1/exams", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["exam_id"])


def _report(services: Services, exam_id: str, version: int = 1) -> form_review.FormsReport:
    return services.db.call(form_review.fixed_forms, exam_id=exam_id, version=version)


def test_forms_are_the_ones_delivery_gives(admin: dict[str, Any], services: Services) -> None:
    client, headers = admin["client"], admin["headers"]
    exam_id = _create(client, headers["admin"], FIXED)
    assert client.post(f"/api/v1/exams/{exam_id}/publish", headers=headers["admin"]).status_code == 200
    report = _report(services, exam_id)
    assert [f.name for f in report.forms] == ["A", "B"] and report.reviewable
    assert report.unreviewed == ("A", "B")
    now = datetime.now(UTC)
    sitting = client.post(
        "/api/v1/sittings",
        headers=headers["admin"],
        json={
            "exam_id": exam_id,
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "closes_at": (now + timedelta(hours=2)).isoformat(),
            "proctor_ids": [],
            "candidates": [{"user_id": admin["users"]["cara"].id}, {"user_id": admin["users"]["dan"].id}],
        },
    ).json()["sitting_id"]
    for who in ("cara", "dan"):
        started = client.post(f"/api/v1/sittings/{sitting}/attempts", headers=headers[who])
        assert started.status_code == 201, started.text

    def forms(*, session: Session) -> list[FormDocument]:
        return list(session.scalars(select(col(Attempt.form)).order_by(col(Attempt.created_at))))

    delivered = services.db.call(forms)
    for document in delivered:
        reviewed = report.forms[document.form_index or 0]
        slots = [s for _, section in reviewed.sections for s in section]
        assert [(e.item_id, e.version) for e in document.slots.values()] == [(s.item_id, s.version) for s in slots]
    assert {d.form_index for d in delivered} == {0, 1}
    a, b = report.forms
    assert a.summary.items == b.summary.items == 3 and a.summary.domains == {"D1": 2, "D2": 1}
    assert a.summary.points == 3 and a.summary.mean_difficulty is None
    items_a = {s.item_id for _, section in a.sections for s in section}
    items_b = {s.item_id for _, section in b.sections for s in section}
    assert report.overlap == {(0, 1): len(items_a & items_b)} and len(items_a & items_b) >= 1  # D2 has one item
    for document in delivered:
        reviewed = report.forms[document.form_index or 0]
        for slot in (s for _, section in reviewed.sections for s in section):
            orders = document.slots[slot.number].option_orders
            shown = next(iter(orders.values())) if orders else ["A", "B"]
            # the keyed option "yes" (A) where this form's candidates see it
            assert slot.key == (f"yes (option {shown.index('A') + 1} of 2)",), (slot, orders)


def test_marking_reviewed_is_recorded_once_and_clears_the_warnings(admin: dict[str, Any], services: Services) -> None:
    client, headers = admin["client"], admin["headers"]
    exam_id = _create(client, headers["admin"], FIXED)
    url = f"/admin/exams/{exam_id}/versions/1/forms"
    draft = client.get(url)
    assert draft.status_code == 200 and "This version is a draft" in draft.text
    assert "Mark form A reviewed" not in draft.text and "Form A, Drawn" in draft.text
    refused = post_form(client, url + "/review", {"form": "A", "fingerprint": "x", "note": ""}, from_page=url)
    assert refused.status_code == 409 and "only the forms of a published version are reviewed" in refused.text

    assert client.post(f"/api/v1/exams/{exam_id}/publish", headers=headers["admin"]).status_code == 200
    detail = client.get(f"/admin/exams/{exam_id}")
    assert "Not reviewed yet: forms A, B of version 1" in detail.text
    assert "Not reviewed yet: forms A, B" in client.get(f"/admin/exams/{exam_id}/sittings/new").text
    page = client.get(url)
    fingerprint = dict(
        re.findall(r'name="form" value="(\w)">\s*<input type="hidden" name="fingerprint" value="(\w+)"', page.text)
    )
    assert set(fingerprint) == {"A", "B"} and "Mark form A reviewed" in page.text
    assert ">yes" in page.text or "yes (option" in page.text  # the key, for the admin

    cases = [
        ({"form": "C", "fingerprint": fingerprint["A"]}, 422, "has no form &#39;C&#39;"),
        ({"form": "A", "fingerprint": fingerprint["B"]}, 409, "Form A is not the form you were shown"),
        ({"form": "A", "fingerprint": fingerprint["A"], "note": "x" * 1001}, 422, "at most 1000 characters"),
    ]
    for data, status, message in cases:
        answer = post_form(client, url + "/review", {"note": "", **data}, from_page=url)
        assert answer.status_code == status and message in answer.text, (data, answer.text[:500])
    done = post_form(
        client, url + "/review", {"form": "A", "fingerprint": fingerprint["A"], "note": "keys checked"}, from_page=url
    )
    assert done.status_code == 303 and done.headers["location"].endswith("?reviewed=A#form-A")
    shown = client.get(done.headers["location"])
    assert (
        "Form A is marked reviewed" in shown.text
        and "Reviewed by Test User at" in shown.text
        and "keys checked" in shown.text
    )
    assert "Mark form A reviewed" not in shown.text and "Mark form B reviewed" in shown.text
    again = post_form(
        client, url + "/review", {"form": "A", "fingerprint": fingerprint["A"], "note": ""}, from_page=url
    )
    assert again.status_code == 409 and "Form A was reviewed by Test User" in again.text
    assert "Not reviewed yet: form B " in client.get(f"/admin/exams/{exam_id}").text
    post_form(client, url + "/review", {"form": "B", "fingerprint": fingerprint["B"], "note": ""}, from_page=url)
    assert "Not reviewed yet" not in client.get(f"/admin/exams/{exam_id}").text
    assert "Not reviewed yet" not in client.get(f"/admin/exams/{exam_id}/sittings/new").text

    def audit(*, session: Session) -> list[tuple[str, str | None, str]]:
        rows = session.scalars(select(AuditRecord).where(col(AuditRecord.kind) == "fixed_form_reviewed"))
        return [(r.subject, r.actor_id, str(r.detail.get("note"))) for r in rows]

    assert services.db.call(audit) == [
        (f"exam:{exam_id}/1/form:A", admin["users"]["admin"].id, "keys checked"),
        (f"exam:{exam_id}/1/form:B", admin["users"]["admin"].id, ""),
    ]
    assert _report(services, exam_id).unreviewed == ()


def test_a_loft_exam_has_no_fixed_forms_and_keys_stay_with_admins(admin: dict[str, Any]) -> None:
    client, headers = admin["client"], admin["headers"]
    loft = _create(client, headers["admin"], {**FIXED, "code": "LOFT-1", "assembly": "loft", "forms": 1})
    assert client.get(f"/admin/exams/{loft}/versions/1/forms").status_code == 409
    assert "Review the fixed forms" not in client.get(f"/admin/exams/{loft}").text
    fixed = _create(client, headers["admin"], FIXED)
    assert client.get(f"/admin/exams/{fixed}/versions/2/forms").status_code == 404
    assert client.get(f"/admin/exams/{'0' * 32}/versions/1/forms").status_code == 404
    candidate = TestClient(client.app)
    from tests.conftest import TEST_PASSWORD
    from tests.web.browsing import log_in

    log_in(candidate, "cara@example.org", TEST_PASSWORD)
    assert candidate.get(f"/admin/exams/{fixed}/versions/1/forms", follow_redirects=False).status_code == 403
    token = csrf_from(candidate.get("/"))
    assert (
        candidate.post(
            f"/admin/exams/{fixed}/versions/1/forms/review", data={"csrf_token": token, "form": "A"}
        ).status_code
        == 403
    )
