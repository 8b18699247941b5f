"""Appeals (API.md "Score reports, incidents, appeals"): filing, assigning a reviewer, deciding with a remedy.

Rules: only the person a decision concerns appeals it, only while it is adverse and within its appeal period (a
filing at the very moment `appeal_until` is in time; a moment later it is not), one open appeal per subject. The
reviewer holds appeals_reviewer or admin, and is neither the person who made the decision appealed nor the
appellant. Only the assigned reviewer decides, always with a reason (denied and upheld alike: the appellant is
owed the why of either).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role, User, UserRole
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from examengine.programs.appeal_models import (
    OPEN_STATUSES,
    Appeal,
    AppealGrounds,
    AppealStatus,
    AppealSubject,
    Remedy,
)
from examengine.programs.appeal_remedies import apply_remedy, check_fits
from examengine.programs.appeal_subjects import AppealedDecision, appealed_decision

REVIEWER_ROLES = (Role.APPEALS_REVIEWER, Role.ADMIN)
STATEMENT_MAX = 10_000
REASON_MAX = 4000
NOT_FOUND = "There is no such appeal."


def _text(value: str, *, field: str, code: str, limit: int, label: str) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise InvalidInput(f"{label} is required.", code=code, details={"field": field})
    if len(cleaned) > limit or "\x00" in cleaned:
        raise InvalidInput(
            f"{label} is at most {limit} characters of text.", code="invalid_text", details={"field": field}
        )
    return cleaned


def subject_not_found(subject_type: AppealSubject) -> NotFound:
    return NotFound(
        f"There is no decision about a {subject_type.value} of yours with this id.", code="subject_not_found"
    )


def open_appeal(session: Session, subject_type: AppealSubject, subject_id: str) -> str | None:
    """The id of the subject's open appeal (filed or assigned), if there is one."""
    return session.scalar(
        select(col(Appeal.id)).where(
            col(Appeal.subject_type) == subject_type,
            col(Appeal.subject_id) == subject_id,
            col(Appeal.status).in_(OPEN_STATUSES),
        )
    )


def file_appeal(
    *,
    session: Session,
    appellant_id: str,
    subject_type: AppealSubject,
    subject_id: str,
    grounds: AppealGrounds,
    statement: str,
    now: datetime,
) -> Appeal:
    """File an appeal. Raises NotFound (subject_not_found: none, or not about the appellant), Conflict
    (decision_not_adverse, appeal_period_over, appeal_open), InvalidInput (statement_required)."""
    decision = decision_for_appellant(
        session=session, appellant_id=appellant_id, subject_type=subject_type, subject_id=subject_id
    )
    if not decision.adverse or decision.appeal_until is None:
        raise Conflict(
            f"{decision.description}: only a denial, an invalidation, a suspension or a revocation can be appealed.",
            code="decision_not_adverse",
        )
    if now > decision.appeal_until:
        raise Conflict(
            f"The period to appeal this decision ended on {decision.appeal_until:%Y-%m-%d %H:%M} UTC.",
            code="appeal_period_over",
            details={"appeal_until": decision.appeal_until.isoformat()},
        )
    text = _text(statement, field="statement", code="statement_required", limit=STATEMENT_MAX, label="A statement")
    open_one = open_appeal(session, subject_type, decision.subject_id)
    if open_one is not None:
        raise Conflict(
            "An appeal of this decision is already open.", code="appeal_open", details={"appeal_id": open_one}
        )
    appeal = Appeal(
        subject_type=subject_type,
        subject_id=decision.subject_id,
        scheme_id=decision.scheme_id,
        appellant_id=appellant_id,
        grounds=grounds,
        statement=text,
        status=AppealStatus.FILED,
        filed_at=now,
        decision_by=decision.decided_by,
        decision_at=decision.decided_at,
        decision_reason=decision.reason,
        appeal_until=decision.appeal_until,
    )
    try:
        with session.begin_nested():  # a filing at the same moment wins the open-appeal index (uq_appeal_open_subject)
            session.add(appeal)
    except IntegrityError:
        raise Conflict("An appeal of this decision is already open.", code="appeal_open") from None
    record(
        session=session,
        kind=AuditKind.APPEAL_FILED,
        actor_id=appellant_id,
        subject=f"appeal:{appeal.id}",
        detail={"subject_type": subject_type.value, "subject_id": decision.subject_id, "grounds": grounds.value},
        at=now,
    )
    return appeal


