"""What an upheld appeal's remedy does to the decision appealed (API.md "Score reports, incidents, appeals").

- `retest` (a result, or an application): a new authorization to test in the scheme, its window from now for the
  scheme's `authorization_period`, `attempts_per_authorization` attempts, marked with the appeal's id. For an
  application the appeal overturns the denial: the application becomes approved (by the reviewer, with the appeal's
  reason) and the authorization is the application's.
- `reinstate` (a credential): the suspension or revocation is lifted, with a `restored` credential event.
- `reconsider` (an application or accommodation request): back to `submitted` for a fresh decision; the appeal
  keeps who decided before, and `programs.appeals.barred_deciders` names them so they do not decide it again.
- `rescore` (a result): recorded, not applied. The rescore machinery (workflows.rescore) applies a decision about
  one item to every result of an exam version, which an appeal about one attempt cannot choose; the appeal's
  `remedy_detail` names the exam and attempt, and the admins' appeals page lists it as a rescore to make.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.delivery.models import Attempt
from examengine.errors import Conflict, InvalidInput
from examengine.programs import durations
from examengine.programs.appeal_models import Appeal, AppealSubject, Remedy
from examengine.programs.models import (
    AccommodationRequest,
    AccommodationStatus,
    Application,
    ApplicationStatus,
    Authorization,
    CredentialEvent,
    CredentialEventKind,
    ProgramCredential,
    Scheme,
)

FITTING: dict[AppealSubject, frozenset[Remedy]] = {
    AppealSubject.APPLICATION: frozenset({Remedy.RECONSIDER, Remedy.RETEST}),
    AppealSubject.ACCOMMODATION: frozenset({Remedy.RECONSIDER}),
    AppealSubject.RESULT: frozenset({Remedy.RESCORE, Remedy.RETEST}),
    AppealSubject.CREDENTIAL: frozenset({Remedy.REINSTATE}),
}


def check_fits(appeal: Appeal, remedy: Remedy) -> None:
    fitting = FITTING[appeal.subject_type]
    if remedy not in fitting:
        names = " or ".join(sorted(r.value for r in fitting))
        raise InvalidInput(
            f"The remedy {remedy.value} does not fit an appeal about a {appeal.subject_type}: use {names}.",
            code="remedy_not_applicable",
            details={"field": "remedy", "remedies": sorted(r.value for r in fitting)},
        )


def _approve(session: Session, appeal: Appeal, actor_id: str, reason: str, now: datetime) -> str | None:
    """An application's denial overturned: approved by the reviewer with the appeal's reason; returns its id."""
    if appeal.subject_type != AppealSubject.APPLICATION:
        return None
    found = session.get(Application, appeal.subject_id, with_for_update=True)
    if found is None or found.status != ApplicationStatus.DENIED:
        raise _changed()
    found.status, found.decided_by, found.decided_at = ApplicationStatus.APPROVED, actor_id, now
    found.decision_reason, found.appeal_until = reason, None
    session.add(found)
    return found.id


def _changed() -> Conflict:
    return Conflict(
        "The decision appealed has changed since the appeal was filed: it is no longer a denial.",
        code="decision_changed",
    )


def _retest(session: Session, appeal: Appeal, actor_id: str, reason: str, now: datetime) -> dict[str, Any]:
    scheme = session.get(Scheme, appeal.scheme_id) if appeal.scheme_id else None
    if scheme is None or not scheme.authorization_period:
        raise InvalidInput(
            "A retest needs a scheme with an authorization period; this decision's scheme has none.",
            code="remedy_not_applicable",
            details={"field": "remedy"},
        )
    authorization = Authorization(
        application_id=_approve(session, appeal, actor_id, reason, now),
        scheme_id=scheme.id,
        user_id=appeal.appellant_id,
        appeal_id=appeal.id,
        eligible_from=now,
        eligible_until=durations.after(now, scheme.authorization_period),
        attempts_allowed=scheme.attempts_per_authorization,
        issued_at=now,
        issued_by=actor_id,
    )
    session.add(authorization)
    session.flush()
    return {"authorization_id": authorization.id, "eligible_until": authorization.eligible_until.isoformat()}


def _reinstate(session: Session, appeal: Appeal, actor_id: str, reason: str, now: datetime) -> dict[str, Any]:
    credential = session.scalars(
        select(ProgramCredential).where(col(ProgramCredential.number) == appeal.subject_id).with_for_update()
    ).one()
    lifted = {"revoked_at": credential.revoked_at, "suspended_at": credential.suspended_at}
    credential.revoked_at = None
    credential.suspended_at = None
    session.add(credential)
    session.add(
        CredentialEvent(
            credential_id=credential.id,
            kind=CredentialEventKind.RESTORED,
            at=now,
            actor_id=actor_id,
            reason=reason,
            detail={"appeal_id": appeal.id, **{k: v.isoformat() for k, v in lifted.items() if v}},
        )
    )
    return {"credential_number": credential.number}


def _reconsider(session: Session, appeal: Appeal) -> dict[str, Any]:
    found: Application | AccommodationRequest | None
    if appeal.subject_type == AppealSubject.APPLICATION:
        found = session.get(Application, appeal.subject_id, with_for_update=True)
        denied = found is not None and found.status == ApplicationStatus.DENIED
    else:
        found = session.get(AccommodationRequest, appeal.subject_id, with_for_update=True)
        denied = found is not None and found.status == AccommodationStatus.DENIED
    if found is None or not denied:
        raise _changed()
    found.status = ApplicationStatus.SUBMITTED if isinstance(found, Application) else AccommodationStatus.SUBMITTED
    found.decided_by = found.decided_at = found.decision_reason = found.appeal_until = None
    session.add(found)
    return {"previous_decider": appeal.decision_by, "status": "submitted"}


def apply_remedy(
    *, session: Session, appeal: Appeal, remedy: Remedy, actor_id: str, reason: str, now: datetime
) -> dict[str, Any]:
    """Apply the remedy of an upheld appeal; returns what it did (kept on the appeal). Raises InvalidInput
    (remedy_not_applicable) and Conflict (decision_changed)."""
    check_fits(appeal, remedy)
    if remedy == Remedy.RETEST:
        return _retest(session, appeal, actor_id, reason, now)
    if remedy == Remedy.REINSTATE:
        return _reinstate(session, appeal, actor_id, reason, now)
    if remedy == Remedy.RECONSIDER:
        return _reconsider(session, appeal)
    exam_id = session.scalar(select(col(Attempt.exam_id)).where(col(Attempt.id) == appeal.subject_id))
    return {"attempt_id": appeal.subject_id, "exam_id": exam_id, "rescore_requested": True}
