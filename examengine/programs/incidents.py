"""An admin's decision about a result withheld after an incident (API.md "Score reports, incidents, appeals").

A result is withheld while the attempt was terminated and nobody decided about it yet, or while a proctor's
incident report carries `hold` (the facts and the rule: delivery.holds). The decision, `release` or `invalidate`
with a reason, is recorded twice in one unit of work: on the attempt's chain (`incident_decided`, what scoring and
certificates read) and as the program's IncidentDecision (who, when, why, and the appeal period an invalidation
opens: the scheme's `appeal_period`, P30D for an exam in no scheme).

How it relates to the termination decision (delivery.termination, POST .../termination-decision): the two answer
different questions. The termination decision says what a terminated attempt counts for under the retake rules
(uphold, allow_retake, void); each of the three leaves the attempt without a result, and its contract is unchanged.
The incident decision says whether a withheld result stands. So:
- a terminated attempt is withheld until either decision is recorded; once a termination decision exists the
  attempt has no result and nothing is withheld (an incident decision then answers 409 `result_not_withheld`);
- invalidating a terminated attempt also records the termination decision `uphold` with the same reason (the
  attempt counts as used, no result, and the appeal period opens);
- releasing a terminated attempt also records `allow_retake`: the incident is not held against the candidate, but
  an attempt cut short has no valid score, so it is never scored (scoring refuses terminated attempts) and the
  candidate may sit again at once;
- an attempt held by an incident report (submitted or expired) is scored as usual: release lets its result follow
  the exam's normal release rule (its certificate is issued now when due), invalidate leaves it earning nothing (it
  is never shown to the candidate; a certificate or a credential already issued from it is revoked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.certificates import issuing
from examengine.certificates import service as certificates
from examengine.delivery import attempts, holds, termination
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt
from examengine.delivery.states import FINAL, AttemptStatus, TerminationDecision
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from examengine.programs import credentials, durations
from examengine.programs.models import (
    IncidentDecision,
    IncidentDecisionKind,
    ProgramCredential,
    Scheme,
    SchemeExam,
)

DEFAULT_APPEAL_PERIOD = "P30D"
MAX_REASON = 2000


@dataclass(frozen=True)
class Revoked:
    certificate_code: str | None  # the certificate revoked by an invalidation
    credential_number: str | None  # the program credential revoked by an invalidation


@dataclass(frozen=True)
class Decided:
    decision: IncidentDecision
    revoked: Revoked


def appeal_period(session: Session, exam_id: str) -> str:
    """The appeal period of the scheme the exam belongs to; P30D when it belongs to none."""
    found = session.exec(
        select(Scheme.appeal_period)
        .join(SchemeExam, col(SchemeExam.scheme_id) == col(Scheme.id))
        .where(col(SchemeExam.exam_id) == exam_id)
    ).first()
    return found or DEFAULT_APPEAL_PERIOD


def _checked(decision: str, reason: str) -> tuple[IncidentDecisionKind, str]:
    if decision not in {d.value for d in IncidentDecisionKind}:
        raise InvalidInput("Choose the decision: release or invalidate.", code="decision")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give the reason for the decision; it is recorded.", code="reason_required")
    if len(reason) > MAX_REASON or "\x00" in reason:
        raise InvalidInput(f"The reason is at most {MAX_REASON:,} characters of text.", code="invalid_reason")
    return IncidentDecisionKind(decision), reason


def _withheld_attempt(session: Session, attempt_id: str, actor_id: str) -> Attempt:
    attempt = session.get(Attempt, attempt_id) if len(attempt_id) <= 32 else None
    if attempt is None:
        raise NotFound("No such attempt.", code="attempt_not_found")
    if attempt.user_id == actor_id:
        raise Forbidden("You cannot decide about your own attempt.", code="own_attempt")
    state = holds.hold_state(session, attempt)
    if state.decision is not None:
        raise Conflict("A decision about this incident is already recorded.", code="incident_decided")
    if attempt.status not in FINAL:
        raise Conflict("The attempt is still open: decide once it has finished.", code="attempt_not_finished")
    if state.held_for is None:
        raise Conflict("Nothing about this attempt's result is withheld.", code="result_not_withheld")
    return attempt


def decide(*, session: Session, attempt_id: str, decision: str, reason: str, actor_id: str, now: datetime) -> Decided:
    """Release or invalidate the attempt's withheld result, once, with a reason (see the module's docstring).
    Raises NotFound (attempt_not_found), InvalidInput (decision; reason_required; invalid_reason), Forbidden
    (own_attempt), Conflict (incident_decided: already decided; attempt_not_finished; result_not_withheld)."""
    kind, reason = _checked(decision, reason)
    attempt = _withheld_attempt(session, attempt_id, actor_id)
    detail = {"decision": kind.value, "reason": reason}
    attempts.record(session, attempt.id, AttemptEventType.INCIDENT_DECIDED, actor_id=actor_id, at=now, detail=detail)
    if attempt.status == AttemptStatus.TERMINATED:
        invalidating = kind == IncidentDecisionKind.INVALIDATE
        follows = TerminationDecision.UPHOLD if invalidating else TerminationDecision.ALLOW_RETAKE
        termination.decide(
            session=session, attempt_id=attempt.id, decision=follows.value, reason=reason, actor_id=actor_id, now=now
        )
    appeal_until = None
    revoked = Revoked(None, None)
    if kind == IncidentDecisionKind.INVALIDATE:
        appeal_until = durations.after(now, appeal_period(session, attempt.exam_id))
        revoked = _revoke_earned(session, attempt, reason, actor_id, now)
    stored = IncidentDecision(
        attempt_id=attempt.id,
        decision=kind,
        reason=reason,
        decided_by=actor_id,
        decided_at=now,
        appeal_until=appeal_until,
    )
    session.add(stored)
    session.flush()
    if kind == IncidentDecisionKind.RELEASE:
        certificate = issuing.issue_if_due(session=session, attempt_id=attempt.id, now=now)
        if certificate is not None:  # the scheme's credential follows the certificate, as after a submit
            credentials.award_for_attempt(session=session, attempt_id=attempt.id, at=certificate.issued_at)
    record(
        session=session,
        kind=AuditKind.INCIDENT_DECIDED,
        actor_id=actor_id,
        subject=f"attempt:{attempt.id}",
        detail={
            **detail,
            "revoked_certificate": revoked.certificate_code,
            "revoked_credential": revoked.credential_number,
        },
        at=now,
    )
    return Decided(stored, revoked)


def _revoke_earned(session: Session, attempt: Attempt, reason: str, actor_id: str, now: datetime) -> Revoked:
    """Revoke what the attempt earned before it was held (a certificate issued at once, a credential)."""
    certificate = issuing.certificate_of_attempt(session, attempt.id)
    code = None
    if certificate is not None and certificate.revoked_at is None:
        certificates.revoke(session=session, code=certificate.code, actor_id=actor_id, reason=reason, now=now)
        code = certificate.code
    credential = session.exec(
        select(ProgramCredential).where(
            col(ProgramCredential.attempt_id) == attempt.id, col(ProgramCredential.revoked_at).is_(None)
        )
    ).first()
    number = None
    if credential is not None:
        credentials.revoke_credential(
            session=session, number=credential.number, reason=reason, actor_id=actor_id, now=now
        )
        number = credential.number
    return Revoked(code, number)


def decision_of(*, session: Session, attempt_id: str) -> IncidentDecision | None:
    return session.get(IncidentDecision, attempt_id) if len(attempt_id) <= 32 else None
