"""Admission to an exam that belongs to a scheme: the candidate needs an authorization to test whose window holds
now and that has an attempt left (API.md "Applications and authorization to test"). `eligibility` composes that
rule with the retake rules (scoring.retake.eligibility) into the one EligibilityCheck every start is given, so
delivery never imports programs.

An exam in no scheme pays one primary-key read of scheme_exam and is judged by the retake rules alone, exactly as
before. That read is not cached in the process: an admin may add the exam to a scheme at any time, and a stale
"no scheme" in another server process would let a candidate start without an authorization.

Attempts used are counted from the attempt rows (programs.authorizations), not kept in a counter: no lost update,
and the start's own write is what makes the count safe. Concurrent starts of one candidate at one exam cannot both
insert an attempt (one running attempt per candidate and exam, and the attempt number, are unique indexes); the
start that loses plans again and counts the winner's attempt. Recording the authorization on the attempt would
have put a programs fact into delivery's table for no gain. Across two exams of one scheme, two starts in the
very same instant by one candidate (two sittings open in two tabs) could each see one attempt left: the
authorization then shows `consumed` with attempts_used above attempts_allowed, which an admin can see.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from examengine.clock import local_text
from examengine.exams.definition import ExamDefinition
from examengine.exams.retake import Eligibility
from examengine.programs.authorizations import USABLE, AuthorizationState, AuthorizationStatus, state_of
from examengine.programs.models import Authorization, SchemeExam
from examengine.scoring import retake


def _refusal(reason: str, code: str, used: int = 0, next_at: datetime | None = None) -> Eligibility:
    return Eligibility(False, reason, next_at, used, code)


def _judge(states: list[AuthorizationState], now: datetime) -> Eligibility | None:
    """None when one of the authorizations lets the candidate start now; else the refusal that says most."""
    if not states:
        return _refusal(
            "You need an authorization to test for this exam: apply to its certification scheme first.",
            "no_authorization",
        )
    current = [s for s in states if s.in_window(now)]
    if any(s.status in USABLE for s in current):
        return None
    for state in current:
        if state.status == AuthorizationStatus.CONSUMED:
            allowed = state.authorization.attempts_allowed
            reason = (
                "You did not sit the sitting you booked: your authorization to test was used by the no-show."
                if state.no_show and state.attempts_used < allowed
                else f"You have used the {allowed} attempt(s) your authorization to test allows."
            )
            return _refusal(reason, "authorization_consumed", state.attempts_used)
        if state.status == AuthorizationStatus.REVOKED:
            return _refusal("Your authorization to test for this exam was revoked.", "authorization_revoked")
    upcoming = sorted(s.authorization.eligible_from for s in states if now < s.authorization.eligible_from)
    if upcoming:
        reason = f"Your authorization to test for this exam starts on {local_text(upcoming[0], 'UTC')}."
        return _refusal(reason, "outside_eligibility_window", next_at=upcoming[0])
    latest = max(s.authorization.eligible_until for s in states)
    reason = f"Your authorization to test for this exam ended on {local_text(latest, 'UTC')}."
    return _refusal(reason, "outside_eligibility_window")


# Built once: every start at every exam asks it.
SCHEME_OF_EXAM = select(col(SchemeExam.scheme_id)).where(col(SchemeExam.exam_id) == bindparam("b_exam_id"))


def admission(*, session: Session, user_id: str, exam_id: str, now: datetime) -> Eligibility | None:
    """None when the exam is in no scheme or the candidate holds a usable authorization for it now; else the
    refusal (no_authorization, outside_eligibility_window, authorization_consumed, authorization_revoked)."""
    scheme_id = session.connection().execute(SCHEME_OF_EXAM, {"b_exam_id": exam_id}).scalar()
    if scheme_id is None:
        return None
    held = session.scalars(
        select(Authorization).where(col(Authorization.user_id) == user_id, col(Authorization.scheme_id) == scheme_id)
    )
    return _judge([state_of(session, a, now) for a in held], now)


def eligibility(
    *, session: Session, user_id: str, exam_id: str, definition: ExamDefinition, now: datetime
) -> Eligibility:
    """The EligibilityCheck of every start (both doors, the candidate's overview and the pre-assembly job): the
    scheme's admission rule first, then the retake rules. Raises nothing."""
    refused = admission(session=session, user_id=user_id, exam_id=exam_id, now=now)
    if refused is not None:
        return refused
    return retake.eligibility(session=session, user_id=user_id, exam_id=exam_id, definition=definition, now=now)
