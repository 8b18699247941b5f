"""The scheme pages through TestClient: the admin form reads pathways a line per requirement, shows a refusal beside
its field with the typed values kept; the candidate's page escapes the handbook and explains the kind."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.api.test_exams_api import bearer
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in, post_form

FORM: dict[str, str | list[str]] = {
    "code": "SAFE",
    "title": "Certified Safety Professional",
    "kind": "certification",
    "designation": "CSP",
    "authorization_period": "P180D",
    "attempts_per_authorization": "2",
    "cycle": "P3Y",
    "grace_period": "P90D",
    "reinstatement_period": "",
    "recert_by_exam": "yes",
    "recert_ce_credits": "60",
    "recert_ce_categories": "ethics = 3",
    "appeal_period": "P30D",
    "pathways": "EXP | Experience | WORK | Two years of practice | file\n"
    "EXP | Experience | ETHICS | I follow the code | attestation\n\nDEG | Degree | DIPLOMA | A diploma | file",
    "handbook_version": "2026.1",
    "handbook_text": "Line one <script>alert(1)</script>\nLine two",
}


ATTENDANCE = {
    "kind": "certificate_of_attendance",
    **dict.fromkeys(("cycle", "grace_period", "pathways", "recert_by_exam", "recert_ce_credits"), ""),
    **dict.fromkeys(("recert_ce_categories", "authorization_period"), ""),
}


@pytest.fixture
def admin(app_client: TestClient, make_user: Callable[..., Any]) -> TestClient:
    make_user("admin@example.org", "admin")
    assert log_in(app_client, "admin@example.org", TEST_PASSWORD).status_code == 303
    return app_client


def test_the_form_creates_a_scheme_with_its_pathways(admin: TestClient) -> None:
    created = post_form(admin, "/admin/schemes", FORM, from_page="/admin/schemes/new")
    assert created.status_code == 303 and created.headers["location"] == "/admin/schemes/SAFE?created=1"
    page = admin.get("/admin/schemes/SAFE?created=1")
    assert "The scheme was created." in page.text and "Two years of practice" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    detail = admin.get("/api/v1/schemes/SAFE", headers=bearer(admin, "admin@example.org")).json()
    assert [(p["code"], [r["code"] for r in p["requirements"]]) for p in detail["pathways"]] == [
        ("EXP", ["WORK", "ETHICS"]),
        ("DEG", ["DIPLOMA"]),
    ]
    assert detail["recertification"] == {"by_exam": True, "ce_credits": 60.0, "ce_categories": {"ethics": 3.0}}
    assert detail["attempts_per_authorization"] == 2 and detail["reinstatement_period"] is None
    assert "SAFE" in admin.get("/admin/schemes").text

    published = post_form(admin, "/admin/schemes/SAFE/handbook", {"version": "2026.1", "text": "again"})
    assert published.status_code == 409
    assert re.search(r'id="version-error">Version 2026.1 of the handbook is already published', published.text)
    assert 'value="2026.1"' in published.text and ">again</textarea>" in published.text
    published = post_form(admin, "/admin/schemes/SAFE/handbook", {"version": "2026.2", "text": "Newer"})
    assert published.status_code == 303
    assert "2026.2 (current)" in admin.get("/admin/schemes/SAFE").text
    audit = admin.get("/admin/audit").text
    assert "Credential scheme created" in audit and "Candidate handbook published" in audit
    assert "scheme: scheme SAFE" in audit


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"cycle": ""}, "cycle", "A certification needs a cycle"),
        ({"grace_period": "90 days"}, "grace_period", "is not an ISO 8601 duration"),
        ({"pathways": "EXP | Experience | WORK"}, "pathways", "Line 1: write PATHWAY-CODE"),
        ({"pathways": "EXP | Experience | WORK | Work | email"}, "pathways", "file or an attestation"),
        ({"recert_ce_categories": "ethics"}, "recert_ce_categories", "Line 1: write a category"),
        ({"attempts_per_authorization": "two"}, "attempts_per_authorization", "is not a whole number"),
        ({"handbook_text": "  "}, "handbook_text", "This is required."),
        (ATTENDANCE | {"cycle": "P1Y"}, "cycle", "A certificate of attendance is issued for attending an event"),
        ({"kind": "assessment_based_certificate"}, "recert_ce_credits", "Only a certification is renewed"),
    ],
)
def test_a_refusal_is_shown_beside_its_field_with_the_typed_values_kept(
    admin: TestClient, changes: dict[str, str], field: str, message: str
) -> None:
    refused = post_form(admin, "/admin/schemes", FORM | changes, from_page="/admin/schemes/new")
    assert refused.status_code == 422, refused.text
    error = re.search(rf'<p class="alert" id="{field}-error">([^<]*)</p>', refused.text)
    assert error and message in error.group(1), refused.text
    assert f'aria-describedby="{field}-error' in refused.text
    assert 'value="Certified Safety Professional"' in refused.text
    assert admin.get("/api/v1/schemes", headers=bearer(admin, "admin@example.org")).json()["items"] == []


def test_candidates_read_programs_but_not_the_admin_pages(
    admin: TestClient, app_client: TestClient, make_user: Callable[..., Any]
) -> None:
    assert post_form(admin, "/admin/schemes", FORM, from_page="/admin/schemes/new").status_code == 303
    attendance = {"code": "CONF", "title": "Safety conference", "kind": "certificate_of_attendance"}
    body = attendance | {"handbook": {"version": "1", "text": "Sign in at the door."}}
    assert admin.post("/api/v1/schemes", json=body, headers=bearer(admin, "admin@example.org")).status_code == 201
    make_user("cara@example.org", "candidate")
    candidate = TestClient(app_client.app)
    assert log_in(candidate, "cara@example.org", TEST_PASSWORD).status_code == 303
    listed = candidate.get("/programs").text
    assert "Certified Safety Professional" in listed and "Certificate of attendance (not assessed)" in listed
    page = candidate.get("/programs/SAFE").text
    assert (
        "Professional certification" in page and "valid for 3 years" in page and 'href="/programs/SAFE/apply"' in page
    )
    assert "Line one &lt;script&gt;" in page and "Version 2026.1" in page
    conf = candidate.get("/programs/CONF").text
    assert "There is no exam" in conf and "/apply" not in conf and "Cycle" not in conf
    assert candidate.get("/programs/NOPE").status_code == 404
    assert candidate.get("/admin/schemes", follow_redirects=False).status_code == 403
    assert "/apply" not in admin.get("/programs/SAFE").text  # applying is for candidates
