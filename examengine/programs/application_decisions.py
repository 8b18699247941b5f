"""Eligibility reviewers (and admins) decide submitted applications: approve (which issues one authorization to
test), deny with a reason (which opens the appeal period), or ask for more information with a reason. Nobody decides
their own application. Two reviewers deciding at once: the guarded status change lets one win; the other is refused.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from examengine.programs import durations
from examengine.programs.appeal_models import AppealSubject
from examengine.programs.appeals import ensure_fresh_decider
from examengine.programs.application_states import move
from examengine.programs.applications import visible_application
from examengine.programs.evidence import REVIEWERS
from examengine.programs.models import Application, ApplicationStatus, Authorization, Scheme

MAX_REASON = 4000


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"
    REQUEST_INFO = "request_info"


OUTCOME = {
    Decision.APPROVE: ApplicationStatus.APPROVED,
    Decision.DENY: ApplicationStatus.DENIED,
    Decision.REQUEST_INFO: ApplicationStatus.INFO_REQUESTED,
}
DECISION_OF = {status: decision for decision, status in OUTCOME.items()}


def _reason(decision: Decision, reason: str | None) -> str:
    text = " ".join((reason or "").replace("\x00", "").split())
    if not text and decision != Decision.APPROVE:
        wanted = "why it is denied" if decision == Decision.DENY else "what more is needed"
        raise InvalidInput(f"Give the reason: the applicant is told {wanted}.", code="reason_required")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"The reason is at most {MAX_REASON} characters.", code="reason_too_long")
    return text


def _authorize(session: Session, application: Application, scheme: Scheme, actor_id: str, now: datetime) -> str:
    authorization = Authorization(
        scheme_id=scheme.id,
        user_id=application.user_id,
        application_id=application.id,
        eligible_from=now,
        eligible_until=durations.after(now, scheme.authorization_period or ""),
        attempts_allowed=scheme.attempts_per_authorization,
        issued_at=now,
        issued_by=actor_id,
    )
    session.add(authorization)
    session.flush()
    return authorization.id


def decide(
    *,
    session: Session,
    application_id: str,
    user_id: str,
    roles: Collection[str],
    decision: Decision,
    reason: str | None,
    now: datetime,
) -> Application:
    """Decide a submitted application. Forbidden `own_application` for its applicant, `not_reviewer` for
    anyone but eligibility reviewers and admins, `decided_before` for who decided it before an appeal sent it back;
    InvalidInput `reason_required` for a denial or a request without a reason; Conflict `application_<status>`
    unless it is submitted (also for the loser of two decisions at once)."""
    application = visible_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    if application.user_id == user_id:
        raise Forbidden("Nobody decides their own application: another reviewer must.", code="own_application")
    if not any(role in REVIEWERS for role in roles):
        raise Forbidden("Only eligibility reviewers and admins decide applications.", code="not_reviewer")
    ensure_fresh_decider(
        session=session, subject_type=AppealSubject.APPLICATION, subject_id=application.id, actor_id=user_id
    )
    if decision not in set(Decision):
        raise InvalidInput("The decision is approve, deny or request_info.", code="unknown_decision")
    decision = Decision(decision)
    text = _reason(decision, reason)
    scheme = session.get(Scheme, application.scheme_id)
    if scheme is None:  # the scheme was deleted under the application (its rows cascade with it)
        raise NotFound("No such application.", code="application_not_found")
    if decision == Decision.APPROVE and not scheme.authorization_period:
        raise Conflict(
            f"{scheme.title} has no authorization period: set one before approving.", code="no_authorization_period"
        )
    appeal_until = durations.after(now, scheme.appeal_period) if decision == Decision.DENY else None
    move(
        session,
        application,
        OUTCOME[decision],
        decision_reason=text or None,
        decided_by=user_id,
        decided_at=now,
        appeal_until=appeal_until,
    )
    detail: dict[str, object] = {"decision": decision.value, "reason": text}
    if decision == Decision.APPROVE:
        detail["authorization_id"] = _authorize(session, application, scheme, user_id, now)
    if appeal_until is not None:
        detail["appeal_until"] = appeal_until
    record(
        session=session,
        kind=AuditKind.APPLICATION_DECIDED,
        actor_id=user_id,
        subject=f"application:{application.id}",
        detail=detail,
        at=now,
    )
    return application
