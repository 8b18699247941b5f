"""Approved accommodations at work: every admin enrolment door (a new sitting with candidates, one candidate, a CSV
of candidates, the sitting page) applies the grant of the exam's scheme, the larger of the admin's and the grant's
time winning field by field; a grant is not retroactive and stays in its scheme. Proctors see that an
accommodation applies, never why; results, exports, certificates, credentials and registry entries never mention one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.certificates import issuing
from examengine.context import Services
from examengine.exams import sittings
from examengine.programs import accommodation_decisions, accommodations, credentials
from examengine.programs.accommodation_terms import Terms
from examengine.workflows import accommodated_enrolment
from tests.api.test_delivery_api import (
    sitting,  # noqa: F401 - the fixture
    start,
)
from tests.api.test_exams_api import bearer
from tests.programs.accommodation_helpers import (  # noqa: F401 - the fixtures
    OTHER,
    STATEMENT,
    People,
    add_scheme,
    asked,
    authorize,
    decide,
    people_fixture,
    signed_in,
)
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture
from tests.web.browsing import csrf_from

FORBIDDEN = re.compile(r"CANARY|accommodat|extended time|multiplier", re.IGNORECASE)
NAV = re.compile(r'<nav aria-label="Main">.*?</nav>', re.DOTALL)


def granted(client: TestClient, people: People, who: str, **requested: Any) -> str:
    """A request of `who` approved as asked by the reviewer."""
    request_id = asked(client, people["headers"][who], **requested)
    assert decide(client, people["headers"]["rita"], request_id, decision="approve").status_code == 200
    return request_id


def new_sitting(client: TestClient, people: People, candidates: list[dict[str, Any]]) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "exam_id": people["exam_id"],
        "opens_at": (now - timedelta(minutes=5)).isoformat(),
        "closes_at": (now + timedelta(hours=3)).isoformat(),
        "proctor_ids": [people["users"]["proctor"].id],
        "candidates": candidates,
    }
    created = client.post("/api/v1/sittings", headers=people["headers"]["admin"], json=body)
    assert created.status_code == 201, created.text
    return enrolled(client, people, created.json()["sitting_id"])


def enrolled(client: TestClient, people: People, sitting_id: str) -> dict[str, Any]:
    """user name -> (time_multiplier, extra_minutes) of the sitting's enrolments."""
    view = client.get(f"/api/v1/sittings/{sitting_id}", headers=people["headers"]["admin"]).json()
    names = {u.id: name for name, u in people["users"].items()}
    return {"sitting_id": sitting_id} | {
        names[c["user_id"]]: (c["time_multiplier"], c["extra_minutes"]) for c in view["candidates"]
    }


def test_the_grant_applies_to_later_enrolments_and_the_larger_time_wins(
    app_client: TestClient, people: People, services: Services
) -> None:
    headers, users = people["headers"], people["users"]
    cara_request = asked(app_client, headers["cara"], other=OTHER)  # cara is enrolled already: not retroactive
    granted(app_client, people, "nina", time_multiplier=1.5, extra_minutes=10, other=OTHER)
    add_scheme(services, [], "OTHER")
    assert asked(app_client, headers["carl"], scheme="OTHER", extra_minutes=50)
    carl_other = app_client.get("/api/v1/accommodation-requests", params={"scheme": "OTHER"}, headers=headers["rita"])
    decide(app_client, headers["rita"], carl_other.json()["items"][0]["request_id"], decision="approve")
    decide(app_client, headers["rita"], cara_request, decision="approve")

    one = app_client.post(
        f"/api/v1/sittings/{people['sitting_id']}/candidates",
        headers=headers["admin"],
        json={"user_id": users["nina"].id},
    )
    assert one.status_code == 201, one.text
    assert (one.json()["time_multiplier"], one.json()["extra_minutes"]) == (1.5, 10)
    assert enrolled(app_client, people, people["sitting_id"])["cara"] == (1.0, 0)

    plain = new_sitting(app_client, people, [{"user_id": users["nina"].id}, {"user_id": users["carl"].id}])
    assert plain["nina"] == (1.5, 10) and plain["carl"] == (1.0, 0)  # carl's grant is for another scheme
    more = new_sitting(app_client, people, [{"user_id": users["nina"].id, "time_multiplier": 2.0}])
    assert more["nina"] == (2.0, 10)
    mixed = new_sitting(
        app_client, people, [{"user_id": users["nina"].id, "time_multiplier": 1.2, "extra_minutes": 20}]
    )
    assert mixed["nina"] == (1.5, 20)
    wrong = app_client.post(
        "/api/v1/sittings",
        headers=headers["admin"],
        json={
            "exam_id": people["exam_id"],
            "opens_at": datetime.now(UTC).isoformat(),
            "closes_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
            "candidates": [{"user_id": users["nina"].id, "time_multiplier": 9}],
        },
    )
    assert wrong.status_code == 422  # the admin's own value is still checked, not hidden behind the grant


