"""Results withheld after an incident (API.md "Score reports, incidents, appeals"): a proctor's incident with hold
or a termination withholds the result (the candidate sees "received"), no certificate is issued meanwhile; an
admin releases it (the certificate follows) or invalidates it (certificate and credential revoked, the appeal
period opens), once, with a reason; how it meets the termination decision; who may decide."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.audit.models import AuditRecord
from examengine.certificates import issuing
from examengine.context import Services
from examengine.delivery import attempts
from examengine.delivery.models import Attempt
from examengine.programs import credentials
from examengine.programs.models import CredentialEvent, IncidentDecision, ProgramCredential
from tests.conftest import TEST_PASSWORD
from tests.programs.report_setup import build_program, cand, credential_for, get, in_scheme, token
from tests.scoring.conftest import PERFECT, Program
from tests.web.browsing import csrf_from, log_in

ADMIN = "admin@example.org"


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    make_user("proctor@example.org", "proctor")
    return build_program(services, make_user)


def incident(client: TestClient, attempt_id: str, *, hold: bool = True, category: str | None = "conduct") -> Any:
    body: dict[str, Any] = {"text": "Phone on the desk", "hold": hold}
    if category:
        body["category"] = category
    return client.post(f"/api/v1/attempts/{attempt_id}/notes", json=body, headers=token(client, ADMIN))


def decide(client: TestClient, attempt_id: str, decision: str, reason: str = "Reviewed it", who: str = ADMIN) -> Any:
    return client.post(
        f"/api/v1/attempts/{attempt_id}/incident-decision",
        json={"decision": decision, "reason": reason},
        headers=token(client, who),
    )


def result(client: TestClient, who: int, attempt_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(f"/api/v1/attempts/{attempt_id}/result", headers=token(client, cand(who))).json()
    return found


def held_attempt(client: TestClient, program: Program, sitting_id: str, who: int = 0) -> str:
    """An attempt with an incident reported with hold while it ran, then submitted and scored (a pass)."""
    attempt_id = program.begin(sitting_id, program.candidates[who], PERFECT)
    reported = incident(client, attempt_id)
    assert reported.status_code == 200, reported.text
    program.call(attempts.submit, attempt_id=attempt_id, user_id=program.candidates[who].id)
    program.score(attempt_id)
    return attempt_id


def certificate(program: Program, attempt_id: str) -> Any:
    return program.call(lambda *, session: issuing.certificate_of_attempt(session, attempt_id))


def sweep(program: Program) -> int:
    return program.call(issuing.issue_due, now=datetime.now(UTC))


def test_an_incident_with_hold_withholds_the_result_and_release_issues_the_certificate(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = held_attempt(app_client, program, sitting_id)
    withheld = result(app_client, 0, attempt_id)
    assert withheld["status"] == "received" and withheld["attempt_id"] == attempt_id
    assert withheld["withheld"] == "incident_hold" and "passed" not in {k for k, v in withheld.items() if v}
    assert sweep(program) == 0 and certificate(program, attempt_id) is None  # the scheduler's path issues nothing
    assert program.call(issuing.issue_if_due, attempt_id=attempt_id, now=datetime.now(UTC)) is None
    client = TestClient(app_client.app)
    assert log_in(client, cand(0), TEST_PASSWORD).status_code == 303
    page = client.get(f"/candidate/attempts/{attempt_id}/done")
    assert "under review" in page.text and "Score report" not in page.text
    released = decide(app_client, attempt_id, "release")
    assert released.status_code == 200, released.text
    body = released.json()
    assert body["decision"] == "release" and body["appeal_until"] is None and body["reason"] == "Reviewed it"
    assert certificate(program, attempt_id) is not None  # issued at once: the immediate release rule is due
    shown = result(app_client, 0, attempt_id)
    assert shown["status"] == "released" and shown["passed"] is True
    stored = get(program, IncidentDecision, attempt_id)
    assert stored.decision == "release" and stored.decided_by == program.admin.id


def test_a_released_result_under_manual_release_waits_for_the_release(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = program.exam(essay=False, result_release="manual")
    attempt_id = held_attempt(app_client, program, sitting_id)
    assert decide(app_client, attempt_id, "release").status_code == 200
    assert certificate(program, attempt_id) is None and result(app_client, 0, attempt_id)["withheld"] == "not_released"
    out = app_client.post(f"/api/v1/exams/{exam_id}/release", json={"version": 1}, headers=token(app_client, ADMIN))
    assert out.status_code == 200, out.text
    assert certificate(program, attempt_id) is not None


def test_invalidating_revokes_the_certificate_and_the_credential_and_opens_the_scheme_appeal_period(
    app_client: TestClient, program: Program
) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    scheme_id = in_scheme(program, exam_id, appeal_period="P45D")
    candidate = program.candidates[0]
    attempt_id = program.take(sitting_id, candidate, PERFECT)  # passed and released at once
    assert program.call(issuing.issue_if_due, attempt_id=attempt_id, now=datetime.now(UTC)) is not None
    credential_id = credential_for(program, scheme_id, candidate, attempt_id)
    assert incident(app_client, attempt_id).status_code == 200  # reported after the attempt
    assert result(app_client, 0, attempt_id)["withheld"] == "incident_hold"
    before = datetime.now(UTC)
    invalidated = decide(app_client, attempt_id, "invalidate", reason="Copied answers")
    assert invalidated.status_code == 200, invalidated.text
    body = invalidated.json()
    appeal_until = datetime.fromisoformat(body["appeal_until"])
    assert before + timedelta(days=45) <= appeal_until <= datetime.now(UTC) + timedelta(days=45)
    assert body["revoked_credential"] == "SAFE-2026-000001" and body["revoked_certificate"]
    revoked = certificate(program, attempt_id)
    assert revoked.revoked_at is not None and revoked.revoked_reason == "Copied answers"
    assert get(program, ProgramCredential, credential_id).revoked_at is not None

    def events(*, session: Session) -> list[tuple[str, str | None]]:
        rows = session.exec(select(CredentialEvent).where(col(CredentialEvent.credential_id) == credential_id))
        return [(e.kind, e.reason) for e in rows]

    assert program.call(events) == [("revoked", "Copied answers")]
    shown = result(app_client, 0, attempt_id)
    assert shown["status"] == "received" and shown["withheld"] == "invalidated" and shown.get("passed") is None
    assert sweep(program) == 0
    report = app_client.get(f"/api/v1/attempts/{attempt_id}/score-report", headers=token(app_client, cand(0)))
    assert report.status_code == 409 and report.json()["error"]["details"] == {"withheld": "invalidated"}

    def audited(*, session: Session) -> list[dict[str, Any]]:
        rows = session.exec(select(AuditRecord).where(col(AuditRecord.kind) == "incident_decided"))
        return [r.detail for r in rows]

    assert [d["decision"] for d in program.call(audited)] == ["invalidate"]


def test_an_exam_in_no_scheme_opens_thirty_days_to_appeal(app_client: TestClient, program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = held_attempt(app_client, program, sitting_id)
    before = datetime.now(UTC)
    body = decide(app_client, attempt_id, "invalidate").json()
    appeal_until = datetime.fromisoformat(body["appeal_until"])
    assert before + timedelta(days=30) <= appeal_until <= datetime.now(UTC) + timedelta(days=30)
    assert body["revoked_certificate"] is None and body["revoked_credential"] is None


def test_a_terminated_attempt_is_received_and_each_decision_records_its_termination_decision(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False, retake_policy={"max_attempts": 5})
    ended = []
    for who in (0, 1):
        attempt_id = program.begin(sitting_id, program.candidates[who], PERFECT)
        program.call(attempts.terminate, attempt_id=attempt_id, actor_id=program.admin.id, reason="phone")
        shown = result(app_client, who, attempt_id)
        assert shown == {**shown, "status": "received", "withheld": "termination_pending"}
        ended.append(attempt_id)
    assert decide(app_client, ended[0], "invalidate").status_code == 200
    assert decide(app_client, ended[1], "release").status_code == 200
    assert [get(program, Attempt, a).termination_decision for a in ended] == ["uphold", "allow_retake"]
    assert result(app_client, 0, ended[0])["withheld"] == "invalidated"
    assert result(app_client, 1, ended[1])["withheld"] == "no_result"  # cut short: never scored
    assert certificate(program, ended[1]) is None
    # a termination decided the old way settles the result: nothing is withheld any more
    third = program.begin(sitting_id, program.candidates[2], PERFECT)
    program.call(attempts.terminate, attempt_id=third, actor_id=program.admin.id, reason="phone")
    upheld = app_client.post(
        f"/api/v1/attempts/{third}/termination-decision",
        json={"decision": "void", "reason": "reviewed"},
        headers=token(app_client, ADMIN),
    )
    assert upheld.status_code == 200
    refused = decide(app_client, third, "invalidate")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "result_not_withheld"


def test_the_refusals(app_client: TestClient, program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    plain = program.take(sitting_id, program.candidates[1], PERFECT)
    refused = decide(app_client, plain, "release")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "result_not_withheld"
    running = program.begin(sitting_id, program.candidates[2], PERFECT)
    assert incident(app_client, running).status_code == 200
    refused = decide(app_client, running, "release")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "attempt_not_finished"
    attempt_id = held_attempt(app_client, program, sitting_id)
    for reason in ("", "   "):
        missing = decide(app_client, attempt_id, "invalidate", reason=reason)
        assert missing.status_code == 422 and missing.json()["error"]["code"] == "reason_required"
    no_reason = app_client.post(
        f"/api/v1/attempts/{attempt_id}/incident-decision",
        json={"decision": "release"},
        headers=token(app_client, ADMIN),
    )
    assert no_reason.status_code == 422 and no_reason.json()["error"]["code"] == "reason_required"
    for who in (cand(0), "proctor@example.org"):
        assert decide(app_client, attempt_id, "release", who=who).status_code == 403
    assert decide(app_client, "0" * 32, "release").status_code == 404
    assert decide(app_client, attempt_id, "release").status_code == 200
    again = decide(app_client, attempt_id, "invalidate")
    assert again.status_code == 409 and again.json()["error"]["code"] == "incident_decided"
    hold_on_a_note = incident(app_client, plain, category=None)
    assert hold_on_a_note.status_code == 422 and hold_on_a_note.json()["error"]["code"] == "hold_needs_incident"
    assert incident(app_client, plain, hold=False).status_code == 200
    assert result(app_client, 1, plain)["status"] == "released"  # an incident without hold holds nothing


def test_an_invalidated_pass_is_no_pass_for_the_retake_rules(app_client: TestClient, program: Program) -> None:
    _, sitting_id = program.exam(essay=False, retake_policy={"max_attempts": 5, "allow_after_pass": False})
    candidate = program.candidates[0]
    attempt_id = program.take(sitting_id, candidate, PERFECT)
    refused = app_client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=token(app_client, cand(0)))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "already_passed", refused.text
    assert incident(app_client, attempt_id).status_code == 200
    assert decide(app_client, attempt_id, "invalidate").status_code == 200
    again = app_client.post(f"/api/v1/sittings/{sitting_id}/attempts", headers=token(app_client, cand(0)))
    assert again.status_code in (200, 201), again.text


def test_the_admin_queue_lists_held_and_terminated_attempts_and_takes_the_decision(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False)
    held = held_attempt(app_client, program, sitting_id, who=0)
    ended = program.begin(sitting_id, program.candidates[1], PERFECT)
    program.call(attempts.terminate, attempt_id=ended, actor_id=program.admin.id, reason="Notes on the desk")
    program.take(sitting_id, program.candidates[2], PERFECT)  # nothing withheld: not listed
    admin = TestClient(app_client.app)
    assert log_in(admin, ADMIN, TEST_PASSWORD).status_code == 303
    page = admin.get("/admin/incidents")
    assert page.status_code == 200
    assert "Candidate 0" in page.text and "An incident report holds the result" in page.text
    assert "conduct incident (holds the result): Phone on the desk" in page.text
    assert "Candidate 1" in page.text and "The proctor terminated the attempt" in page.text
    assert "terminated: Notes on the desk" in page.text and "Candidate 2" not in page.text
    refused = admin.post(
        f"/admin/incidents/{held}/decision",
        data={"decision": "invalidate", "reason": " ", "csrf_token": csrf_from(page)},
    )
    assert refused.status_code == 422 and "Give the reason for the decision" in refused.text
    decided = admin.post(
        f"/admin/incidents/{held}/decision",
        data={"decision": "release", "reason": "Checked", "csrf_token": csrf_from(page)},
        follow_redirects=False,
    )
    assert decided.status_code == 303 and decided.headers["location"] == "/admin/incidents?notice=release"
    after = admin.get("/admin/incidents?notice=release")
    assert "The result was released." in after.text and "Candidate 0" not in after.text
    assert "Candidate 1" in after.text
    candidate = TestClient(app_client.app)
    assert log_in(candidate, cand(1), TEST_PASSWORD).status_code == 303
    assert candidate.get("/admin/incidents").status_code == 403


def test_a_released_pass_of_a_scheme_exam_earns_its_credential_and_a_held_one_none(
    app_client: TestClient, program: Program
) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    in_scheme(program, exam_id)
    attempt_id = held_attempt(app_client, program, sitting_id)
    assert sweep(program) == 0
    assert program.call(lambda *, session: credentials.credential_of_attempt(session, attempt_id)) is None
    assert decide(app_client, attempt_id, "release").status_code == 200
    awarded = program.call(lambda *, session: credentials.credential_of_attempt(session, attempt_id))
    assert awarded is not None and awarded.revoked_at is None


def _export_row(client: TestClient, exam_id: str, attempt_id: str) -> dict[str, str]:
    out = client.get(f"/api/v1/exams/{exam_id}/results.csv", headers=token(client, ADMIN))
    assert out.status_code == 200, out.text
    rows = list(csv.DictReader(io.StringIO(out.text)))
    return next(row for row in rows if row["attempt_id"] == attempt_id)


def test_the_results_export_says_withheld_then_invalidated_and_never_passed(
    app_client: TestClient, program: Program
) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    attempt_id = held_attempt(app_client, program, sitting_id)
    row = _export_row(app_client, exam_id, attempt_id)
    assert (row["status"], row["passed"]) == ("withheld", "")
    assert decide(app_client, attempt_id, "invalidate", "Copied answers").status_code == 200
    row = _export_row(app_client, exam_id, attempt_id)
    assert (row["status"], row["passed"]) == ("invalidated", "")
    assert row["raw_score"] != ""  # the scores stay on the record
    other = program.begin(sitting_id, program.candidates[1], PERFECT)
    program.call(attempts.submit, attempt_id=other, user_id=program.candidates[1].id)
    program.score(other)
    assert (_export_row(app_client, exam_id, other)["passed"]) == "true"


def test_the_admin_results_page_says_withheld_then_invalidated(app_client: TestClient, program: Program) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    attempt_id = held_attempt(app_client, program, sitting_id)
    admin = TestClient(app_client.app)
    assert log_in(admin, ADMIN, TEST_PASSWORD).status_code == 303
    assert "<td>withheld</td>" in admin.get(f"/admin/exams/{exam_id}/results").text
    assert decide(app_client, attempt_id, "invalidate", "Copied answers").status_code == 200
    page = admin.get(f"/admin/exams/{exam_id}/results").text
    assert "<td>invalidated</td>" in page and "<td>pass</td>" not in page
