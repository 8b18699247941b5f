"""Deciding an accommodation request: an eligibility reviewer or an admin approves it (as asked, or with less) or
denies it with a reason, which opens the scheme's appeal period. Nobody decides their own request, and a request is
decided once: the decision is a guarded UPDATE of an undecided row, so of two reviewers deciding at the same moment
one wins and the other is told it was decided (Conflict), on either engine."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, Forbidden, InvalidInput
from examengine.programs import accommodation_terms, durations
from examengine.programs.accommodation_terms import Terms
from examengine.programs.accommodations import RequestView, audit_terms, is_reviewer, request_view
from examengine.programs.appeal_models import AppealSubject
from examengine.programs.appeals import ensure_fresh_decider
from examengine.programs.models import AccommodationRequest, AccommodationStatus
from examengine.programs.schemes import scheme_by_code

MAX_REASON = 4000


class Decision(StrEnum):
    APPROVE = "approve"
    DENY = "deny"


def _checked(view: RequestView, actor_id: str, roles: Collection[str], decision: str, reason: str | None) -> str:
    """The reason, trimmed, once the actor may take this decision about this request now."""
    if not is_reviewer(roles):
        raise Forbidden("Only eligibility reviewers and admins decide accommodation requests.", code="not_reviewer")
    if view.user_id == actor_id:
        raise Forbidden("Nobody decides their own accommodation request.", code="own_request")
    if decision not in {d.value for d in Decision}:
        raise InvalidInput("decision: give approve or deny.", code="invalid_decision", details={"field": "decision"})
    text = (reason or "").strip()
    if len(text) > MAX_REASON:
        raise InvalidInput(
            f"The reason may be at most {MAX_REASON:,} characters.", code="reason_too_long", details={"field": "reason"}
        )
    if not view.undecided:
        raise Conflict("The request has been decided already.", code="already_decided")
    if decision == Decision.DENY and not text:
        raise InvalidInput(
            "Say why the request is denied: the candidate reads the reason and may appeal it.",
            code="reason_required",
            details={"field": "reason"},
        )
    return text


def decide(
    *,
    session: Session,
    request_id: str,
    actor_id: str,
    roles: Collection[str],
    decision: str,
    approved: Terms | None,
    reason: str | None,
    now: datetime,
) -> RequestView:
    """Approve (granting `approved`, or what was asked when it is None) or deny (a reason is required; it sets
    `appeal_until`). NotFound for a request the actor may not see; Forbidden for a non-reviewer, the requester or
    (`decided_before`) who decided it before an appeal sent it back; InvalidInput for an unknown decision, a grant
    above the request or empty (`accommodation_empty`), a denial without a reason (`reason_required`); Conflict
    (`already_decided`) once decided."""
    view = request_view(session=session, request_id=request_id, user_id=actor_id, roles=roles)
    text = _checked(view, actor_id, roles, decision, reason)
    ensure_fresh_decider(
        session=session, subject_type=AppealSubject.ACCOMMODATION, subject_id=view.request_id, actor_id=actor_id
    )
    values: dict[str, object] = {"decided_by": actor_id, "decided_at": now, "decision_reason": text or None}
    granted: Terms | None = None
    if decision == Decision.APPROVE:
        granted = view.requested if approved is None else accommodation_terms.checked(approved, field="approved")
        accommodation_terms.check_within(granted, view.requested)
        values |= {"status": AccommodationStatus.APPROVED, "approved": granted.stored()}
    else:
        appeal_period = scheme_by_code(session, view.scheme).appeal_period
        values |= {"status": AccommodationStatus.DENIED, "appeal_until": durations.after(now, appeal_period)}
    changed = session.execute(
        update(AccommodationRequest)
        .where(
            col(AccommodationRequest.id) == request_id,
            col(AccommodationRequest.status) == AccommodationStatus.SUBMITTED,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("The request has been decided already.", code="already_decided")
    record(
        session=session,
        kind=AuditKind.ACCOMMODATION_DECIDED,
        actor_id=actor_id,
        subject=f"accommodation_request:{request_id}",
        detail={
            "decision": decision,
            "candidate_id": view.user_id,
            "scheme": view.scheme,
            **({"granted": audit_terms(granted)} if granted else {"reason": text}),
        },
        at=now,
    )
    row = session.get(AccommodationRequest, request_id)
    if row is not None:
        session.expire(row)  # the UPDATE went around the identity map
    return request_view(session=session, request_id=request_id, user_id=actor_id, roles=roles)
