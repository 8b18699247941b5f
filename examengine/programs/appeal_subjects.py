"""What an appeal is about: the decision appealed, read from the tables of the slices that make it (applications,
accommodation requests, incident decisions, credential events), and whether it is adverse and still appealable.

A decision's appeal period ends at its `appeal_until` when the decision stored one, otherwise at the decision's
moment plus the scheme's `appeal_period` (a credential's suspension or revocation always counts from its event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.delivery.models import Attempt
from examengine.exams.models import Exam
from examengine.programs import durations
from examengine.programs.appeal_models import AppealSubject
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
)

DEFAULT_APPEAL_PERIOD = "P30D"  # an invalidated result of an exam in no scheme (the scheme table's default)


@dataclass(frozen=True)
class AppealedDecision:
    """`adverse`: a decision that may be appealed (denied, invalidated, suspended or revoked); when it is not,
    `decided_by`, `decided_at` and `appeal_until` are None."""

    subject_type: AppealSubject
    subject_id: str
    person_id: str  # whom the decision concerns: the only person who may appeal it
    scheme_id: str | None
    scheme_title: str
    description: str  # what was decided, in words
    adverse: bool
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    appeal_until: datetime | None
    exam_id: str | None = None  # a result's exam


def _scheme(session: Session, scheme_id: str | None) -> Scheme | None:
    return session.get(Scheme, scheme_id) if scheme_id else None


def _until(stored: datetime | None, decided_at: datetime | None, scheme: Scheme | None) -> datetime | None:
    if stored is not None:
        return stored
    if decided_at is None:
        return None
    return durations.after(decided_at, scheme.appeal_period if scheme else DEFAULT_APPEAL_PERIOD)


def _decided(
    session: Session, kind: AppealSubject, found: Application | AccommodationRequest, label: str, adverse: bool
) -> AppealedDecision:
    """An eligibility reviewer's decision (an application's or an accommodation request's): the two record who
    decided, when, why and until when it may be appealed in the same columns."""
    scheme = _scheme(session, found.scheme_id)
    return AppealedDecision(
        kind,
        found.id,
        found.user_id,
        found.scheme_id,
        scheme.title if scheme else "",
        label,
        adverse,
        found.decided_by if adverse else None,
        found.decided_at if adverse else None,
        found.decision_reason if adverse else None,
        _until(found.appeal_until, found.decided_at, scheme) if adverse else None,
    )


def _application(session: Session, subject_id: str) -> AppealedDecision | None:
    found = session.get(Application, subject_id)
    if found is None:
        return None
    label = f"Application ({found.pathway}) {found.status}"
    return _decided(session, AppealSubject.APPLICATION, found, label, found.status == ApplicationStatus.DENIED)


def _accommodation(session: Session, subject_id: str) -> AppealedDecision | None:
    found = session.get(AccommodationRequest, subject_id)
    if found is None:
        return None
    label = f"Accommodation request {found.status}"
    return _decided(session, AppealSubject.ACCOMMODATION, found, label, found.status == AccommodationStatus.DENIED)


def _result(session: Session, subject_id: str) -> AppealedDecision | None:
    attempt = session.get(Attempt, subject_id)
    if attempt is None:
        return None
    scheme_id = session.scalar(select(col(SchemeExam.scheme_id)).where(col(SchemeExam.exam_id) == attempt.exam_id))
    scheme = _scheme(session, scheme_id)
    exam_code = session.scalar(select(col(Exam.code)).where(col(Exam.id) == attempt.exam_id)) or "exam"
    decision = session.get(IncidentDecision, attempt.id)
    adverse = decision is not None and decision.decision == IncidentDecisionKind.INVALIDATE
    words = "invalidated" if adverse else (f"{decision.decision}d" if decision else "not decided")
    return AppealedDecision(
        AppealSubject.RESULT,
        attempt.id,
        attempt.user_id,
        scheme_id,
        scheme.title if scheme else "",
        f"Result of {exam_code} (attempt {attempt.number}) {words}",
        adverse,
        decision.decided_by if decision and adverse else None,
        decision.decided_at if decision and adverse else None,
        decision.reason if decision and adverse else None,
        _until(decision.appeal_until, decision.decided_at, scheme) if decision and adverse else None,
        attempt.exam_id,
    )


def _credential(session: Session, subject_id: str) -> AppealedDecision | None:
    found = session.scalars(select(ProgramCredential).where(col(ProgramCredential.number) == subject_id)).first()
    if found is None:
        return None
    scheme = _scheme(session, found.scheme_id)
    kind = (
        CredentialEventKind.REVOKED
        if found.revoked_at
        else CredentialEventKind.SUSPENDED
        if found.suspended_at
        else None
    )
    event = None
    if kind is not None:
        event = session.scalars(
            select(CredentialEvent)
            .where(col(CredentialEvent.credential_id) == found.id, col(CredentialEvent.kind) == kind)
            .order_by(col(CredentialEvent.at).desc())
        ).first()
    at = event.at if event else (found.revoked_at or found.suspended_at)
    return AppealedDecision(
        AppealSubject.CREDENTIAL,
        found.number,
        found.user_id,
        found.scheme_id,
        scheme.title if scheme else "",
        f"Credential {found.number} {kind.value if kind else 'in good standing'}",
        kind is not None,
        event.actor_id if event else None,
        at,
        event.reason if event else None,
        _until(None, at, scheme) if kind is not None else None,
    )


READERS = {
    AppealSubject.APPLICATION: _application,
    AppealSubject.ACCOMMODATION: _accommodation,
    AppealSubject.RESULT: _result,
    AppealSubject.CREDENTIAL: _credential,
}


def appealed_decision(*, session: Session, subject_type: AppealSubject, subject_id: str) -> AppealedDecision | None:
    """The decision about this subject as it stands, or None when there is no such subject."""
    return READERS[subject_type](session, subject_id[:60])