def test_the_admin_pages_apply_the_grant_to_a_csv_and_to_one_candidate(app_client: TestClient, people: People) -> None:
    granted(app_client, people, "nina", time_multiplier=1.5, extra_minutes=10)
    admin = signed_in(app_client, "admin")
    sitting_url = f"/admin/exams/{people['exam_id']}/sittings"
    now = datetime.now(UTC)
    form = {
        "csrf_token": csrf_from(admin.get(sitting_url + "/new")),
        "title": "Afternoon",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=1, hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "location": "Room 2",
        "proctor_ids": people["users"]["proctor"].id,
    }
    rows = b"email,time_multiplier,extra_minutes\nnina@example.org,1.25,30\ncarl@example.org,,\n"
    created = admin.post(
        sitting_url, data=form, files={"candidates": ("c.csv", rows, "text/csv")}, follow_redirects=False
    )
    assert created.status_code == 303, created.text
    sitting_id = created.headers["location"].rsplit("/", 1)[1]
    by_csv = enrolled(app_client, people, sitting_id)
    assert by_csv["nina"] == (1.5, 30) and by_csv["carl"] == (1.0, 0)

    page = f"/admin/sittings/{sitting_id}"
    token = csrf_from(admin.get(page))
    removed = admin.post(f"{page}/candidates/{people['users']['nina'].id}/remove", data={"csrf_token": token})
    assert removed.status_code in (200, 303)
    added = admin.post(
        f"{page}/candidates",
        data={"csrf_token": token, "user_id": people["users"]["nina"].id, "time_multiplier": "1", "extra_minutes": "0"},
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text
    assert enrolled(app_client, people, sitting_id)["nina"] == (1.5, 10)


def test_proctors_see_that_an_accommodation_applies_never_why(
    app_client: TestClient, people: People, services: Services
) -> None:
    headers, users = people["headers"], people["users"]
    granted(app_client, people, "nina", extra_minutes=10, other=OTHER)
    app_client.post(
        f"/api/v1/sittings/{people['sitting_id']}/candidates",
        headers=headers["admin"],
        json={"user_id": users["nina"].id},
    )
    authorize(services, users["nina"].id)
    attempt = start(app_client, people, "nina").json()
    proctor = signed_in(app_client, "proctor")
    board = proctor.get(f"/proctor/sittings/{people['sitting_id']}")
    assert board.status_code == 200
    rows = {row.split("</td>")[0]: row for row in board.text.split("<tr")[2:]}
    nina = next(row for key, row in rows.items() if "nina@example.org" in key)
    carl = next(row for key, row in rows.items() if "carl@example.org" in key)
    cara = next(row for key, row in rows.items() if "cara@example.org" in key)
    assert '<span class="flag">Extended time, Accommodation</span>' in nina
    assert '<span class="flag">Extended time</span>' in carl  # the admin's own 1.5: no request behind it
    assert "flag" not in cara
    timeline = proctor.get(f"/proctor/attempts/{attempt['attempt_id']}")
    assert "<dt>Accommodation</dt><dd>Extended time, Accommodation" in timeline.text
    sitting_json = app_client.get(f"/api/v1/sittings/{people['sitting_id']}", headers=headers["proctor"])
    for shown in (board.text, timeline.text, sitting_json.text):
        assert "CANARY" not in shown and "a reader" not in shown


def test_no_result_export_or_certificate_mentions_an_accommodation(
    app_client: TestClient,
    program: Program,  # noqa: F811
    services: Services,
    make_user: Any,
) -> None:
    exam_id, _ = program.exam(essay=False)
    add_scheme(services, [exam_id])
    candidate = program.candidates[0]
    reviewer = make_user("rita@example.org", "eligibility_reviewer")
    now = datetime.now(UTC)
    request = program.call(
        accommodations.submit_request,
        user_id=candidate.id,
        scheme_code="SAFE",
        requested=Terms(1.5, 15, OTHER),
        statement=STATEMENT,
        now=now,
    )
    program.call(
        accommodation_decisions.decide,
        request_id=request.request_id,
        actor_id=reviewer.id,
        roles={"eligibility_reviewer"},
        decision="approve",
        approved=None,
        reason="REASON-CANARY",
        now=now,
    )

    def schedule(*, session: Session) -> sittings.SittingView:
        return accommodated_enrolment.create_sitting(
            session=session,
            exam_id=exam_id,
            candidates=[sittings.EnrollmentRequest(candidate.id)],
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=3),
            proctor_ids=[],
            actor_id=program.admin.id,
        )

    view = program.call(schedule)
    assert (view.candidates[0].time_multiplier, view.candidates[0].extra_minutes) == (1.5, 15)
    attempt_id = program.take(view.sitting_id, candidate, PERFECT)
    certificate = program.call(issuing.issue_if_due, attempt_id=attempt_id, now=datetime.now(UTC))
    assert certificate is not None
    code = certificate.code
    # what the submit's workflow does after the certificate (programs.credentials: the scheme's credential)
    assert program.call(credentials.award_for_attempt, attempt_id=attempt_id, at=certificate.issued_at) == "awarded"

    admin, owner = signed_in(app_client, "admin"), signed_in(app_client, "cand0")
    admin_api, owner_api = bearer(app_client, "admin@example.org"), bearer(app_client, "cand0@example.org")
    shown = {
        "results csv (API)": app_client.get(f"/api/v1/exams/{exam_id}/results.csv", headers=admin_api),
        "results csv (page)": admin.get(f"/admin/exams/{exam_id}/results.csv"),
        "results page": admin.get(f"/admin/exams/{exam_id}/results"),
        "result API": app_client.get(f"/api/v1/attempts/{attempt_id}/result", headers=owner_api),
        "result page": owner.get(f"/candidate/attempts/{attempt_id}/done"),
        "certificate (candidate)": owner.get(f"/candidate/certificates/{code}"),
        "certificate (admin)": admin.get(f"/admin/certificates/{code}"),
        "certificate (public)": app_client.get(f"/verify/{code}"),
        "certificate (API)": app_client.get(f"/api/v1/certificates/{code}"),
    }
    held = app_client.get("/api/v1/credentials", params={"mine": "true"}, headers=owner_api).json()["items"]
    assert [c["scheme"] for c in held] == ["SAFE"]
    number = held[0]["number"]
    shown |= {
        "credential (API)": app_client.get(f"/api/v1/credentials/{number}", headers=owner_api),
        "credential page": owner.get(f"/credentials/{number}"),
        "registry entry (API)": app_client.get("/api/v1/registry", params={"number": number}),
        "registry page": app_client.get("/registry", params={"number": number}),
        "verification": app_client.get(f"/verify/{number}"),
        "Open Badges credential": app_client.get(f"/api/v1/credentials/{number}/ob3", headers=owner_api),
    }
    for name, response in shown.items():
        assert response.status_code == 200, name
        body = response.text
        assert any(fact in body for fact in (candidate.email, "Candidate 0", code, attempt_id, number)), name
        body = NAV.sub("", body)  # the site's menu offers the accommodation pages to whoever may use them
        assert not FORBIDDEN.search(body), (name, FORBIDDEN.search(body))
