"""Each remedy of an upheld appeal, on both engines: retest issues a new authorization with the scheme's window
(for a denied application, approving it), reinstate restores the credential with a `restored` event, reconsider
returns the application or request to submitted and bars the former decider, rescore is recorded for the exam."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import col

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.errors import Forbidden
from examengine.programs import accommodation_decisions, appeals, application_decisions
from examengine.programs.appeal_models import Appeal, AppealStatus, AppealSubject, Remedy
from examengine.programs.application_decisions import Decision
from examengine.programs.models import (
    AccommodationRequest,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    Authorization,
    CredentialEvent,
    CredentialEventKind,
    ProgramCredential,
)
from tests.programs.appeal_world import World, file_now, get, make_result_world, make_world, principal
from tests.scoring.conftest import Program, program  # noqa: F401 - the fixture


@pytest.fixture
def world(services: Services, make_user: Callable[..., UserView]) -> World:
    return make_world(services, make_user)


@pytest.fixture
def result_world(services: Services, make_user: Callable[..., UserView], program: Program) -> tuple[World, str, str]:  # noqa: F811
    return make_result_world(services, make_user, program)


def decide_upheld(world: World, kind: AppealSubject, subject_id: str, remedy: Remedy | None, now: datetime) -> Appeal:
    appeal = file_now(world, kind, subject_id, now=now)
    world.call(appeals.assign, appeal_id=appeal.id, reviewer_id=world.reviewer.id, actor_id=world.chief.id, now=now)
    return world.call(  # type: ignore[no-any-return]
        appeals.decide,
        appeal_id=appeal.id,
        who=principal(world.reviewer),
        outcome=AppealStatus.UPHELD,
        reason="The decision was wrong.",
        remedy=remedy,
        now=now,
    )


def test_retest_issues_a_new_authorization_in_the_exam_scheme(result_world: tuple[World, str, str]) -> None:
    world, attempt_id, _ = result_world
    appeal = decide_upheld(world, AppealSubject.RESULT, attempt_id, Remedy.RETEST, datetime.now(UTC))
    issued = world.call(
        lambda *, session: list(session.scalars(select(Authorization).where(col(Authorization.appeal_id) == appeal.id)))
    )
    assert len(issued) == 1
    authorization = issued[0]
    assert authorization.id == appeal.remedy_detail["authorization_id"]
    assert (authorization.scheme_id, authorization.user_id, authorization.attempts_allowed) == (
        world.scheme_id,
        world.appellant.id,
        2,
    )
    assert authorization.eligible_from == appeal.decided_at
    assert authorization.eligible_until == appeal.decided_at + timedelta(days=180)
    assert authorization.issued_by == world.reviewer.id and authorization.revoked_at is None


def test_retest_of_a_denied_application_approves_it_with_an_authorization(world: World) -> None:
    application_id = world.application()
    appeal = decide_upheld(world, AppealSubject.APPLICATION, application_id, Remedy.RETEST, datetime.now(UTC))
    application = get(world, Application, application_id)
    assert (application.status, application.decided_by, application.decision_reason) == (
        ApplicationStatus.APPROVED,
        world.reviewer.id,
        "The decision was wrong.",
    )
    authorization = get(world, Authorization, appeal.remedy_detail["authorization_id"])
    assert (authorization.application_id, authorization.appeal_id, authorization.user_id) == (
        application_id,
        appeal.id,
        world.appellant.id,
    )
    assert appeal.decided_at is not None
    assert authorization.eligible_until == appeal.decided_at + timedelta(days=180)


def test_reinstate_restores_the_credential_with_a_restored_event(world: World) -> None:
    now = datetime.now(UTC)
    for kind in (CredentialEventKind.REVOKED, CredentialEventKind.SUSPENDED):
        number = world.credential(kind)
        decide_upheld(world, AppealSubject.CREDENTIAL, number, Remedy.REINSTATE, now)
        credential = world.call(
            lambda *, session, number=number: session.scalars(
                select(ProgramCredential).where(col(ProgramCredential.number) == number)
            ).one()
        )
        assert credential.revoked_at is None and credential.suspended_at is None
        events = world.call(
            lambda *, session, cid=credential.id: [
                (e.kind, e.actor_id)
                for e in session.scalars(
                    select(CredentialEvent)
                    .where(col(CredentialEvent.credential_id) == cid)
                    .order_by(col(CredentialEvent.at))
                )
            ]
        )
        assert events[-1] == (CredentialEventKind.RESTORED, world.reviewer.id)


def test_reconsider_returns_the_application_or_request_for_a_fresh_decision_by_someone_else(world: World) -> None:
    now = datetime.now(UTC)
    application_id, request_id = world.application(), world.accommodation()
    appeal = decide_upheld(world, AppealSubject.APPLICATION, application_id, Remedy.RECONSIDER, now)
    decide_upheld(world, AppealSubject.ACCOMMODATION, request_id, Remedy.RECONSIDER, now)
    application = get(world, Application, application_id)
    assert application.status == ApplicationStatus.SUBMITTED
    assert (application.decided_by, application.decided_at, application.appeal_until) == (None, None, None)
    request = get(world, AccommodationRequest, request_id)
    assert request.status == AccommodationStatus.SUBMITTED and request.decided_by is None
    assert appeal.decision_by == world.decider.id and appeal.remedy_detail["previous_decider"] == world.decider.id
    for kind, subject_id in ((AppealSubject.APPLICATION, application_id), (AppealSubject.ACCOMMODATION, request_id)):
        barred = world.call(appeals.barred_deciders, subject_type=kind, subject_id=subject_id)
        assert barred == {world.decider.id}
    assert world.call(appeals.barred_deciders, subject_type=AppealSubject.APPLICATION, subject_id="0" * 32) == set()


def test_rescore_is_recorded_for_the_exam(result_world: tuple[World, str, str]) -> None:
    world, attempt_id, exam_id = result_world
    appeal = decide_upheld(world, AppealSubject.RESULT, attempt_id, Remedy.RESCORE, datetime.now(UTC))
    assert appeal.remedy == Remedy.RESCORE
    assert appeal.remedy_detail == {"attempt_id": attempt_id, "exam_id": exam_id, "rescore_requested": True}


def test_after_reconsider_only_someone_who_did_not_decide_before_decides_again(world: World) -> None:
    now = datetime.now(UTC)
    application_id = world.application()
    decide_upheld(world, AppealSubject.APPLICATION, application_id, Remedy.RECONSIDER, now)
    fresh = {"application_id": application_id, "decision": Decision.APPROVE, "reason": "Fine now.", "now": now}
    with pytest.raises(Forbidden) as refused:
        world.call(application_decisions.decide, user_id=world.decider.id, roles=world.decider.roles, **fresh)
    assert refused.value.code == "decided_before"
    decided = world.call(application_decisions.decide, user_id=world.chief.id, roles=world.chief.roles, **fresh)
    assert decided.status == ApplicationStatus.APPROVED


def test_after_reconsider_a_request_is_decided_by_someone_who_did_not_decide_before(world: World) -> None:
    now = datetime.now(UTC)
    request_id = world.accommodation()
    decide_upheld(world, AppealSubject.ACCOMMODATION, request_id, Remedy.RECONSIDER, now)
    fresh = {"request_id": request_id, "decision": "approve", "approved": None, "reason": "Fine.", "now": now}
    with pytest.raises(Forbidden) as refused:
        world.call(accommodation_decisions.decide, actor_id=world.decider.id, roles=world.decider.roles, **fresh)
    assert refused.value.code == "decided_before"
    decided = world.call(accommodation_decisions.decide, actor_id=world.chief.id, roles=world.chief.roles, **fresh)
    assert decided.status == AccommodationStatus.APPROVED
