"""Eligibility applications (API.md "Applications and authorization to test"), on both engines: the status table
pair by pair, the evidence rules, the handbook acknowledgement, what is missing, the decision rules (nobody decides
their own application, a reason to deny or ask, one authorization with the scheme's window, the appeal period),
who may see what, and two decisions at once."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.clock import utcnow
from examengine.context import Services
from examengine.db import Database
from examengine.errors import Conflict
from examengine.programs import application_decisions, application_states
from examengine.programs.evidence import MAX_BYTES
from examengine.programs.models import Application, ApplicationStatus, Authorization, SchemeKind
from tests.conftest import TEST_PASSWORD
from tests.programs.schemes_for_tests import PDF, PNG, insert_scheme, publish_handbook

S = ApplicationStatus
ALLOWED = {
    (S.DRAFT, S.SUBMITTED),
    (S.DRAFT, S.WITHDRAWN),
    (S.SUBMITTED, S.INFO_REQUESTED),
    (S.SUBMITTED, S.APPROVED),
    (S.SUBMITTED, S.DENIED),
    (S.SUBMITTED, S.WITHDRAWN),
    (S.INFO_REQUESTED, S.SUBMITTED),
    (S.INFO_REQUESTED, S.WITHDRAWN),
}
People = dict[str, Any]


def bearer(client: TestClient, email: str) -> dict[str, str]:
    token = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def people(app_client: TestClient, make_user: Callable[..., Any], db: Database) -> People:
    users = {
        "cara": make_user("cara@example.org", "candidate", name="Cara Candidate"),
        "carl": make_user("carl@example.org", "candidate", name="Carl Candidate"),
        "rita": make_user("rita@example.org", "eligibility_reviewer", name="Rita Reviewer"),
        "rhea": make_user("rhea@example.org", "eligibility_reviewer", name="Rhea Reviewer"),
        "ada": make_user("ada@example.org", "admin", name="Ada Admin"),
        "pete": make_user("pete@example.org", "proctor", name="Pete Proctor"),
        "ray": make_user("ray@example.org", "candidate", "eligibility_reviewer", name="Ray Both"),
    }
    scheme_id = insert_scheme(db)
    insert_scheme(db, code="ATTEND", kind=SchemeKind.CERTIFICATE_OF_ATTENDANCE, pathways=[])
    headers = {name: bearer(app_client, f"{name}@example.org") for name in users}
    return {"users": users, "h": headers, "scheme_id": scheme_id}


def apply(client: TestClient, p: People, who: str = "cara", pathway: str = "degree") -> str:
    made = client.post("/api/v1/schemes/SAFE/applications", headers=p["h"][who], json={"pathway": pathway})
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "draft"
    return str(made.json()["application_id"])


def upload(
    client: TestClient,
    p: People,
    app_id: str,
    requirement: str,
    data: bytes,
    who: str = "cara",
    name: str = "proof.pdf",
) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/evidence",
        headers=p["h"][who],
        data={"requirement": requirement},
        files={"file": (name, data, "application/octet-stream")},
    )


def attest(client: TestClient, p: People, app_id: str, requirement: str, who: str = "cara") -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/evidence",
        headers=p["h"][who],
        json={"requirement": requirement, "attestation": True},
    )


def submit(client: TestClient, p: People, app_id: str, version: str = "2026.1", who: str = "cara") -> Any:
    return client.post(f"/api/v1/applications/{app_id}/submit", headers=p["h"][who], json={"handbook_version": version})


def submitted(client: TestClient, p: People, who: str = "cara") -> str:
    app_id = apply(client, p, who)
    assert upload(client, p, app_id, "degree", PDF, who).status_code == 201
    assert attest(client, p, app_id, "experience", who).status_code == 201
    done = submit(client, p, app_id, who=who)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "submitted"
    return app_id


def decide(
    client: TestClient, p: People, app_id: str, decision: str, reason: str | None = None, who: str = "rita"
) -> Any:
    body: dict[str, Any] = {"decision": decision}
    if reason is not None:
        body["reason"] = reason
    return client.post(f"/api/v1/applications/{app_id}/decision", headers=p["h"][who], json=body)


def error_code(response: Any) -> str:
    return str(response.json()["error"]["code"])


@pytest.mark.parametrize(("start", "to"), list(itertools.product(S, S)))
def test_every_status_pair_is_allowed_or_refused_by_the_table(
    db: Database, make_user: Callable[..., Any], start: ApplicationStatus, to: ApplicationStatus
) -> None:
    user = make_user("cara@example.org", "candidate")
    scheme_id = insert_scheme(db)

    def attempt_move(*, session: Session) -> ApplicationStatus:
        application = Application(
            scheme_id=scheme_id, user_id=user.id, pathway="degree", status=start, created_at=utcnow()
        )
        session.add(application)
        session.flush()
        try:
            application_states.move(session, application, to)
        except Conflict as refusal:
            assert refusal.code == f"application_{start.value}"
        return application.status

    stored = db.call(attempt_move)
    assert application_states.allowed(start, to) == ((start, to) in ALLOWED)
    assert stored == (to if (start, to) in ALLOWED else start)


def test_applying_names_a_pathway_of_a_scheme_that_takes_applications(app_client: TestClient, people: People) -> None:
    h = people["h"]
    unknown = app_client.post("/api/v1/schemes/SAFE/applications", headers=h["cara"], json={"pathway": "magic"})
    assert unknown.status_code == 422 and error_code(unknown) == "unknown_pathway"
    assert unknown.json()["error"]["details"]["pathways"] == ["degree", "experience"]
    attendance = app_client.post("/api/v1/schemes/ATTEND/applications", headers=h["cara"], json={"pathway": "x"})
    assert attendance.status_code == 409 and error_code(attendance) == "scheme_takes_no_applications"
    nowhere = app_client.post("/api/v1/schemes/NOPE/applications", headers=h["cara"], json={"pathway": "degree"})
    assert nowhere.status_code == 404 and error_code(nowhere) == "scheme_not_found"
    reviewer = app_client.post("/api/v1/schemes/SAFE/applications", headers=h["rita"], json={"pathway": "degree"})
    assert reviewer.status_code == 403
    app_id = apply(app_client, people)
    shown = app_client.get(f"/api/v1/applications/{app_id}", headers=h["cara"]).json()
    assert shown["status"] == "draft" and shown["scheme"] == "SAFE" and shown["pathway"] == "degree"
    assert shown["missing_requirements"] == ["degree", "experience"] and shown["evidence"] == []
    assert "decision" not in shown or shown["decision"] is None


def test_evidence_is_typed_by_its_bytes_limited_in_size_and_given_only_by_the_applicant(
    app_client: TestClient, people: People
) -> None:
    app_id = apply(app_client, people)
    named_png = upload(app_client, people, app_id, "degree", PDF, name="scan.png")
    assert named_png.status_code == 201, named_png.text
    assert named_png.json()["content_type"] == "application/pdf" and named_png.json()["requirement"] == "degree"
    image = upload(app_client, people, app_id, "degree", PNG, name="scan.pdf")
    assert image.status_code == 201 and image.json()["content_type"] == "image/png"
    script = upload(app_client, people, app_id, "degree", b"<html><script>alert(1)</script>", name="x.pdf")
    assert script.status_code == 415 and error_code(script) == "evidence_type"
    huge = upload(app_client, people, app_id, "degree", PDF + b"0" * MAX_BYTES)
    assert huge.status_code == 413 and error_code(huge) == "evidence_too_large"
    assert upload(app_client, people, app_id, "degree", b"").status_code == 422
    unknown = upload(app_client, people, app_id, "hobbies", PDF)
    assert unknown.status_code == 422 and error_code(unknown) == "unknown_requirement"
    attested_file = attest(app_client, people, app_id, "degree")
    assert attested_file.status_code == 422 and error_code(attested_file) == "file_required"
    assert upload(app_client, people, app_id, "degree", PDF, who="carl").status_code == 404
    by_reviewer = app_client.post(
        f"/api/v1/applications/{app_id}/evidence",
        headers=people["h"]["rita"],
        json={"requirement": "experience", "attestation": True},
    )
    assert by_reviewer.status_code == 403  # the route is the applicant's (candidates)
    by_both = attest(app_client, people, app_id, "experience", who="ray")
    assert by_both.status_code == 403 and error_code(by_both) == "not_applicant"
    assert attest(app_client, people, app_id, "experience").status_code == 201
    as_text = app_client.post(
        f"/api/v1/applications/{app_id}/evidence",
        headers=people["h"]["cara"],
        content=b"x",
        params={},
        files=None,
    )
    assert as_text.status_code in (400, 415)

    assert submit(app_client, people, app_id).status_code == 200
    frozen = upload(app_client, people, app_id, "degree", PDF)
    assert frozen.status_code == 409 and error_code(frozen) == "evidence_frozen"
    assert attest(app_client, people, app_id, "experience").status_code == 409
    assert decide(app_client, people, app_id, "request_info", "A clearer scan, please.").status_code == 200
    assert upload(app_client, people, app_id, "degree", PDF).status_code == 201  # more, as asked
    evidence = app_client.get(f"/api/v1/applications/{app_id}", headers=people["h"]["cara"]).json()["evidence"]
    assert [e["requirement"] for e in evidence] == ["degree", "degree", "experience", "degree"]


def test_submission_acknowledges_the_current_handbook(app_client: TestClient, people: People, db: Database) -> None:
    app_id = apply(app_client, people)
    upload(app_client, people, app_id, "degree", PDF)
    attest(app_client, people, app_id, "experience")
    publish_handbook(db, people["scheme_id"], "2026.2")
    old = submit(app_client, people, app_id, "2026.1")
    assert old.status_code == 409 and error_code(old) == "handbook_not_acknowledged"
    assert old.json()["error"]["details"]["current_version"] == "2026.2"
    assert submit(app_client, people, app_id, "2099.9").status_code == 409
    done = submit(app_client, people, app_id, "2026.2")
    assert done.status_code == 200
    shown = app_client.get(f"/api/v1/applications/{app_id}", headers=people["h"]["cara"]).json()
    assert shown["handbook_version"] == "2026.2" and shown["status"] == "submitted"


def test_submission_names_the_requirements_still_missing(app_client: TestClient, people: People) -> None:
    app_id = apply(app_client, people)
    nothing = submit(app_client, people, app_id)
    assert nothing.status_code == 409 and error_code(nothing) == "evidence_missing"
    assert nothing.json()["error"]["details"]["requirements"] == ["degree", "experience"]
    attest(app_client, people, app_id, "experience")
    still = submit(app_client, people, app_id)
    assert still.json()["error"]["details"]["requirements"] == ["degree"]
    other = apply(app_client, people, pathway="experience")
    attest(app_client, people, other, "years")
    assert submit(app_client, people, other).status_code == 200


def test_decision_rules(app_client: TestClient, people: People, services: Services) -> None:
    own = submitted(app_client, people, who="ray")
    refused = decide(app_client, people, own, "approve", who="ray")
    assert refused.status_code == 403 and error_code(refused) == "own_application"
    assert decide(app_client, people, own, "approve", who="cara").status_code == 403  # not a reviewer

    app_id = submitted(app_client, people)
    for decision in ("deny", "request_info"):
        for reason in (None, "", "   "):
            empty = decide(app_client, people, app_id, decision, reason)
            assert empty.status_code == 422 and error_code(empty) == "reason_required", (decision, reason)
    draft = apply(app_client, people, who="carl")
    not_submitted = decide(app_client, people, draft, "approve")
    assert not_submitted.status_code == 409 and error_code(not_submitted) == "application_draft"

    approved = decide(app_client, people, app_id, "approve")
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved" and body["decision"]["decision"] == "approve"
    decided_at = datetime.fromisoformat(body["decision"]["decided_at"])
    again = decide(app_client, people, app_id, "approve", who="ada")
    assert again.status_code == 409 and error_code(again) == "application_approved"

    def authorizations(*, session: Session) -> list[Authorization]:
        return list(session.scalars(select(Authorization).where(col(Authorization.application_id) == app_id)))

    found = services.db.call(authorizations, write=False)
    assert len(found) == 1 and body["authorization_id"] == found[0].id
    one = found[0]
    assert one.eligible_from == decided_at and one.eligible_until == decided_at + timedelta(days=180)
    assert one.attempts_allowed == 2 and one.issued_by == people["users"]["rita"].id
    assert one.user_id == people["users"]["cara"].id and one.scheme_id == people["scheme_id"]

    denied_id = submitted(app_client, people, who="carl")
    denied = decide(app_client, people, denied_id, "deny", "Your degree is not in a relevant field.", who="ada")
    assert denied.status_code == 200
    decision = denied.json()["decision"]
    assert denied.json()["status"] == "denied" and decision["reason"] == "Your degree is not in a relevant field."
    assert datetime.fromisoformat(decision["appeal_until"]) == datetime.fromisoformat(
        decision["decided_at"]
    ) + timedelta(days=30)
    assert denied.json()["authorization_id"] is None
    withdrawn = app_client.post(f"/api/v1/applications/{denied_id}/withdraw", headers=people["h"]["carl"])
    assert withdrawn.status_code == 409 and error_code(withdrawn) == "application_denied"

    def audit(*, session: Session) -> list[tuple[str, str, str | None]]:
        rows = session.scalars(select(AuditRecord).order_by(col(AuditRecord.id)))
        return [(str(r.kind), r.subject, r.detail.get("decision")) for r in rows if str(r.kind).startswith("appl")]

    trail = services.db.call(audit, write=False)
    assert ("application_decided", f"application:{app_id}", "approve") in trail
    assert ("application_submitted", f"application:{denied_id}", None) in trail
    assert ("application_decided", f"application:{denied_id}", "deny") in trail


def test_request_info_then_resubmit_then_withdraw(app_client: TestClient, people: People, services: Services) -> None:
    app_id = submitted(app_client, people)
    asked = decide(app_client, people, app_id, "request_info", "Send the second page too.")
    assert asked.json()["status"] == "info_requested"
    assert asked.json()["decision"] == {
        "decision": "request_info",
        "reason": "Send the second page too.",
        "decided_at": asked.json()["decision"]["decided_at"],
        "appeal_until": None,
    }
    assert upload(app_client, people, app_id, "degree", PNG).status_code == 201
    assert submit(app_client, people, app_id).status_code == 200
    gone = app_client.post(f"/api/v1/applications/{app_id}/withdraw", headers=people["h"]["cara"])
    assert gone.status_code == 200 and gone.json()["status"] == "withdrawn"
    assert decide(app_client, people, app_id, "approve").status_code == 409
    not_theirs = app_client.post(f"/api/v1/applications/{app_id}/withdraw", headers=people["h"]["carl"])
    assert not_theirs.status_code == 404

    def kinds(*, session: Session) -> list[str]:
        rows = session.scalars(select(AuditRecord).where(col(AuditRecord.subject) == f"application:{app_id}"))
        return [str(r.kind) for r in rows]

    assert services.db.call(kinds, write=False) == [
        AuditKind.APPLICATION_SUBMITTED,
        AuditKind.APPLICATION_DECIDED,
        AuditKind.APPLICATION_SUBMITTED,
        AuditKind.APPLICATION_WITHDRAWN,
    ]


def test_only_the_applicant_reviewers_and_admins_see_an_application(app_client: TestClient, people: People) -> None:
    h = people["h"]
    app_id = submitted(app_client, people)
    url = f"/api/v1/applications/{app_id}"
    for who in ("cara", "rita", "ada", "ray"):
        assert app_client.get(url, headers=h[who]).status_code == 200, who
    assert app_client.get(url, headers=h["carl"]).status_code == 404
    assert app_client.get(url, headers=h["pete"]).status_code == 403  # the role gate
    assert app_client.get("/api/v1/applications/" + "0" * 32, headers=h["rita"]).status_code == 404

    evidence = app_client.get(url, headers=h["cara"]).json()["evidence"]
    file_url = next(e["url"] for e in evidence if not e["attestation"])
    assert next(e["url"] for e in evidence if e["attestation"]) is None
    for who in ("cara", "rita", "ada"):
        got = app_client.get(file_url, headers=h[who])
        assert got.status_code == 200 and got.content == PDF, who
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        assert got.headers["content-disposition"].startswith("attachment;")
    assert app_client.get(file_url, headers=h["carl"]).status_code == 404
    other = apply(app_client, people, who="carl")
    evidence_id = file_url.rsplit("/", 1)[-1]
    wrong = app_client.get(f"/api/v1/applications/{other}/evidence/{evidence_id}", headers=h["rita"])
    assert wrong.status_code == 404


def test_the_queue_lists_oldest_submitted_first_and_a_candidate_lists_their_own(
    app_client: TestClient, people: People
) -> None:
    h = people["h"]
    first = submitted(app_client, people, who="carl")
    second = submitted(app_client, people, who="cara")
    draft = apply(app_client, people, who="cara")
    queue = app_client.get("/api/v1/applications?status=submitted&scheme=SAFE", headers=h["rita"]).json()
    assert [row["application_id"] for row in queue["items"]] == [first, second]
    assert queue["items"][0]["applicant_name"] == "Carl Candidate" and queue["next_cursor"] is None
    paged = app_client.get("/api/v1/applications?status=submitted&limit=1", headers=h["ada"]).json()
    assert [r["application_id"] for r in paged["items"]] == [first] and paged["next_cursor"] == first
    rest = app_client.get(f"/api/v1/applications?status=submitted&limit=1&cursor={first}", headers=h["ada"]).json()
    assert [r["application_id"] for r in rest["items"]] == [second]
    assert app_client.get("/api/v1/applications?scheme=OTHER", headers=h["rita"]).json()["items"] == []
    only_hers = app_client.get("/api/v1/applications", headers=h["cara"]).json()["items"]
    assert {row["application_id"] for row in only_hers} == {second, draft}
    assert app_client.get("/api/v1/applications?mine=true", headers=h["rita"]).json()["items"] == []
    mine = app_client.get("/api/v1/applications?mine=true", headers=h["cara"]).json()["items"]
    assert {row["application_id"] for row in mine} == {second, draft}
    assert app_client.get("/api/v1/applications?status=bogus", headers=h["rita"]).status_code == 422


def test_two_decisions_at_once_one_wins(app_client: TestClient, people: People, services: Services) -> None:
    rita, rhea = people["users"]["rita"].id, people["users"]["rhea"].id
    roles = frozenset({"eligibility_reviewer"})
    stale_id = submitted(app_client, people)

    def decided_under_a_stale_read(*, session: Session) -> str:
        session.get(Application, stale_id)  # read as submitted, then another reviewer denies it
        session.execute(
            update(Application)
            .where(col(Application.id) == stale_id)
            .values(status=S.DENIED, decided_by=rhea)
            .execution_options(synchronize_session=False)
        )
        try:
            application_decisions.decide(
                session=session,
                application_id=stale_id,
                user_id=rita,
                roles=roles,
                decision=application_decisions.Decision.APPROVE,
                reason=None,
                now=utcnow(),
            )
        except Conflict as refusal:
            return refusal.code
        return "approved"

    assert services.db.call(decided_under_a_stale_read) == "application_denied"

    racing_id = submitted(app_client, people, who="carl")

    def one(user_id: str, decision: application_decisions.Decision) -> str:
        try:
            services.db.call(
                application_decisions.decide,
                application_id=racing_id,
                user_id=user_id,
                roles=roles,
                decision=decision,
                reason="Not eligible.",
                now=utcnow(),
            )
        except Conflict as refusal:
            return refusal.code
        return "won"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(
            pool.map(one, (rita, rhea), (application_decisions.Decision.APPROVE, application_decisions.Decision.DENY))
        )
    assert sorted(outcomes)[-1] == "won" and outcomes.count("won") == 1, outcomes

    def stored(*, session: Session) -> tuple[str, int]:
        application = session.get(Application, racing_id)
        assert application is not None
        count = len(list(session.scalars(select(Authorization).where(col(Authorization.application_id) == racing_id))))
        return str(application.status), count

    status, count = services.db.call(stored, write=False)
    assert (status, count) in {("approved", 1), ("denied", 0)}
