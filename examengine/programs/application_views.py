"""What an application looks like to the people who may see it (its applicant, eligibility reviewers, admins):
its scheme and pathway, each requirement with the evidence given for it, what is still missing, the handbook to
acknowledge, and the decision with the authorization it issued. Also the reviewers' queue and an applicant's list."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.errors import InvalidInput
from examengine.programs import evidence as evidence_files
from examengine.programs.application_decisions import DECISION_OF
from examengine.programs.application_states import WORDS
from examengine.programs.applications import (
    SUBJECT,
    missing_requirements,
    pathway_of,
    visible_application,
)
from examengine.programs.models import Application, ApplicationStatus, Authorization, EvidenceFile, Scheme
from examengine.programs.schemes import current_handbook

PAGE_SIZE = 50


@dataclass(frozen=True)
class Requirement:
    code: str
    title: str
    evidence_kind: str  # "file" or "attestation"
    evidence: tuple[EvidenceFile, ...]


@dataclass(frozen=True)
class DecisionView:
    decision: str
    reason: str | None
    decided_at: datetime
    decided_by: str | None
    appeal_until: datetime | None


@dataclass(frozen=True)
class ApplicationView:
    application: Application
    scheme: Scheme
    pathway_title: str
    applicant: User | None
    requirements: tuple[Requirement, ...]
    evidence: tuple[EvidenceFile, ...]
    missing: tuple[str, ...]
    handbook_version: str | None  # the current one, to acknowledge
    handbook_text: str
    decision: DecisionView | None
    authorization: Authorization | None

    @property
    def status_words(self) -> str:
        return WORDS[ApplicationStatus(self.application.status)]


def application_view(*, session: Session, application_id: str, user_id: str, roles: Collection[str]) -> ApplicationView:
    """The application as its applicant, eligibility reviewers and admins see it; NotFound for anyone else."""
    application = visible_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    scheme = session.get(Scheme, application.scheme_id)
    assert scheme is not None  # the application cascades with its scheme
    given = tuple(evidence_files.listed(session=session, subject_type=SUBJECT, subject_id=application.id))
    pathway = pathway_of(scheme, application.pathway) or {}
    requirements = tuple(
        Requirement(
            code=str(r.get("code")),
            title=str(r.get("title") or r.get("code")),
            evidence_kind=str(r.get("evidence") or "file"),
            evidence=tuple(e for e in given if e.requirement == r.get("code")),
        )
        for r in pathway.get("requirements", [])
    )
    handbook = current_handbook(session, scheme.id)
    authorization = session.scalars(
        select(Authorization).where(col(Authorization.application_id) == application.id)
    ).first()
    return ApplicationView(
        application=application,
        scheme=scheme,
        pathway_title=str(pathway.get("title") or application.pathway),
        applicant=session.get(User, application.user_id),
        requirements=requirements,
        evidence=given,
        missing=tuple(missing_requirements(session, application)),
        handbook_version=handbook.version if handbook else None,
        handbook_text=handbook.text if handbook else "",
        decision=_decision(application),
        authorization=authorization,
    )


def _decision(application: Application) -> DecisionView | None:
    decision = DECISION_OF.get(ApplicationStatus(application.status))
    if decision is None or application.decided_at is None:
        return None
    return DecisionView(
        decision=decision.value,
        reason=application.decision_reason,
        decided_at=application.decided_at,
        decided_by=application.decided_by,
        appeal_until=application.appeal_until,
    )


@dataclass(frozen=True)
class ApplicationRow:
    application_id: str
    scheme_code: str
    scheme_title: str
    pathway: str
    status: ApplicationStatus
    applicant_name: str
    created_at: datetime
    submitted_at: datetime | None

    @property
    def status_words(self) -> str:
        return WORDS[self.status]


@dataclass(frozen=True)
class ApplicationPage:
    items: tuple[ApplicationRow, ...]
    next_cursor: str | None  # the last row's application id: the next page starts after it


def list_applications(
    *,
    session: Session,
    user_id: str,
    roles: Collection[str],
    mine: bool = False,
    status: ApplicationStatus | None = None,
    scheme_code: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> ApplicationPage:
    """Applications, oldest submitted first (a draft by its creation): all of them for eligibility reviewers and
    admins unless `mine`, only the caller's own for anyone else. InvalidInput `bad_cursor` for a cursor this list
    did not give."""
    mine = mine or not any(role in evidence_files.REVIEWERS for role in roles)
    order = func.coalesce(col(Application.submitted_at), col(Application.created_at))
    query = (
        select(Application, Scheme, User)
        .join(Scheme, col(Scheme.id) == col(Application.scheme_id))
        .join(User, col(User.id) == col(Application.user_id))
        .order_by(order, col(Application.id))
        .limit(limit + 1)
    )
    if mine:
        query = query.where(col(Application.user_id) == user_id)
    if status is not None:
        query = query.where(col(Application.status) == status)
    if scheme_code:
        query = query.where(col(Scheme.code) == scheme_code)
    if cursor:
        after = session.get(Application, cursor) if len(cursor) <= 32 else None
        if after is None:
            raise InvalidInput("The cursor is not one this list gave: start from the first page.", code="bad_cursor")
        moment = after.submitted_at or after.created_at
        query = query.where(or_(order > moment, and_(order == moment, col(Application.id) > after.id)))
    rows = session.execute(query).all()
    items = tuple(
        ApplicationRow(
            a.id, s.code, s.title, a.pathway, ApplicationStatus(a.status), u.name, a.created_at, a.submitted_at
        )
        for a, s, u in rows[:limit]
    )
    return ApplicationPage(items, items[-1].application_id if len(rows) > limit and items else None)
