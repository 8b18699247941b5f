"""The facts appeals are about, inserted directly into the foundation tables (the slices that make these decisions
are built beside this one): a scheme, denied applications and accommodation requests, suspended or revoked
credentials, invalidated results; and the people who appeal, decide and review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.accounts.credentials import Principal
from examengine.accounts.models import CredentialKind, Role
from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.programs import appeals
from examengine.programs.appeal_models import Appeal, AppealGrounds, AppealSubject
from examengine.programs.models import (
    AccommodationRequest,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    CredentialEvent,
    CredentialEventKind,
    IncidentDecision,
    IncidentDecisionKind,
    ProgramCredential,
    Scheme,
    SchemeExam,
    SchemeKind,
)
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import PERFECT

NUMBERS = count(1)


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@dataclass
class World:
    services: Services
    scheme_id: str
    appellant: UserView
    other: UserView
    decider: UserView  # decides applications and requests; also an appeals reviewer (so conflicts can be tested)
    reviewer: UserView
    reviewer2: UserView
    chief: UserView  # an admin: suspends and revokes credentials, assigns appeals
    proctor: UserView

    def call(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        return self.services.db.call(fn, **kwargs)

    def add(self, row: Any) -> str:
        def insert(*, session: Session) -> str:
            session.add(row)
            session.flush()
            return str(row.id if hasattr(row, "id") else row.attempt_id)

        return str(self.call(insert))

    def application(
        self, status: ApplicationStatus = ApplicationStatus.DENIED, *, user: UserView | None = None, **facts: Any
    ) -> str:
        now = datetime.now(UTC)
        decided = status in (ApplicationStatus.DENIED, ApplicationStatus.APPROVED)
        values: dict[str, Any] = {
            "scheme_id": self.scheme_id,
            "user_id": (user or self.appellant).id,
            "pathway": "exam",
            "status": status,
            "created_at": now - timedelta(days=2),
            "submitted_at": now - timedelta(days=2),
            "decided_by": self.decider.id if decided else None,
            "decided_at": now - timedelta(days=1) if decided else None,
            "decision_reason": "The experience is not documented." if decided else None,
            "appeal_until": now + timedelta(days=29) if status == ApplicationStatus.DENIED else None,
        }
        return self.add(Application(**{**values, **facts}))

    def accommodation(self, status: AccommodationStatus = AccommodationStatus.DENIED, **facts: Any) -> str:
        now = datetime.now(UTC)
        denied = status == AccommodationStatus.DENIED
        values: dict[str, Any] = {
            "scheme_id": self.scheme_id,
            "user_id": self.appellant.id,
            "requested": {"extra_minutes": 30},
            "statement": "I need more time.",
            "status": status,
            "created_at": now - timedelta(days=2),
            "decided_by": self.decider.id if status != AccommodationStatus.SUBMITTED else None,
            "decided_at": now - timedelta(days=1) if status != AccommodationStatus.SUBMITTED else None,
            "decision_reason": "No evidence." if denied else None,
            "appeal_until": now + timedelta(days=29) if denied else None,
        }
        return self.add(AccommodationRequest(**{**values, **facts}))

    def credential(
        self, kind: CredentialEventKind | None = CredentialEventKind.REVOKED, *, at: datetime | None = None
    ) -> str:
        """A credential of the appellant in a scheme of its own (one per holder and scheme), revoked or suspended by
        the chief at `at` (None: in good standing)."""
        now = datetime.now(UTC)
        at = at or now - timedelta(days=1)
        n = next(NUMBERS)
        number = f"SAFE-2026-{n:06d}"
        scheme_id = str(self.call(lambda *, session: _scheme(session, now, f"SAFE{n}")))
        credential_id = self.add(
            ProgramCredential(
                number=number,
                scheme_id=scheme_id,
                user_id=self.appellant.id,
                holder_name=self.appellant.name,
                granted_at=now - timedelta(days=100),
                cycle_starts=now - timedelta(days=100),
                valid_until=now + timedelta(days=900),
                status_index=n,
                revoked_at=at if kind == CredentialEventKind.REVOKED else None,
                suspended_at=at if kind == CredentialEventKind.SUSPENDED else None,
            )
        )
        if kind is not None:
            self.add(
                CredentialEvent(credential_id=credential_id, kind=kind, at=at, actor_id=self.chief.id, reason="Fraud.")
            )
        return number

    def invalidate(
        self, attempt_id: str, exam_id: str, *, decision: IncidentDecisionKind, by: str, **facts: Any
    ) -> None:
        now = datetime.now(UTC)

        def insert(*, session: Session) -> None:
            if session.get(SchemeExam, exam_id) is None:
                session.add(SchemeExam(exam_id=exam_id, scheme_id=self.scheme_id))
            values: dict[str, Any] = {
                "attempt_id": attempt_id,
                "decision": decision,
                "reason": "Notes were found on the desk.",
                "decided_by": by,
                "decided_at": now - timedelta(hours=1),
                "appeal_until": now + timedelta(days=30) if decision == IncidentDecisionKind.INVALIDATE else None,
            }
            session.add(IncidentDecision(**{**values, **facts}))

        self.call(insert)


def make_world(services: Services, make_user: Callable[..., UserView], appellant: UserView | None = None) -> World:
    now = datetime.now(UTC)
    scheme_id = str(
        services.db.call(
            lambda *, session: _scheme(session, now),
        )
    )
    return World(
        services=services,
        scheme_id=scheme_id,
        appellant=appellant or make_user("appellant@example.org", "candidate", name="Ada Appellant"),
        other=make_user("other@example.org", "candidate", name="Otto Other"),
        decider=make_user(
            "decider@example.org", Role.ELIGIBILITY_REVIEWER.value, Role.APPEALS_REVIEWER.value, name="Dee Decider"
        ),
        reviewer=make_user("reviewer@example.org", Role.APPEALS_REVIEWER.value, name="Rita Reviewer"),
        reviewer2=make_user("reviewer2@example.org", Role.APPEALS_REVIEWER.value, name="Rob Reviewer"),
        chief=make_user("chief@example.org", "admin", name="Cleo Chief"),
        proctor=make_user("proctor@example.org", "proctor", name="Pat Proctor"),
    )


def _scheme(session: Session, now: datetime, code: str = "SAFE") -> str:
    scheme = Scheme(
        code=code,
        title="Safety Professional",
        kind=SchemeKind.CERTIFICATION,
        pathways=[{"code": "exam", "title": "By exam", "requirements": []}],
        authorization_period="P180D",
        attempts_per_authorization=2,
        cycle="P3Y",
        appeal_period="P30D",
        created_at=now,
    )
    session.add(scheme)
    session.flush()
    return scheme.id


def principal(user: UserView, *roles: Role) -> Principal:
    now = datetime.now(UTC)
    return Principal(
        user.id, user.email, user.name, frozenset(roles or user.roles), CredentialKind.API, "", "", now, now
    )


def file_now(world: World, subject_type: AppealSubject, subject_id: str, now: datetime | None = None) -> Appeal:
    return world.call(  # type: ignore[no-any-return]
        appeals.file_appeal,
        appellant_id=world.appellant.id,
        subject_type=subject_type,
        subject_id=subject_id,
        grounds=AppealGrounds.OTHER,
        statement="Please look again.",
        now=now or datetime.now(UTC),
    )


def get(world: World, model: Any, key: str) -> Any:
    return world.call(lambda *, session: session.get(model, key, populate_existing=True))


def make_result_world(services: Services, make_user: Callable[..., UserView], program: Any) -> tuple[World, str, str]:
    """A world whose appellant is the scoring program's candidate 0, with an attempt of theirs invalidated by the
    program's admin; returns the world, the attempt id and its exam id."""
    found = make_world(services, make_user, appellant=program.candidates[0])
    exam_id, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    found.invalidate(attempt_id, exam_id, decision=IncidentDecisionKind.INVALIDATE, by=program.admin.id)
    return found, attempt_id, exam_id
