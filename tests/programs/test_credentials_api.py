"""Credentials through the JSON API and through the release of a passing result (API.md "Credentials"), on both
engines: awarding once per attempt, renewing by exam with the same number, the holder's and the admin's routes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlmodel import col
from starlette.testclient import TestClient

from examengine import scheduler
from examengine.accounts.service import UserView
from examengine.certificates import issuing
from examengine.context import Services
from examengine.programs import credentials
from examengine.programs.credential_models import CredentialAward
from examengine.programs.models import ProgramCredential, SchemeKind
from tests.api.test_exams_api import bearer
from tests.programs.credential_helpers import attach_exam, award, make_scheme, stored
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture

Maker = Callable[..., UserView]


def _count(services: Services, model: Any) -> int:
    return int(
        services.db.call(lambda *, session: session.scalar(select(func.count()).select_from(model)), write=False)
    )


def test_a_released_pass_awards_once_and_a_second_pass_renews_by_exam(program: Program) -> None:  # noqa: F811
    services = program.services
    exam_id, sitting_id = program.exam(essay=False)
    scheme = make_scheme(services, cycle="P3Y", grace_period="P90D")
    attach_exam(services, scheme, exam_id)
    holder = program.candidates[0]
    first = program.take(sitting_id, holder, PERFECT)
    program.take(sitting_id, program.candidates[1], {"q1": "B"})  # fails: earns nothing
    scheduler.issue_due_certificates(services)
    scheduler.issue_due_certificates(services)  # again: nothing more
    assert _count(services, ProgramCredential) == 1
    certificate = program.call(lambda *, session: issuing.certificate_of_attempt(session, first))
    assert certificate is not None
    number = f"{scheme.code}-{certificate.issued_at.year}-000001"
    credential = stored(services, number)
    assert credential.attempt_id == first and credential.holder_name == "Candidate 0"
    assert credential.granted_at == credential.cycle_starts == certificate.issued_at
    assert credential.valid_until == credential.granted_at.replace(year=credential.granted_at.year + 3)
    assert program.call(credentials.award_for_attempt, attempt_id=first, at=certificate.issued_at) is None

    recertification_exam, recertification_sitting = program.exam(essay=False)  # a passed exam is not taken again
    attach_exam(services, scheme, recertification_exam)
    second = program.take(recertification_sitting, holder, PERFECT)
    issued = program.call(issuing.issue_if_due, attempt_id=second, now=datetime.now(UTC))
    assert issued is not None
    assert program.call(credentials.award_for_attempt, attempt_id=second, at=issued.issued_at) == "renewed"
    renewed = stored(services, number)
    assert renewed.cycle_starts == credential.valid_until
    assert renewed.valid_until == credential.granted_at.replace(year=credential.granted_at.year + 6)
    assert _count(services, CredentialAward) == 2
    for attempt_id in (first, second):  # what the incidents slice revokes when a result is invalidated
        found = program.call(lambda *, session, a=attempt_id: credentials.credential_of_attempt(session, a))
        assert found is not None and found.number == number


def test_a_pass_after_the_lapse_recertifies_and_one_while_suspended_does_nothing(
    program: Program,  # noqa: F811
) -> None:
    services = program.services
    exam_id, sitting_id = program.exam(essay=False)
    scheme = make_scheme(services)  # PT10S cycle, PT5S grace
    attach_exam(services, scheme, exam_id)
    holder = program.candidates[0]
    at = datetime.now(UTC)
    attempts = [program.take(sitting_id, holder, PERFECT)]
    for _ in range(2):  # a passed exam is not taken again: the scheme's other exams
        other_exam, other_sitting = program.exam(essay=False)
        attach_exam(services, scheme, other_exam)
        attempts.append(program.take(other_sitting, holder, PERFECT))
    assert program.call(credentials.award_for_attempt, attempt_id=attempts[0], at=at) == "awarded"
    number = stored_number(services)
    later = at + timedelta(seconds=30)
    assert program.call(credentials.award_for_attempt, attempt_id=attempts[1], at=later) == "recertified"
    credential = stored(services, number)
    assert (credential.cycle_starts, credential.valid_until) == (later, later + timedelta(seconds=10))
    program.call(credentials.suspend, number=number, reason="investigation", actor_id=program.admin.id, now=later)
    outcome = program.call(credentials.award_for_attempt, attempt_id=attempts[2], at=later + timedelta(seconds=1))
    assert outcome == "unchanged_suspended"
    assert stored(services, number).valid_until == later + timedelta(seconds=10)


def stored_number(services: Services) -> str:
    number = col(ProgramCredential.number)
    return str(services.db.call(lambda *, session: session.scalar(select(number)), write=False))


def _people(app_client: TestClient, make_user: Maker) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "holder": make_user("holder@example.org", "candidate", name="Hal Holder"),
        "other": make_user("other@example.org", "candidate"),
    }
    return {"users": users, "headers": {name: bearer(app_client, u.email) for name, u in users.items()}}


def test_the_holder_reads_records_ce_and_renews(app_client: TestClient, services: Services, make_user: Maker) -> None:
    people = _people(app_client, make_user)
    holder, other, admin = (people["headers"][n] for n in ("holder", "other", "admin"))
    now = datetime.now(UTC)
    number = award(services, make_scheme(services, cycle="P1Y", grace_period="P90D"), people["users"]["holder"], now)
    mine = app_client.get("/api/v1/credentials?mine=true", headers=holder).json()
    assert [c["number"] for c in mine["items"]] == [number] and mine["next_cursor"] is None
    assert app_client.get("/api/v1/credentials?mine=true", headers=other).json()["items"] == []
    one = app_client.get(f"/api/v1/credentials/{number}", headers=holder).json()
    assert {k: one[k] for k in ("number", "scheme", "kind", "status")} == {
        "number": number,
        "scheme": "SAFE",
        "kind": "certification",
        "status": "active",
    }
    assert one["holder"]["name"] == "Hal Holder" and one["valid_until"]
    assert app_client.get(f"/api/v1/credentials/{number}", headers=other).status_code == 404
    assert app_client.get(f"/api/v1/credentials/{number}", headers=admin).status_code == 200
    listed = app_client.get(f"/api/v1/credentials?user_id={people['users']['holder'].id}", headers=admin).json()
    assert [c["number"] for c in listed["items"]] == [number]
    assert (
        app_client.get(f"/api/v1/credentials?user_id={people['users']['holder'].id}", headers=other).status_code == 403
    )

    today = now.date().isoformat()
    activity = {
        "title": "Ethics in practice",
        "provider": "Board",
        "category": "ethics",
        "credits": 2,
        "completed_on": today,
    }
    assert app_client.post(f"/api/v1/credentials/{number}/ce", headers=other, json=activity).status_code == 404
    assert app_client.post(f"/api/v1/credentials/{number}/ce", headers=holder, json=activity).status_code == 201
    refused = app_client.post(f"/api/v1/credentials/{number}/renew", headers=holder)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "ce_shortfall"
    assert refused.json()["error"]["details"]["shortfall"] == {"total": 4, "by_category": {}}
    general = {**activity, "category": None, "credits": 4, "title": "Refresher"}
    assert app_client.post(f"/api/v1/credentials/{number}/ce", headers=holder, json=general).status_code == 201
    cycle = app_client.get(f"/api/v1/credentials/{number}/cycle", headers=holder).json()
    assert {k: cycle[k] for k in ("credits_required", "credits_earned", "by_category", "shortfall")} == {
        "credits_required": 6,
        "credits_earned": 6,
        "by_category": {"ethics": 2},
        "shortfall": {"total": 0, "by_category": {}},
    }
    before = app_client.get(f"/api/v1/credentials/{number}", headers=holder).json()["valid_until"]
    renewed = app_client.post(f"/api/v1/credentials/{number}/renew", headers=holder)
    assert renewed.status_code == 200 and renewed.json()["number"] == number
    assert renewed.json()["cycle_starts"] == before and renewed.json()["valid_until"] > before


def test_admins_suspend_reinstate_and_revoke(app_client: TestClient, services: Services, make_user: Maker) -> None:
    people = _people(app_client, make_user)
    admin, holder = people["headers"]["admin"], people["headers"]["holder"]
    number = award(services, make_scheme(services, cycle="P1Y"), people["users"]["holder"], datetime.now(UTC))
    url = f"/api/v1/credentials/{number}"
    assert app_client.post(f"{url}/suspend", headers=holder, json={"reason": "x"}).status_code == 403
    blank = app_client.post(f"{url}/suspend", headers=admin, json={"reason": " "})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "reason_required"
    assert app_client.post(f"{url}/suspend", headers=admin, json={}).json()["error"]["code"] == "reason_required"
    suspended = app_client.post(f"{url}/suspend", headers=admin, json={"reason": "under investigation"})
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    reinstated = app_client.post(f"{url}/reinstate", headers=admin, json={"reason": "cleared"})
    assert reinstated.status_code == 200 and reinstated.json()["status"] == "active"
    assert app_client.post(f"{url}/reinstate", headers=admin, json={"reason": "again"}).status_code == 409
    revoked = app_client.post(f"{url}/revoke", headers=admin, json={"reason": "fraud"})
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    for action in ("suspend", "reinstate", "revoke"):
        again = app_client.post(f"{url}/{action}", headers=admin, json={"reason": "again"})
        assert again.status_code == 409 and again.json()["error"]["code"] == "credential_revoked"
    assert app_client.post(f"{url}/renew", headers=holder).status_code == 409
    assert (
        app_client.post("/api/v1/credentials/NOPE-2026-000001/suspend", headers=admin, json={"reason": "x"}).status_code
        == 404
    )


def test_certificates_of_attendance_through_the_api(
    app_client: TestClient, services: Services, make_user: Maker
) -> None:
    people = _people(app_client, make_user)
    admin, holder = people["headers"]["admin"], people["headers"]["holder"]
    make_scheme(services, "CONF", kind=SchemeKind.CERTIFICATE_OF_ATTENDANCE, cycle=None, recertification=None)
    make_scheme(services)
    ids = [people["users"]["holder"].id, people["users"]["other"].id]
    body = {"user_ids": ids, "event": "Summit 2026", "attended_on": "2026-11-20"}
    assert app_client.post("/api/v1/schemes/CONF/attendance", headers=holder, json=body).status_code == 403
    made = app_client.post("/api/v1/schemes/CONF/attendance", headers=admin, json=body)
    assert made.status_code == 201, made.text
    items = made.json()["items"]
    assert [i["kind"] for i in items] == ["certificate_of_attendance"] * 2
    assert {(i["event"], i["attended_on"], i["valid_until"], i["attempt_id"]) for i in items} == {
        ("Summit 2026", "2026-11-20", None, None)
    }
    again = app_client.post("/api/v1/schemes/CONF/attendance", headers=admin, json=body)
    assert again.status_code == 409 and again.json()["error"]["details"]["user_ids"] == ids
    by_exam = app_client.post("/api/v1/schemes/SAFE/attendance", headers=admin, json=body)
    assert by_exam.status_code == 409 and by_exam.json()["error"]["code"] == "not_attendance_scheme"
    assert app_client.post("/api/v1/schemes/NONE/attendance", headers=admin, json=body).status_code == 404
    strangers = {**body, "user_ids": [ids[0], "f" * 32]}
    unknown = app_client.post("/api/v1/schemes/CONF/attendance", headers=admin, json=strangers)
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_users"
    assert unknown.json()["error"]["details"]["user_ids"] == ["f" * 32]
    number = items[0]["number"]
    assert app_client.get(f"/api/v1/credentials/{number}/cycle", headers=holder).status_code == 409
    assert app_client.post(f"/api/v1/credentials/{number}/renew", headers=holder).status_code == 409
