"""Appeals through the JSON API and the service, on both engines: who may file about which decision, within its
period to the microsecond, one open appeal per subject, the reviewer's independence, decisions with reasons, each
remedy's effect on the decision appealed, who sees what, and the counts for the annual report."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts.models import Role, User
from examengine.accounts.service import UserView
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.errors import Conflict
from examengine.programs import appeal_summary, appeals
from examengine.programs.appeal_models import Appeal, AppealGrounds, AppealStatus, AppealSubject
from examengine.programs.models import (
    AccommodationStatus,
    ApplicationStatus,
    CredentialEventKind,
    IncidentDecisionKind,
)
from tests.programs.appeal_world import World, bearer, file_now, get, make_result_world, make_world, principal
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture

FILE = "/api/v1/appeals"


@pytest.fixture
def world(services: Services, make_user: Callable[..., UserView]) -> World:
    return make_world(services, make_user)


@pytest.fixture
def result_world(services: Services, make_user: Callable[..., UserView], program: Program) -> tuple[World, str, str]:  # noqa: F811
    return make_result_world(services, make_user, program)


def body(subject_type: str, subject_id: str, **more: Any) -> dict[str, Any]:
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "grounds": "procedural_error",
        "statement": "The decision overlooked my documents.",
        **more,
    }


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def disable(*, session: Session, user_id: str) -> None:
    user = session.get(User, user_id)
    assert user is not None
    user.disabled_at = datetime.now(UTC)
    session.add(user)


def test_only_the_person_a_decision_concerns_files_an_appeal_about_it(
    app_client: TestClient, result_world: tuple[World, str, str]
) -> None:
    world, attempt_id, _ = result_world
    subjects = {
        "application": world.application(),
        "accommodation": world.accommodation(),
        "credential": world.credential(CredentialEventKind.REVOKED),
        "result": attempt_id,
    }
    other = bearer(app_client, world.other.email)
    mine = bearer(app_client, world.appellant.email)
    assert app_client.post(FILE, json=body("application", subjects["application"])).status_code == 401
    for kind, subject_id in subjects.items():
        assert error(app_client.post(FILE, json=body(kind, subject_id), headers=other)) == (404, "subject_not_found")
        assert error(app_client.post(FILE, json=body(kind, "0" * 32), headers=mine)) == (404, "subject_not_found")
        filed = app_client.post(FILE, json=body(kind, subject_id), headers=mine)
        assert filed.status_code == 201, filed.text
        assert filed.json() == {"appeal_id": filed.json()["appeal_id"], "status": "filed"}
    records = world.call(
        lambda *, session: list(session.scalars(select(AuditRecord).where(col(AuditRecord.kind) == "appeal_filed")))
    )
    assert len(records) == 4 and {r.actor_id for r in records} == {world.appellant.id}
    invalid = app_client.post(FILE, json=body("verdict", subjects["application"]), headers=mine)
    assert invalid.status_code == 422
    blank = app_client.post(FILE, json=body("application", world.application(), statement="  "), headers=mine)
    assert error(blank) == (422, "statement_required")


def test_only_an_adverse_decision_can_be_appealed(
    app_client: TestClient,
    result_world: tuple[World, str, str],
    program: Program,  # noqa: F811
) -> None:
    world = result_world[0]
    exam_id, sitting_id = program.exam(essay=False)
    released = program.take(sitting_id, program.candidates[0], PERFECT)
    world.invalidate(released, exam_id, decision=IncidentDecisionKind.RELEASE, by=program.admin.id)
    undecided = program.take(program.exam(essay=False)[1], program.candidates[0], PERFECT)
    mine = bearer(app_client, world.appellant.email)
    for kind, subject_id in (
        ("application", world.application(ApplicationStatus.APPROVED)),
        ("application", world.application(ApplicationStatus.SUBMITTED)),
        ("accommodation", world.accommodation(AccommodationStatus.APPROVED)),
        ("accommodation", world.accommodation(AccommodationStatus.SUBMITTED)),
        ("credential", world.credential(None)),
        ("result", released),
        ("result", undecided),
    ):
        assert error(app_client.post(FILE, json=body(kind, subject_id), headers=mine)) == (409, "decision_not_adverse")
    suspended = world.credential(CredentialEventKind.SUSPENDED)
    assert app_client.post(FILE, json=body("credential", suspended), headers=mine).status_code == 201


def test_the_appeal_period_ends_exactly_at_its_moment(app_client: TestClient, world: World) -> None:
    until = datetime.now(UTC) + timedelta(days=3)
    on_time = world.application(appeal_until=until)
    too_late = world.application(appeal_until=until)
    assert file_now(world, AppealSubject.APPLICATION, on_time, now=until).status == AppealStatus.FILED
    with pytest.raises(Conflict) as refused:
        file_now(world, AppealSubject.APPLICATION, too_late, now=until + timedelta(microseconds=1))
    assert refused.value.code == "appeal_period_over"
    # a revocation's period runs for the scheme's appeal_period (P30D) from the event
    revoked_at = datetime.now(UTC) - timedelta(days=2)
    number, late_number = world.credential(at=revoked_at), world.credential(at=revoked_at)
    assert file_now(world, AppealSubject.CREDENTIAL, number, now=revoked_at + timedelta(days=30)).status == "filed"
    with pytest.raises(Conflict, match="ended"):
        file_now(world, AppealSubject.CREDENTIAL, late_number, now=revoked_at + timedelta(days=30, microseconds=1))
    # a denial stored without appeal_until counts its period from the decision
    decided_at = datetime.now(UTC) - timedelta(days=31)
    stale = world.application(appeal_until=None, decided_at=decided_at)
    response = app_client.post(FILE, json=body("application", stale), headers=bearer(app_client, world.appellant.email))
    assert error(response) == (409, "appeal_period_over")
    past = world.accommodation(appeal_until=datetime.now(UTC) - timedelta(seconds=1))
    response = app_client.post(
        FILE, json=body("accommodation", past), headers=bearer(app_client, world.appellant.email)
    )
    assert error(response) == (409, "appeal_period_over")


def test_one_open_appeal_per_subject(app_client: TestClient, world: World) -> None:
    mine = bearer(app_client, world.appellant.email)
    subject = world.application()
    first = app_client.post(FILE, json=body("application", subject), headers=mine).json()["appeal_id"]
    again = app_client.post(FILE, json=body("application", subject), headers=mine)
    assert error(again) == (409, "appeal_open") and again.json()["error"]["details"]["appeal_id"] == first
    chief = bearer(app_client, world.chief.email)
    assert (
        app_client.post(f"{FILE}/{first}/assign", json={"reviewer_id": world.reviewer.id}, headers=chief).status_code
        == 200
    )
    assert error(app_client.post(FILE, json=body("application", subject), headers=mine)) == (409, "appeal_open")
    decided = app_client.post(
        f"{FILE}/{first}/decision",
        json={"outcome": "denied", "reason": "The documents were considered."},
        headers=bearer(app_client, world.reviewer.email),
    )
    assert decided.status_code == 200 and decided.json()["status"] == "denied"
    assert app_client.post(FILE, json=body("application", subject), headers=mine).status_code == 201


def test_the_reviewer_never_made_the_decision_appealed(
    app_client: TestClient,
    result_world: tuple[World, str, str],
    program: Program,  # noqa: F811
    make_user: Callable[..., UserView],
) -> None:
    world, attempt_id, _ = result_world
    # who decided each: the decider (applications, requests), the chief (credentials), the program's admin (results)
    cases = [
        (AppealSubject.APPLICATION, world.application(), world.decider.id),
        (AppealSubject.ACCOMMODATION, world.accommodation(), world.decider.id),
        (AppealSubject.CREDENTIAL, world.credential(), world.chief.id),
        (AppealSubject.RESULT, attempt_id, program.admin.id),
    ]
    chief = bearer(app_client, world.chief.email)
    for kind, subject_id, decided_by in cases:
        appeal_id = file_now(world, kind, subject_id).id
        path = f"{FILE}/{appeal_id}/assign"
        assert error(app_client.post(path, json={"reviewer_id": decided_by}, headers=chief)) == (
            409,
            "reviewer_conflict",
        )
        assigned = app_client.post(path, json={"reviewer_id": world.reviewer.id}, headers=chief)
        assert assigned.status_code == 200 and assigned.json()["status"] == "assigned", kind
        assert assigned.json()["reviewer_id"] == world.reviewer.id
    # the appellant is never their own reviewer, even when they hold the role
    reviewing_candidate = make_user("both@example.org", "candidate", Role.APPEALS_REVIEWER.value)
    own = world.application(user=reviewing_candidate)
    filed = app_client.post(FILE, json=body("application", own), headers=bearer(app_client, "both@example.org"))
    path = f"{FILE}/{filed.json()['appeal_id']}/assign"
    assert error(app_client.post(path, json={"reviewer_id": reviewing_candidate.id}, headers=chief)) == (
        409,
        "reviewer_conflict",
    )


def test_assignment_rules(app_client: TestClient, world: World, make_user: Callable[..., UserView]) -> None:
    appeal_id = file_now(world, AppealSubject.APPLICATION, world.application()).id
    path = f"{FILE}/{appeal_id}/assign"
    chief = bearer(app_client, world.chief.email)
    given = {"reviewer_id": world.reviewer.id}
    assert app_client.post(path, json=given, headers=bearer(app_client, world.reviewer.email)).status_code == 403
    assert app_client.post(path, json=given, headers=bearer(app_client, world.appellant.email)).status_code == 403
    disabled = make_user("gone@example.org", Role.APPEALS_REVIEWER.value)
    world.call(disable, user_id=disabled.id)

    for someone in (world.proctor.id, world.other.id, disabled.id, "0" * 32):
        assert error(app_client.post(path, json={"reviewer_id": someone}, headers=chief)) == (
            422,
            "reviewer_not_eligible",
        )
    assert error(app_client.post(f"{FILE}/{'0' * 32}/assign", json=given, headers=chief)) == (404, "appeal_not_found")
    assert app_client.post(path, json=given, headers=chief).status_code == 200
    again = app_client.post(
        path, json={"reviewer_id": world.chief.id}, headers=chief
    )  # reassigned: an admin may review
    assert again.status_code == 200 and again.json()["reviewer_id"] == world.chief.id
    decided = app_client.post(
        f"{FILE}/{appeal_id}/decision", json={"outcome": "denied", "reason": "No error."}, headers=chief
    )
    assert decided.status_code == 200
    assert error(app_client.post(path, json=given, headers=chief)) == (409, "appeal_decided")
    kinds = world.call(
        lambda *, session: [str(r.kind) for r in session.scalars(select(AuditRecord).order_by(col(AuditRecord.id)))]
    )
    assert kinds.count("appeal_assigned") == 2 and kinds.count("appeal_decided") == 1


def test_only_the_assigned_reviewer_decides(app_client: TestClient, world: World) -> None:
    appeal_id = file_now(world, AppealSubject.ACCOMMODATION, world.accommodation()).id
    path = f"{FILE}/{appeal_id}/decision"
    decision = {"outcome": "upheld", "reason": "The evidence supports it.", "remedy": "reconsider"}
    chief = bearer(app_client, world.chief.email)
    assert error(app_client.post(path, json=decision, headers=chief)) == (
        403,
        "not_assigned_reviewer",
    )  # not yet assigned
    app_client.post(f"{FILE}/{appeal_id}/assign", json={"reviewer_id": world.reviewer.id}, headers=chief)
    assert error(app_client.post(path, json=decision, headers=chief)) == (403, "not_assigned_reviewer")
    assert error(app_client.post(path, json=decision, headers=bearer(app_client, world.reviewer2.email))) == (
        404,
        "appeal_not_found",
    )
    assert app_client.post(path, json=decision, headers=bearer(app_client, world.appellant.email)).status_code == 403
    reviewer = bearer(app_client, world.reviewer.email)
    decided = app_client.post(path, json=decision, headers=reviewer)
    assert decided.status_code == 200, decided.text
    got = decided.json()
    assert (got["status"], got["outcome"], got["remedy"], got["reason"]) == (
        "upheld",
        "upheld",
        "reconsider",
        "The evidence supports it.",
    )
    assert error(app_client.post(path, json=decision, headers=reviewer)) == (409, "appeal_decided")


def test_a_decision_needs_a_reason_and_a_remedy_that_fits(
    app_client: TestClient, result_world: tuple[World, str, str]
) -> None:
    world, attempt_id, _ = result_world
    chief = bearer(app_client, world.chief.email)
    reviewer = bearer(app_client, world.reviewer.email)
    unfit = {
        AppealSubject.APPLICATION: (world.application(), ["rescore", "reinstate"]),
        AppealSubject.ACCOMMODATION: (world.accommodation(), ["rescore", "retest", "reinstate"]),
        AppealSubject.CREDENTIAL: (world.credential(), ["rescore", "retest", "reconsider"]),
        AppealSubject.RESULT: (attempt_id, ["reinstate", "reconsider"]),
    }
    for kind, (subject_id, remedies) in unfit.items():
        appeal_id = file_now(world, kind, subject_id).id
        app_client.post(f"{FILE}/{appeal_id}/assign", json={"reviewer_id": world.reviewer.id}, headers=chief)
        path = f"{FILE}/{appeal_id}/decision"
        for outcome in ("denied", "upheld"):
            for reason in ({"reason": " \n "}, {}):
                response = app_client.post(path, json={"outcome": outcome, **reason}, headers=reviewer)
                assert error(response) == (422, "reason_required")
        for remedy in remedies:
            response = app_client.post(
                path, json={"outcome": "upheld", "reason": "Yes.", "remedy": remedy}, headers=reviewer
            )
            assert error(response) == (422, "remedy_not_applicable"), (kind, remedy)
        response = app_client.post(
            path, json={"outcome": "denied", "reason": "No.", "remedy": "retest"}, headers=reviewer
        )
        assert error(response) == (422, "remedy_not_allowed")
        assert app_client.post(path, json={"outcome": "maybe", "reason": "x"}, headers=reviewer).status_code == 422
        assert get(world, Appeal, appeal_id).status == AppealStatus.ASSIGNED  # nothing was decided by the refusals


def test_who_sees_which_appeal(app_client: TestClient, world: World) -> None:
    mine = file_now(world, AppealSubject.APPLICATION, world.application()).id
    others = world.application(user=world.other)
    theirs = app_client.post(
        FILE, json=body("application", others), headers=bearer(app_client, world.other.email)
    ).json()["appeal_id"]
    world.call(
        appeals.assign, appeal_id=mine, reviewer_id=world.reviewer.id, actor_id=world.chief.id, now=datetime.now(UTC)
    )
    tokens = {
        who.email: bearer(app_client, who.email)
        for who in (world.appellant, world.other, world.reviewer, world.reviewer2, world.chief, world.proctor)
    }
    seen = {
        world.appellant.email: {mine},
        world.other.email: {theirs},
        world.reviewer.email: {mine},
        world.reviewer2.email: set(),
        world.chief.email: {mine, theirs},
        world.proctor.email: set(),
    }
    for email, expected in seen.items():
        for appeal_id in (mine, theirs):
            status = app_client.get(f"{FILE}/{appeal_id}", headers=tokens[email]).status_code
            assert status == (200 if appeal_id in expected else 404), (email, appeal_id)
        listed = app_client.get(FILE, headers=tokens[email]).json()
        assert {item["appeal_id"] for item in listed["items"]} == expected, email
        assert listed["next_cursor"] is None
    own = app_client.get(f"{FILE}?mine=true", headers=tokens[world.chief.email]).json()["items"]
    assert own == []
    own = app_client.get(f"{FILE}?mine=true", headers=tokens[world.appellant.email]).json()["items"]
    assert [item["appeal_id"] for item in own] == [mine] and own[0]["status"] == "assigned"
    assert own[0]["decision"]["reason"] == "The experience is not documented."
    filtered = app_client.get(f"{FILE}?status=filed", headers=tokens[world.chief.email]).json()["items"]
    assert [item["appeal_id"] for item in filtered] == [theirs]
    first = app_client.get(f"{FILE}?limit=1", headers=tokens[world.chief.email]).json()
    second = app_client.get(f"{FILE}?limit=1&cursor={first['next_cursor']}", headers=tokens[world.chief.email]).json()
    assert {first["items"][0]["appeal_id"], second["items"][0]["appeal_id"]} == {mine, theirs}
    assert second["next_cursor"] is None


def test_the_summary_counts_by_type_outcome_and_days_to_decision(app_client: TestClient, world: World) -> None:
    base = datetime.now(UTC) - timedelta(days=20)

    def decided(kind: AppealSubject, subject_id: str, days: float, outcome: AppealStatus) -> None:
        appeal = file_now(world, kind, subject_id, now=base)
        world.call(
            appeals.assign, appeal_id=appeal.id, reviewer_id=world.reviewer.id, actor_id=world.chief.id, now=base
        )
        world.call(
            appeals.decide,
            appeal_id=appeal.id,
            who=principal(world.reviewer),
            outcome=outcome,
            reason="Considered.",
            remedy=None,
            now=base + timedelta(days=days),
        )

    decided(AppealSubject.APPLICATION, world.application(), 2, AppealStatus.UPHELD)
    decided(AppealSubject.APPLICATION, world.application(), 4, AppealStatus.DENIED)
    decided(AppealSubject.CREDENTIAL, world.credential(), 9, AppealStatus.DENIED)
    file_now(world, AppealSubject.ACCOMMODATION, world.accommodation(), now=base)
    response = app_client.get(f"{FILE}/summary", headers=bearer(app_client, world.chief.email))
    assert response.status_code == 200
    assert response.json() == {
        "filed": 4,
        "by_subject_type": {"application": 2, "accommodation": 1, "result": 0, "credential": 1},
        "by_outcome": {"upheld": 1, "denied": 2},
        "open": 1,
        "median_days_to_decision": 4.0,
        "mean_days_to_decision": 5.0,
    }
    day = base.date()
    after = app_client.get(
        f"{FILE}/summary?from={day + timedelta(days=1)}", headers=bearer(app_client, world.chief.email)
    ).json()
    assert after["filed"] == 0 and after["median_days_to_decision"] is None
    same_day = world.call(appeal_summary.summary, since=day, until=day)
    assert same_day.filed == 4
    assert app_client.get(f"{FILE}/summary", headers=bearer(app_client, world.reviewer.email)).status_code == 403
    assert (
        app_client.get(f"{FILE}/summary?from=yesterday", headers=bearer(app_client, world.chief.email)).status_code
        == 422
    )


def test_the_index_keeps_one_open_appeal_when_filings_race(world: World) -> None:
    """Two filings that both passed the check: the second insert meets the partial unique index."""
    subject = world.application()
    first = file_now(world, AppealSubject.APPLICATION, subject)

    def race(*, session: Session) -> None:
        session.add(
            Appeal(
                subject_type=AppealSubject.APPLICATION,
                subject_id=subject,
                appellant_id=world.appellant.id,
                grounds=AppealGrounds.OTHER,
                statement="again",
                status=AppealStatus.FILED,
                filed_at=datetime.now(UTC),
                appeal_until=first.appeal_until,
            )
        )
        session.flush()

    with pytest.raises(IntegrityError):
        world.call(race)
