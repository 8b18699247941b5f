"""Each privileged action leaves a record in the global chain naming who did it and to what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.delivery import answers, attempts
from examengine.marking.slot_scores import mark_slot
from examengine.proctoring import notes
from examengine.scoring.release import release_results
from tests.audit.conftest import Program, check
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in, post_form


def audit(services: Services, kind: AuditKind | None = None) -> list[tuple[str, str | None, str, dict[str, Any]]]:
    def read(*, session: Session) -> list[tuple[str, str | None, str, dict[str, Any]]]:
        query = select(AuditRecord).order_by(col(AuditRecord.id))
        if kind is not None:
            query = query.where(col(AuditRecord.kind) == kind)
        return [(r.kind, r.actor_id, r.subject, r.detail) for r in session.scalars(query)]

    return services.db.call(read, write=False)


def test_logins_that_succeed_and_fail_are_recorded(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    ada = make_user("ada@example.org", "admin")
    assert log_in(app_client, "ada@example.org", "wrong password").status_code == 401
    assert log_in(TestClient(app_client.app), "nobody@example.org", "wrong password").status_code == 401
    assert log_in(app_client, "ada@example.org", TEST_PASSWORD).status_code == 303
    token = app_client.post("/api/v1/auth/token", json={"email": "ada@example.org", "password": TEST_PASSWORD})
    assert token.status_code == 201
    failed = audit(services, AuditKind.LOGIN_FAILED)
    assert [(actor, subject, detail["email"]) for _, actor, subject, detail in failed] == [
        (None, f"user:{ada.id}", "ada@example.org"),
        (None, "email:nobody@example.org", "nobody@example.org"),
    ]
    succeeded = audit(services, AuditKind.LOGIN_SUCCEEDED)
    assert [(actor, subject, detail["credential"]) for _, actor, subject, detail in succeeded] == [
        (ada.id, f"user:{ada.id}", "web"),
        (ada.id, f"user:{ada.id}", "api"),
    ]
    assert all(detail["address"] for *_, detail in failed + succeeded)


def test_every_refusal_with_403_is_recorded(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    carl = make_user("carl@example.org", "candidate")
    assert log_in(app_client, carl.email, TEST_PASSWORD).status_code == 303
    assert app_client.get("/admin/users").status_code == 403
    assert app_client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    bearer = app_client.post("/api/v1/auth/token", json={"email": carl.email, "password": TEST_PASSWORD}).json()
    headers = {"Authorization": f"Bearer {bearer['token']}"}
    assert app_client.get("/api/v1/audit", headers=headers).status_code == 403
    assert app_client.get("/api/v1/audit").status_code == 401  # not signed in: not a refusal of a known caller
    denied = audit(services, AuditKind.ACCESS_DENIED)
    assert [(actor, subject, detail["code"]) for _, actor, subject, detail in denied] == [
        (carl.id, "GET /admin/users", "role_required"),
        (carl.id, "POST /logout", "csrf_failed"),
        (carl.id, "GET /api/v1/audit", "role_required"),
    ]


def test_admin_changes_to_accounts_are_recorded(
    app_client: TestClient, make_user: Callable[..., UserView], services: Services
) -> None:
    ada = make_user("ada@example.org", "admin")
    assert log_in(app_client, ada.email, TEST_PASSWORD).status_code == 303
    created = post_form(
        app_client, "/admin/users", {"email": "bo@example.org", "name": "Bo", "roles": ["candidate"], "password": ""}
    )
    assert created.status_code == 303
    bo_id = created.headers["location"].split("/")[3].split("?")[0]
    page = f"/admin/users/{bo_id}"
    steps: list[tuple[str, dict[str, str | list[str]]]] = [
        (f"{page}/roles", {"roles": ["candidate", "proctor"]}),
        (f"{page}/password", {"password": "a brand new passphrase"}),
        (f"{page}/disable", {}),
        (f"{page}/enable", {}),
    ]
    for path, data in steps:
        assert post_form(app_client, path, data, from_page=page).status_code == 303, path
    recorded = [(kind, actor, subject) for kind, actor, subject, _ in audit(services) if subject == f"user:{bo_id}"]
    assert recorded == [
        (AuditKind.USER_CREATED, ada.id, f"user:{bo_id}"),
        (AuditKind.USER_INVITED, ada.id, f"user:{bo_id}"),  # no password given: invited by mail to set one
        (AuditKind.ROLE_CHANGED, ada.id, f"user:{bo_id}"),
        (AuditKind.PASSWORD_SET, ada.id, f"user:{bo_id}"),
        (AuditKind.USER_DISABLED, ada.id, f"user:{bo_id}"),
        (AuditKind.USER_ENABLED, ada.id, f"user:{bo_id}"),
    ]
    roles = next(d for k, _, s, d in audit(services, AuditKind.ROLE_CHANGED) if s == f"user:{bo_id}")
    assert roles == {"from": ["candidate"], "to": ["candidate", "proctor"]}
    assert "passphrase" not in str(audit(services))
    assert csrf_from(app_client.get("/admin/audit"))  # the page renders for the admin
    assert check(services).ok


def test_bank_exam_and_result_actions_are_recorded(program: Program) -> None:
    services, admin = program.services, program.admin
    transitions = audit(services, AuditKind.ITEM_TRANSITION)
    assert len(transitions) == 2 * len(program.items)  # review by the author, approval by the admin
    first_item = next(iter(program.items.values()))
    assert [
        (actor, detail["from"], detail["to"])
        for _, actor, subject, detail in transitions
        if subject == f"item:{first_item}/1"
    ] == [
        (transitions[0][1], "draft", "review"),
        (admin.id, "review", "approved"),
    ]
    exam_id, sitting_id = program.exam(essay=False, result_release="manual")
    assert [(a, s) for _, a, s, _ in audit(services, AuditKind.EXAM_PUBLISHED)] == [(admin.id, f"exam:{exam_id}/1")]
    program.take(sitting_id, program.candidates[0], {"q1": "A"})
    released = program.call(release_results, exam_id=exam_id, actor_id=admin.id, now=datetime.now(UTC), version=1)
    assert released == 1
    assert [(a, s, d) for _, a, s, d in audit(services, AuditKind.RESULTS_RELEASED)] == [
        (admin.id, f"exam:{exam_id}", {"version": 1, "sitting_id": None, "released": 1})
    ]
    assert check(services).ok


def test_proctor_actions_are_recorded_and_the_candidates_own_events_are_not(program: Program) -> None:
    services, admin, candidate = program.services, program.admin, program.candidates[0]
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.begin(sitting_id, candidate, {"q1": "A"})
    program.call(
        answers.report_event,
        attempt_id=attempt_id,
        user_id=candidate.id,
        kind="focus_lost",
        client_time=None,
        detail={},
    )
    program.call(attempts.pause, attempt_id=attempt_id, actor_id=admin.id, reason="noise")
    program.call(attempts.resume, attempt_id=attempt_id, actor_id=admin.id)
    program.call(attempts.extend, attempt_id=attempt_id, actor_id=admin.id, minutes=5, reason="fire alarm")
    program.call(notes.add_note, attempt_id=attempt_id, actor_id=admin.id, text="ID checked", category="identity")
    program.call(attempts.terminate, attempt_id=attempt_id, actor_id=admin.id, reason="phone")
    subject = f"attempt:{attempt_id}"
    actions = [(a, d["event"]) for _, a, s, d in audit(services, AuditKind.PROCTOR_ACTION) if s == subject]
    assert actions == [
        (admin.id, "paused"),
        (admin.id, "in_progress"),
        (admin.id, "extended"),
        (admin.id, "incident"),
        (admin.id, "terminated"),
    ]
    finished = [(a, s, d["event"]) for _, a, s, d in audit(services, AuditKind.ATTEMPT_FINISHED)]
    assert finished == [(admin.id, subject, "terminated")]
    assert check(services).ok


def test_marking_a_result_is_recorded(program: Program) -> None:
    _, sitting_id = program.exam()
    attempt_id = program.take(sitting_id, program.candidates[0], {"essay": "an essay"})
    essay_slot = program.slot_of(attempt_id, "essay")
    now = datetime.now(UTC)
    program.call(mark_slot, attempt_id=attempt_id, slot=essay_slot, score=3, marker_id=program.admin.id, now=now)
    changed = audit(program.services, AuditKind.RESULT_CHANGED)
    assert changed == [
        (AuditKind.RESULT_CHANGED, program.admin.id, f"attempt:{attempt_id}", {"slot": essay_slot, "score": 3})
    ]
    assert check(program.services).ok
