"""Credential schemes through the API (API.md "Schemes (admin)"): what each kind may hold, every duration read as
ISO 8601, an exam in at most one scheme, codes unique, pathways well-formed, the handbook versioned (the newest is
current); admins create, any signed-in user reads; every change is on the audit chain."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.errors import Conflict
from examengine.programs import scheme_rules as rules
from examengine.programs import schemes
from tests.api.test_exams_api import bearer, blueprint
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in

Headers = dict[str, str]


@pytest.fixture
def people(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "cara": make_user("cara@example.org", "candidate"),
        "reviewer": make_user("rev@example.org", "eligibility_reviewer"),
    }
    return {"users": users, "headers": {name: bearer(app_client, u.email) for name, u in users.items()}}


def new_exam(client: TestClient, admin: Headers, code: str) -> str:
    created = client.post("/api/v1/exams", json=blueprint(code=code, title=f"{code} exam"), headers=admin)
    assert created.status_code == 201, created.text
    return str(created.json()["exam_id"])


def certification(exam_ids: list[str], **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "SAFE",
        "title": "Certified Safety Professional",
        "kind": "certification",
        "exam_ids": exam_ids,
        "designation": "CSP",
        "pathways": [
            {
                "code": "EXP",
                "title": "Experience",
                "requirements": [
                    {"code": "WORK", "title": "Two years of practice", "evidence": "file"},
                    {"code": "ETHICS", "title": "I follow the code of ethics", "evidence": "attestation"},
                ],
            },
            {
                "code": "DEG",
                "title": "Degree",
                "requirements": [{"code": "DIPLOMA", "title": "Diploma", "evidence": "file"}],
            },
        ],
        "authorization_period": "P180D",
        "attempts_per_authorization": 2,
        "cycle": "P3Y",
        "grace_period": "P90D",
        "reinstatement_period": "P1Y",
        "recertification": {"by_exam": True, "ce_credits": 60, "ce_categories": {"ethics": 3}},
        "appeal_period": "P30D",
        "handbook": {"version": "2026.1", "text": "Rules <b>here</b>.\nSecond line."},
    }
    return body | changes


def refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == code, error
    return error


def test_an_admin_creates_a_certification_and_anyone_signed_in_reads_it(
    app_client: TestClient, people: dict[str, Any], services: Services
) -> None:
    admin, cara = people["headers"]["admin"], people["headers"]["cara"]
    exam_id = new_exam(app_client, admin, "SAFE-101")
    created = app_client.post("/api/v1/schemes", json=certification([exam_id]), headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["code"] == "SAFE" and len(created.json()["scheme_id"]) == 32

    for who in ("cara", "reviewer", "admin"):
        read = app_client.get("/api/v1/schemes/SAFE", headers=people["headers"][who])
        assert read.status_code == 200, read.text
    body = app_client.get("/api/v1/schemes/SAFE", headers=cara).json()
    assert body["kind"] == "certification" and body["designation"] == "CSP"
    assert body["exam_ids"] == [exam_id]
    assert [p["code"] for p in body["pathways"]] == ["EXP", "DEG"]
    assert body["pathways"][0]["requirements"][1] == {
        "code": "ETHICS",
        "title": "I follow the code of ethics",
        "evidence": "attestation",
    }
    assert (body["cycle"], body["grace_period"], body["reinstatement_period"]) == ("P3Y", "P90D", "P1Y")
    assert body["authorization_period"] == "P180D" and body["attempts_per_authorization"] == 2
    assert body["recertification"] == {"by_exam": True, "ce_credits": 60, "ce_categories": {"ethics": 3}}
    assert body["handbook"]["version"] == "2026.1" and body["handbook"]["text"] == "Rules <b>here</b>.\nSecond line."
    listed = app_client.get("/api/v1/schemes", headers=cara).json()
    assert listed == {
        "items": [
            {
                "scheme_id": created.json()["scheme_id"],
                "code": "SAFE",
                "title": "Certified Safety Professional",
                "kind": "certification",
                "designation": "CSP",
            }
        ],
        "next_cursor": None,
    }
    assert app_client.get("/api/v1/schemes/NOPE", headers=cara).status_code == 404

    def facts(*, session: Session) -> tuple[str | None, str | None, list[str]]:
        found = schemes.scheme_of_exam(session, exam_id)
        handbook = schemes.current_handbook(session, created.json()["scheme_id"])
        kinds = session.scalars(select(col(AuditRecord.kind)).where(col(AuditRecord.subject).like("scheme:%")))
        return (found.code if found else None, handbook.version if handbook else None, list(kinds))

    assert services.db.call(facts, write=False) == ("SAFE", "2026.1", [AuditKind.SCHEME_CREATED.value])


def test_candidates_and_reviewers_cannot_create_schemes_or_publish_handbooks(
    app_client: TestClient, people: dict[str, Any]
) -> None:
    admin = people["headers"]["admin"]
    assert app_client.post("/api/v1/schemes", json=certification([]), headers=admin).status_code == 201
    for who in ("cara", "reviewer"):
        headers = people["headers"][who]
        body = certification([], code=f"X-{who}")
        assert app_client.post("/api/v1/schemes", json=body, headers=headers).status_code == 403
        handbook = {"version": "2", "text": "mine"}
        assert app_client.post("/api/v1/schemes/SAFE/handbook", json=handbook, headers=headers).status_code == 403
    assert app_client.get("/api/v1/schemes").status_code == 401
    assert app_client.get("/api/v1/schemes", headers=admin).json()["items"][0]["code"] == "SAFE"


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"cycle": None}, "cycle", "cycle_required"),
        ({"cycle": "3 years"}, "cycle", "invalid_duration"),
        ({"grace_period": "P90"}, "grace_period", "invalid_duration"),
        ({"reinstatement_period": "P-1Y"}, "reinstatement_period", "invalid_duration"),
        ({"authorization_period": "P0D"}, "authorization_period", "invalid_duration"),
        ({"authorization_period": None}, "authorization_period", "required"),
        ({"appeal_period": "thirty days"}, "appeal_period", "invalid_duration"),
        ({"course": {"title": "Safety 101"}}, "course", "course_not_allowed"),
        ({"exam_ids": ["0" * 32]}, "exam_ids", "unknown_exam"),
        (
            {"recertification": {"by_exam": False, "ce_credits": 2, "ce_categories": {"ethics": 3}}},
            "recertification.ce_categories",
            "invalid_recertification",
        ),
        (
            {
                "pathways": [
                    {"code": "A", "title": "A", "requirements": []},
                    {"code": "A", "title": "B", "requirements": []},
                ]
            },
            "pathways[1].code",
            "duplicate_pathway",
        ),
        (
            {
                "pathways": [
                    {
                        "code": "A",
                        "title": "A",
                        "requirements": [
                            {"code": "R", "title": "one", "evidence": "file"},
                            {"code": "R", "title": "two", "evidence": "attestation"},
                        ],
                    }
                ]
            },
            "pathways[0].requirements[1].code",
            "duplicate_requirement",
        ),
    ],
)
def test_a_certification_out_of_its_rules_is_refused_naming_the_field(
    app_client: TestClient, people: dict[str, Any], changes: dict[str, Any], field: str, code: str
) -> None:
    response = app_client.post("/api/v1/schemes", json=certification([]) | changes, headers=people["headers"]["admin"])
    error = refused(response, 422, code)
    assert error["details"]["field"] == field and error["message"].startswith(f"{field}: ")
    assert app_client.get("/api/v1/schemes", headers=people["headers"]["admin"]).json()["items"] == []


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "royal_charter"},
        {"pathways": [{"code": "A", "title": "A", "requirements": [{"code": "R", "title": "r", "evidence": "email"}]}]},
        {"attempts_per_authorization": 0},
        {"handbook": None},
        {"code": "has space"},
        {"handbook": {"version": " ", "text": "text"}},
    ],
)
def test_a_malformed_body_is_refused(app_client: TestClient, people: dict[str, Any], changes: dict[str, Any]) -> None:
    body = {k: v for k, v in (certification([]) | changes).items() if v is not None}
    refused(app_client.post("/api/v1/schemes", json=body, headers=people["headers"]["admin"]), 422, "invalid_body")


def attendance(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": "CONF",
        "title": "Safety conference 2026",
        "kind": "certificate_of_attendance",
        "handbook": {"version": "1", "text": "Attendance is recorded at the door."},
    }
    return body | changes


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"pathways": [{"code": "A", "title": "A", "requirements": []}]}, "pathways"),
        ({"cycle": "P1Y"}, "cycle"),
        ({"recertification": {"by_exam": True}}, "recertification"),
        ({"course": {"title": "Safety 101"}}, "course"),
        ({"grace_period": "P1M"}, "grace_period"),
    ],
)
def test_a_certificate_of_attendance_has_no_exams_pathways_or_cycle(
    app_client: TestClient, people: dict[str, Any], changes: dict[str, Any], field: str
) -> None:
    error = refused(
        app_client.post("/api/v1/schemes", json=attendance(**changes), headers=people["headers"]["admin"]),
        422,
        "not_for_attendance",
    )
    assert error["details"]["field"] == field and "certificate of attendance" in error["message"]


def test_a_certificate_of_attendance_refuses_exams_and_is_stored_without_them(
    app_client: TestClient, people: dict[str, Any]
) -> None:
    admin = people["headers"]["admin"]
    exam_id = new_exam(app_client, admin, "CONF-EXAM")
    error = refused(
        app_client.post("/api/v1/schemes", json=attendance(exam_ids=[exam_id]), headers=admin),
        422,
        "not_for_attendance",
    )
    assert error["details"]["field"] == "exam_ids"
    assert app_client.post("/api/v1/schemes", json=attendance(), headers=admin).status_code == 201
    body = app_client.get("/api/v1/schemes/CONF", headers=people["headers"]["cara"]).json()
    assert body["kind"] == "certificate_of_attendance"
    assert (body["exam_ids"], body["pathways"], body["cycle"], body["recertification"]) == ([], [], None, None)


def test_an_assessment_based_certificate_names_its_course_and_may_have_a_term_but_no_recertification(
    app_client: TestClient, people: dict[str, Any]
) -> None:
    admin = people["headers"]["admin"]
    exam_id = new_exam(app_client, admin, "FIRE-1")
    body = certification(
        [exam_id],
        code="FIRE",
        kind="assessment_based_certificate",
        course={"title": "Fire warden course", "url": "https://example.org/fire"},
        recertification=None,
        grace_period=None,
        reinstatement_period=None,
        cycle="P2Y",
    )
    recertified = body | {"recertification": {"by_exam": True, "ce_credits": 10}}
    refused(app_client.post("/api/v1/schemes", json=recertified, headers=admin), 422, "recertification_not_allowed")
    bad_url = body | {"course": {"title": "Fire", "url": "javascript:alert(1)"}}
    refused(app_client.post("/api/v1/schemes", json=bad_url, headers=admin), 422, "invalid_url")
    grace_alone = body | {"cycle": None, "grace_period": "P1M"}
    refused(app_client.post("/api/v1/schemes", json=grace_alone, headers=admin), 422, "cycle_required")
    assert app_client.post("/api/v1/schemes", json=body, headers=admin).status_code == 201
    read = app_client.get("/api/v1/schemes/FIRE", headers=admin).json()
    assert read["course"] == {"title": "Fire warden course", "url": "https://example.org/fire"}
    assert read["cycle"] == "P2Y" and read["recertification"] is None
    without_term = body | {"code": "FIRE-2", "cycle": None, "exam_ids": []}
    assert app_client.post("/api/v1/schemes", json=without_term, headers=admin).status_code == 201


def test_a_taken_code_and_an_exam_in_another_scheme_conflict(app_client: TestClient, people: dict[str, Any]) -> None:
    admin = people["headers"]["admin"]
    first, second = new_exam(app_client, admin, "E-1"), new_exam(app_client, admin, "E-2")
    assert app_client.post("/api/v1/schemes", json=certification([first]), headers=admin).status_code == 201
    refused(app_client.post("/api/v1/schemes", json=certification([second]), headers=admin), 409, "scheme_code_taken")
    error = refused(
        app_client.post("/api/v1/schemes", json=certification([second, first], code="OTHER"), headers=admin),
        409,
        "exam_in_scheme",
    )
    assert error["details"]["exam_ids"] == [first] and "SAFE" in error["message"]
    assert (
        app_client.post("/api/v1/schemes", json=certification([second], code="OTHER"), headers=admin).status_code == 201
    )


def test_handbook_versions_the_newest_is_current(
    app_client: TestClient, people: dict[str, Any], services: Services
) -> None:
    admin = people["headers"]["admin"]
    assert app_client.post("/api/v1/schemes", json=certification([]), headers=admin).status_code == 201
    published = app_client.post(
        "/api/v1/schemes/SAFE/handbook", json={"version": "2026.2", "text": "New rules"}, headers=admin
    )
    assert published.status_code == 201, published.text
    assert published.json()["version"] == "2026.2"
    again = app_client.post("/api/v1/schemes/SAFE/handbook", json={"version": "2026.1", "text": "Old"}, headers=admin)
    refused(again, 409, "handbook_version_exists")
    third = app_client.post(
        "/api/v1/schemes/SAFE/handbook", json={"version": "2026.3", "text": "Newest"}, headers=admin
    )
    assert third.status_code == 201
    refused(
        app_client.post("/api/v1/schemes/SAFE/handbook", json={"version": "4", "text": ""}, headers=admin),
        422,
        "invalid_body",
    )
    refused(
        app_client.post("/api/v1/schemes/NONE/handbook", json={"version": "4", "text": "x"}, headers=admin),
        404,
        "scheme_not_found",
    )
    body = app_client.get("/api/v1/schemes/SAFE", headers=people["headers"]["cara"]).json()
    assert body["handbook"]["version"] == "2026.3" and body["handbook"]["text"] == "Newest"
    assert [h["version"] for h in body["handbook_versions"]] == ["2026.3", "2026.2", "2026.1"]

    def published_kinds(*, session: Session) -> list[dict[str, Any]]:
        query = select(AuditRecord).where(col(AuditRecord.kind) == AuditKind.HANDBOOK_PUBLISHED)
        return [r.detail for r in session.scalars(query.order_by(col(AuditRecord.id)))]

    assert [d["version"] for d in services.db.call(published_kinds, write=False)] == ["2026.2", "2026.3"]


def test_the_list_is_paged_by_code(app_client: TestClient, people: dict[str, Any]) -> None:
    admin = people["headers"]["admin"]
    for code in ("C", "A", "B"):
        assert app_client.post("/api/v1/schemes", json=attendance(code=code), headers=admin).status_code == 201
    first = app_client.get("/api/v1/schemes?limit=2", headers=admin).json()
    assert [s["code"] for s in first["items"]] == ["A", "B"] and first["next_cursor"] == "B"
    rest = app_client.get(f"/api/v1/schemes?limit=2&cursor={first['next_cursor']}", headers=admin).json()
    assert [s["code"] for s in rest["items"]] == ["C"] and rest["next_cursor"] is None


def test_concurrent_creations_never_share_a_code_or_an_exam(
    app_client: TestClient, people: dict[str, Any], services: Services
) -> None:
    """Eight creations at once: one code, then one exam under eight codes. Each time exactly one is stored and the
    others get the conflict by name, never a database error (on PostgreSQL the unique keys decide the race)."""
    admin = people["headers"]["admin"]
    exam_id = new_exam(app_client, admin, "RACE-1")
    barrier = threading.Barrier(8)

    def create(code: str, exam_ids: tuple[str, ...]) -> str:
        scheme = rules.SchemeInput(
            code=code,
            title="Race",
            kind="certification",
            handbook=rules.Handbook("1", "text"),
            exam_ids=exam_ids,
            authorization_period="P1D",
            cycle="P1Y",
        )
        barrier.wait()
        try:
            services.db.call(schemes.create_scheme, scheme=scheme, actor_id=None, now=datetime.now(UTC))
        except Conflict as error:
            return error.code
        return "created"

    with ThreadPoolExecutor(max_workers=8) as pool:
        same_code = list(pool.map(lambda n: create("RACE", ()), range(8)))
        same_exam = list(pool.map(lambda n: create(f"RACE-{n}", (exam_id,)), range(8)))
    assert sorted(same_code) == ["created"] + ["scheme_code_taken"] * 7
    assert sorted(same_exam) == ["created"] + ["exam_in_scheme"] * 7
    listed = app_client.get("/api/v1/schemes", headers=admin).json()["items"]
    assert len(listed) == 2


def test_the_admin_exam_page_names_the_scheme_of_an_exam(app_client: TestClient, people: dict[str, Any]) -> None:
    admin = people["headers"]["admin"]
    in_scheme, outside = new_exam(app_client, admin, "SAFE-101"), new_exam(app_client, admin, "FREE-1")
    assert app_client.post("/api/v1/schemes", json=certification([in_scheme]), headers=admin).status_code == 201
    assert log_in(app_client, "admin@example.org", TEST_PASSWORD).status_code == 303
    page = app_client.get(f"/admin/exams/{in_scheme}").text
    assert 'href="/admin/schemes/SAFE">SAFE: Certified Safety Professional</a>' in page
    assert "starting needs an authorization to test" in page
    assert "none: anyone enrolled may start" in app_client.get(f"/admin/exams/{outside}").text