def _locked(session: Session, appeal_id: str) -> Appeal:
    found = session.scalars(
        select(Appeal)
        .where(col(Appeal.id) == appeal_id[:32])
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise NotFound(NOT_FOUND, code="appeal_not_found")
    return found


def _decided(appeal: Appeal) -> Conflict:
    return Conflict(f"The appeal was already decided: {appeal.status}.", code="appeal_decided")


def conflicted(appeal: Appeal, user_id: str) -> bool:
    """Whether this person may not review the appeal: they made the decision appealed, or they appeal it."""
    return user_id in (appeal.decision_by, appeal.appellant_id)


def eligible(session: Session, user_id: str) -> bool:
    return (
        session.scalar(
            select(col(User.id))
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(col(User.id) == user_id, col(User.disabled_at).is_(None), col(UserRole.role).in_(REVIEWER_ROLES))
            .limit(1)
        )
        is not None
    )


def assign(*, session: Session, appeal_id: str, reviewer_id: str, actor_id: str, now: datetime) -> Appeal:
    """Assign (or reassign, until decided) the appeal's reviewer. Raises NotFound (appeal_not_found), Conflict
    (appeal_decided, reviewer_conflict), InvalidInput (reviewer_not_eligible)."""
    appeal = _locked(session, appeal_id)
    if appeal.status not in OPEN_STATUSES:
        raise _decided(appeal)
    if not eligible(session, reviewer_id):
        raise InvalidInput(
            "The reviewer must be an enabled user with the appeals_reviewer or admin role.",
            code="reviewer_not_eligible",
            details={"field": "reviewer_id"},
        )
    if conflicted(appeal, reviewer_id):
        raise Conflict(
            "This person made the decision appealed (or is the appellant): choose someone else.",
            code="reviewer_conflict",
        )
    appeal.status, appeal.reviewer_id, appeal.assigned_by, appeal.assigned_at = (
        AppealStatus.ASSIGNED,
        reviewer_id,
        actor_id,
        now,
    )
    session.add(appeal)
    record(
        session=session,
        kind=AuditKind.APPEAL_ASSIGNED,
        actor_id=actor_id,
        subject=f"appeal:{appeal.id}",
        detail={"reviewer_id": reviewer_id},
        at=now,
    )
    return appeal


def decide(
    *,
    session: Session,
    appeal_id: str,
    who: Principal,
    outcome: AppealStatus,
    reason: str,
    remedy: Remedy | None,
    now: datetime,
) -> Appeal:
    """Uphold or deny the appeal, applying an upheld appeal's remedy (programs.appeal_remedies). Raises NotFound
    (appeal_not_found, also to whoever may not see it), Forbidden (not_assigned_reviewer), Conflict (appeal_decided,
    decision_changed), InvalidInput (reason_required, remedy_not_allowed, remedy_not_applicable)."""
    appeal = _locked(session, appeal_id)
    if who.user_id not in (appeal.reviewer_id, appeal.appellant_id) and Role.ADMIN not in who.roles:
        raise NotFound(NOT_FOUND, code="appeal_not_found")
    if appeal.status not in OPEN_STATUSES:
        raise _decided(appeal)
    if who.user_id != appeal.reviewer_id:
        raise Forbidden("Only the reviewer assigned to this appeal decides it.", code="not_assigned_reviewer")
    text = _text(reason, field="reason", code="reason_required", limit=REASON_MAX, label="A reason")
    if outcome not in (AppealStatus.UPHELD, AppealStatus.DENIED):
        raise InvalidInput("The outcome is upheld or denied.", code="invalid_outcome", details={"field": "outcome"})
    detail: dict[str, object] = {}
    if remedy is not None:
        if outcome == AppealStatus.DENIED:
            raise InvalidInput("A denied appeal has no remedy.", code="remedy_not_allowed", details={"field": "remedy"})
        check_fits(appeal, remedy)
        detail = apply_remedy(session=session, appeal=appeal, remedy=remedy, actor_id=who.user_id, reason=text, now=now)
    appeal.status = appeal.outcome = outcome
    appeal.reason, appeal.remedy, appeal.remedy_detail = text, remedy, detail
    appeal.decided_at, appeal.decided_by = now, who.user_id
    session.add(appeal)
    record(
        session=session,
        kind=AuditKind.APPEAL_DECIDED,
        actor_id=who.user_id,
        subject=f"appeal:{appeal.id}",
        detail={"outcome": outcome.value, "remedy": remedy.value if remedy else None, **detail},
        at=now,
    )
    return appeal


def barred_deciders(*, session: Session, subject_type: AppealSubject, subject_id: str) -> set[str]:
    """Who may not make the fresh decision on an application or accommodation request sent back by an upheld
    appeal's `reconsider`: everyone who decided it before."""
    return {
        decider
        for decider in session.scalars(
            select(col(Appeal.decision_by)).where(
                col(Appeal.subject_type) == subject_type,
                col(Appeal.subject_id) == subject_id,
                col(Appeal.remedy) == Remedy.RECONSIDER,
            )
        )
        if decider
    }


def ensure_fresh_decider(*, session: Session, subject_type: AppealSubject, subject_id: str, actor_id: str) -> None:
    """Forbidden (`decided_before`) when an upheld appeal's `reconsider` sent the subject back and `actor_id`
    decided it before: the fresh decision is someone else's."""
    if actor_id in barred_deciders(session=session, subject_type=subject_type, subject_id=subject_id):
        what = "application" if subject_type == AppealSubject.APPLICATION else "request"
        raise Forbidden(
            f"An appeal sent this {what} back for a fresh decision: someone who did not decide it before must.",
            code="decided_before",
        )


def decision_for_appellant(
    *, session: Session, appellant_id: str, subject_type: AppealSubject, subject_id: str
) -> AppealedDecision:
    """The decision the appeal form shows. Raises NotFound (subject_not_found) when it is not about this person."""
    decision = appealed_decision(session=session, subject_type=subject_type, subject_id=subject_id)
    if decision is None or decision.person_id != appellant_id:
        raise subject_not_found(subject_type)
    return decision
