"""The structured blueprint editor: every field round-trips through the page, bad input comes back with the values
as entered and an error beside the field it concerns, the layout buttons, live pool counts, drafts and versions."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from tests.web.blueprint_pages import admin_with_bank, form_fields
from tests.web.browsing import csrf_from


@pytest.fixture
def admin(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    return admin_with_bank(app_client, make_user)


def every_field(item_id: str) -> dict[str, Any]:
    """A blueprint giving every field of the definition a value other than its default, plus fields the form does
    not show (kept as they are)."""
    return {
        "code": "FULL-1",
        "title": "Every field",
        "instructions": "Read <carefully>.\nTwo lines & more.",
        "time_limit_minutes": 90,
        "assembly": "fixed",
        "forms": 3,
        "sections": [
            {
                "title": "Fixed part",
                "time_limit_minutes": 20,
                "shuffle_items": False,
                "shuffle_options": False,
                "items": [{"item_id": item_id, "version": 1}],
                "draw": [],
                "weight": 2,
            },
            {
                "title": "Drawn part",
                "time_limit_minutes": None,
                "shuffle_items": True,
                "shuffle_options": True,
                "items": [],
                "draw": [{"domain": "D1", "tag": "calc", "count": 1}, {"domain": "D2", "count": 1}],
            },
        ],
        "cut_score": {"type": "scaled", "value": 500},
        "scale": {"min": 200, "max": 800, "cut": 500},
        "retake_policy": {
            "max_attempts": 4,
            "wait_days_after_fail": 14,
            "allow_after_pass": True,
            "period_days": 365,
            "max_attempts_in_period": 2,
            "require_different_form": False,
        },
        "result_release": "on_date",
        "release_at": "2031-02-03T04:05:00Z",
        "certificate_valid_days": 730,
        "navigation": {"mode": "linear", "allow_review": False, "allow_flagging": False},
        "marking": {"double": True, "max_difference": 2.5, "resolution": "average", "round_to": 0.25},
        "difficulty_target": 0.6,
        "difficulty_tolerance": 0.15,
        "max_exposure": 0.3,
        "incident_credit_cap_minutes": 45,
        "program": {"owner": "ops"},
    }


def stored(services: Services, exam_id: str, version: int | None = None) -> ExamDefinition:
    return services.db.call(exams.get_version, exam_id=exam_id, version=version).definition


def save(client: TestClient, url: str, fields: dict[str, str], action: str = "save") -> Any:
    return client.post(url, data={**fields, "action": action}, follow_redirects=False)


def test_every_field_round_trips_through_the_page(admin: dict[str, Any], services: Services) -> None:
    client: TestClient = admin["client"]
    body = every_field(admin["item_ids"][0])
    created = client.post("/api/v1/exams", json=body, headers=admin["headers"]["admin"])
    assert created.status_code == 201, created.text
    exam_id = created.json()["exam_id"]
    original = stored(services, exam_id)
    assert original.model_dump() != ExamDefinition.model_validate({**body, "program": None}).model_dump()

    page = client.get(f"/admin/exams/{exam_id}/blueprint")
    assert page.status_code == 200 and "Saving changes draft version 1" in page.text
    assert "they are kept as they are" in page.text and "program" in page.text and "weight" in page.text
    fields = form_fields(page.text)
    assert fields["release_at"] == "2031-02-03T04:05" and fields["navigation-mode"] == "linear"
    assert fields["sections-0-items-0-item_id"] == admin["item_ids"][0] and "sections-0-shuffle_items" not in fields
    saved = save(client, f"/admin/exams/{exam_id}/blueprint", fields)
    assert saved.status_code == 303, saved.text
    assert stored(services, exam_id) == original  # every field, the kept ones included

    # and a blueprint typed into the blank form comes out as the same definition through the new-exam door
    blank = form_fields(client.get("/admin/blueprints/new").text)
    typed = {k: v for k, v in fields.items() if k not in ("revision",)}
    typed.update(code="FULL-2", csrf_token=blank["csrf_token"], revision="")
    made = save(client, "/admin/blueprints/new", typed)
    assert made.status_code == 303, made.text
    copy = stored(services, made.headers["location"].rsplit("/", 1)[1])
    assert copy.model_dump(exclude={"code"}) == original.model_dump(exclude={"code"}) and copy.code == "FULL-2"


INVALID = [
    # (field, entered value, the error shown beside it)
    ("code", "bad code!", "String should match pattern"),
    ("time_limit_minutes", "0", "greater than or equal to 1"),
    ("time_limit_minutes", "ninety", "valid integer"),
    ("forms", "27", "less than or equal to 26"),
    ("sections-0-draw-0-count", "", "Field required"),
    ("sections-0-draw-0-count", "501", "less than or equal to 500"),
    ("sections-0-title", "", "at least 1 character"),
    ("sections-0-time_limit_minutes", "-5", "greater than or equal to 1"),
    ("cut_score-value", "120", "a percent cut score is at most 100"),
    ("scale-cut", "900", "the scale needs min < cut < max"),
    ("release_at", "", "result_release on_date needs release_at"),
    ("release_at", "next tuesday", "valid datetime"),
    ("max_exposure", "1.5", "less than or equal to 1"),
    ("difficulty_target", "-0.1", "greater than or equal to 0"),
    ("retake_policy-max_attempts", "0", "greater than or equal to 1"),
    ("marking-round_to", "0", "greater than 0"),
    ("incident_credit_cap_minutes", "601", "less than or equal to 600"),
]
# where each error is shown when it concerns a group rather than one field
SHOWN_AT = {"scale-cut": "scale", "release_at": "release_at", "cut_score-value": "cut_score-value"}


@pytest.mark.parametrize(("field", "value", "message"), INVALID)
def test_invalid_input_keeps_the_values_and_names_the_field(
    admin: dict[str, Any], field: str, value: str, message: str
) -> None:
    client: TestClient = admin["client"]
    fields = form_fields(client.get("/admin/blueprints/new").text)
    fields.update(
        {
            "code": "KEEP-1",
            "title": "Kept title",
            "sections-0-title": "Kept section",
            "sections-0-draw-0-count": "2",
            "sections-0-draw-0-domain": "D1",
            "cut_score-type": "percent",
            "cut_score-value": "70",
            "scale-min": "200",
            "scale-max": "800",
            "scale-cut": "500",
            "result_release": "on_date" if field == "release_at" else "immediate",
        }
    )
    fields[field] = value
    page = save(client, "/admin/blueprints/new", fields)
    assert page.status_code == 422, page.text
    shown_at = SHOWN_AT.get(field, field)
    error = re.search(rf'id="{re.escape(shown_at)}-error">([^<]*)<', page.text)
    assert error and message in html.unescape(error.group(1)), page.text[:3000]
    assert 'role="alert" id="error-summary"' in page.text
    back = form_fields(page.text)
    assert (
        back[field] == value
        and back["title"] == "Kept title"
        and back["sections-0-title"] == (value if field == "sections-0-title" else "Kept section")
    )
    assert client.get("/admin/exams").text.count("KEEP-1") == 0  # nothing stored


def test_a_taken_code_and_damaged_kept_fields_are_refused_beside_their_field(admin: dict[str, Any]) -> None:
    client: TestClient = admin["client"]
    fields = form_fields(client.get("/admin/blueprints/new").text)
    fields.update({"code": "TWICE", "title": "T", "sections-0-draw-0-count": "1", "sections-0-draw-0-domain": "D1"})
    assert save(client, "/admin/blueprints/new", fields).status_code == 303
    again = save(client, "/admin/blueprints/new", fields)
    assert again.status_code == 409 and 'id="code-error">An exam with the code TWICE exists' in again.text
    damaged = save(client, "/admin/blueprints/new", {**fields, "code": "OTHER", "extra": "[1, 2]"})
    assert damaged.status_code == 422 and 'id="extra-error">not a JSON object' in damaged.text


POOLS = [
    # (domain, tag, count, what the rule row says): D1 has 4 approved (and one draft), 2 of them tagged calc
    ("D1", "", "3", "domain D1: 4 approved"),
    ("D1", "calc", "2", "domain D1 and tag calc: 2 approved"),
    ("", "calc", "", "tag calc: 2 approved"),
    ("D1", "calc", "3", "domain D1 and tag calc: 2 approved; needs 3, short by 1"),
    ("D2", "", "8", "domain D2: 1 approved; needs 8, short by 7"),
    ("D9", "", "1", "domain D9: 0 approved; needs 1, short by 1"),
    ("", "", "1", "Name a domain, a tag or both to see the pool."),
]


@pytest.mark.parametrize(("domain", "tag", "count", "expected"), POOLS)
def test_each_draw_rule_shows_its_live_pool(
    admin: dict[str, Any], domain: str, tag: str, count: str, expected: str
) -> None:
    client: TestClient = admin["client"]
    row = "sections-2-draw-1"
    live = client.get(
        "/admin/blueprints/pool",
        params={"row": row, f"{row}-domain": domain, f"{row}-tag": tag, f"{row}-count": count},
        headers={"HX-Request": "true"},
    )
    assert live.status_code == 200 and live.text.strip() == expected
    fields = form_fields(client.get("/admin/blueprints/new").text)
    fields.update({"sections-0-draw-0-domain": domain, "sections-0-draw-0-tag": tag, "sections-0-draw-0-count": count})
    page = save(client, "/admin/blueprints/new", fields, action="add-draw-0")
    assert re.search(r'id="sections-0-draw-0-status"[^>]*>([^<]*)<', page.text).group(1) == expected  # type: ignore[union-attr]


def test_fixed_item_rows_say_whether_the_version_is_approved(admin: dict[str, Any]) -> None:
    client: TestClient = admin["client"]
    row = "sections-0-items-0"
    cases = [(admin["item_ids"][1], "1", "approved: D1 item 1"), (admin["draft_id"], "1", "not an approved version")]
    cases += [(admin["item_ids"][1], "2", "not an approved version"), ("", "1", "Enter an item id.")]
    for item_id, version, expected in cases:
        live = client.get(
            "/admin/blueprints/pool", params={"row": row, f"{row}-item_id": item_id, f"{row}-version": version}
        )
        assert live.text.strip().startswith(expected), (item_id, version, live.text)
    assert client.get("/admin/blueprints/pool", params={"row": "../x"}).text.strip() == "Unknown rule row."
    nul = client.get(
        "/admin/blueprints/pool", params={"row": "sections-0-draw-0", "sections-0-draw-0-domain": "D\x001"}
    )
    assert nul.status_code == 400  # refused before it reaches a database


def test_the_layout_buttons_add_remove_and_move_keeping_what_was_typed(admin: dict[str, Any]) -> None:
    client: TestClient = admin["client"]
    url = "/admin/blueprints/new"
    fields = form_fields(client.get(url).text)
    fields.update({"title": "Typed", "sections-0-title": "First", "sections-0-draw-0-domain": "D1"})
    steps = [
        ("add-section", {"sections-1-title": "Part 2"}, "sections-1-title"),
        ("add-item-1", {"sections-1-items-0-version": "1"}, "sections-1-items-0-item_id"),
        ("add-draw-0", {"sections-0-draw-1-count": ""}, "sections-0-draw-1-count"),
        ("up-section-1", {"sections-0-title": "Part 2", "sections-1-title": "First"}, "sections-0-title"),
        ("remove-draw-1-1", {"sections-1-draw-0-domain": "D1"}, "add-draw-1"),
        ("remove-section-0", {"sections-0-title": "First", "title": "Typed"}, "sections-0-title"),
    ]
    for action, expected, focused in steps:
        page = save(client, url, fields, action=action)
        assert page.status_code == 200, action
        fields = form_fields(page.text)
        for name, value in expected.items():
            assert fields.get(name) == value, (action, name, fields)
        assert re.search(rf'id="{focused}"[^>]*autofocus', page.text), (action, focused)
    assert "sections-1-title" not in fields and fields["sections-0-draw-0-domain"] == "D1"
    assert "sections-0-draw-1-count" not in fields
    unknown = save(client, url, fields, action="remove-section-7")
    assert unknown.status_code == 200 and form_fields(unknown.text)["sections-0-title"] == "First"


def test_a_draft_is_changed_in_place_and_a_published_version_gets_a_new_draft(
    admin: dict[str, Any], services: Services
) -> None:
    client: TestClient = admin["client"]
    fields = form_fields(client.get("/admin/blueprints/new").text)
    fields.update({"code": "ED-1", "title": "One", "sections-0-draw-0-count": "1", "sections-0-draw-0-domain": "D1"})
    exam_id = save(client, "/admin/blueprints/new", fields).headers["location"].rsplit("/", 1)[1]
    url = f"/admin/exams/{exam_id}/blueprint"
    opened = form_fields(client.get(url).text)
    stale = dict(opened)
    assert save(client, url, {**opened, "title": "Two"}).status_code == 303
    assert stored(services, exam_id).title == "Two" and stored(services, exam_id, 1).title == "Two"
    refused = save(client, url, {**stale, "title": "Three"})
    assert refused.status_code == 409 and "changed since you opened it" in refused.text
    assert form_fields(refused.text)["title"] == "Three"  # what was typed is not lost
    code_change = save(client, url, {**form_fields(client.get(url).text), "code": "ED-2"})
    assert code_change.status_code == 422 and 'id="code-error">the code stays ED-1' in code_change.text

    def audit_kinds(*, session: Session) -> list[str]:
        return [str(row.kind) for row in session.scalars(select(AuditRecord))]

    assert services.db.call(audit_kinds).count("exam_draft_changed") == 1

    assert client.post(f"/api/v1/exams/{exam_id}/publish", headers=admin["headers"]["admin"]).status_code == 200
    page = client.get(url)
    assert "saving makes draft version 2" in page.text and "Save as draft version 2" in page.text
    assert save(client, url, {**form_fields(page.text), "title": "Four"}).status_code == 303
    assert stored(services, exam_id, 1).title == "Two" and stored(services, exam_id, 2).title == "Four"
    assert client.get(f"/admin/exams/{'0' * 32}/blueprint").status_code == 404
    token = csrf_from(client.get("/admin/blueprints/new"))
    missing = client.post(f"/admin/exams/{'0' * 32}/blueprint", data={"csrf_token": token})
    assert missing.status_code == 404
