"""Incident time credited back to a candidate (an outage, a fire alarm): the proctor decides, the exam's policy caps
it, and the ledger shows it. What the candidate's browser reported as time offline is offered as a suggestion only:
the client's clock is never trusted for more than that."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.delivery import attempt_view, attempts
from examengine.delivery.acting import checked_minutes, proctored_attempt, required_reason
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.delivery.states import FINAL
from examengine.errors import Conflict, InvalidInput
from examengine.exams import service as exams

MAX_REPORTED_OFFLINE_SECONDS = 4 * 3600  # one reported outage counts at most this much towards the suggestion


@dataclass(frozen=True)
class CreditPolicy:
    cap_minutes: int  # the most incident time one attempt may be credited in total
    credited_seconds: int  # credited so far
    reported_offline_seconds: int  # what the browser reported as offline time, summed

    @property
    def available_minutes(self) -> int:
        return max(0, self.cap_minutes - self.credited_seconds // 60)

    @property
    def suggested_minutes(self) -> int:
        """Reported offline time not yet credited, rounded up to whole minutes, within the cap."""
        owed = max(0, self.reported_offline_seconds - self.credited_seconds)
        return min(self.available_minutes, -(-owed // 60))


def policy(*, session: Session, attempt: Attempt) -> CreditPolicy:
    definition = exams.definition_of(session=session, exam_id=attempt.exam_id, version=attempt.exam_version)
    reports = session.scalars(
        select(col(AttemptEvent.detail)).where(
            col(AttemptEvent.attempt_id) == attempt.id, col(AttemptEvent.type) == AttemptEventType.ONLINE
        )
    )
    reported = sum(_reported_seconds(detail) for detail in reports)
    return CreditPolicy(definition.incident_credit_cap_minutes, attempt.credited_seconds, reported)


def observed_offline(session: Session, attempt: Attempt, reported: object, now: datetime) -> dict[str, int]:
    """What an `online` report stores: the offline seconds the client reported, and as `offline_seconds` (the figure
    the credit suggestion sums) that report capped at the longest quiet the server itself saw from the candidate
    within the reported span: no save, signal or start between two moments. Quiet already covered by an earlier
    `online` report does not count twice."""
    claimed = reported if isinstance(reported, int) and not isinstance(reported, bool) else 0
    claimed = max(0, min(claimed, MAX_REPORTED_OFFLINE_SECONDS))
    by_candidate = (col(AttemptEvent.attempt_id) == attempt.id, col(AttemptEvent.actor_id) == attempt.user_id)
    last_report = session.scalar(
        select(func.max(col(AttemptEvent.at))).where(*by_candidate, col(AttemptEvent.type) == AttemptEventType.ONLINE)
    )
    since = max(now - timedelta(seconds=claimed), last_report or now - timedelta(seconds=claimed))
    before = session.scalar(select(func.max(col(AttemptEvent.at))).where(*by_candidate, col(AttemptEvent.at) <= since))
    seen_before = [m for m in (before, attempt.started_at, attempt.last_seen_at) if m is not None and m <= since]
    first_seen = session.scalar(select(func.min(col(AttemptEvent.at))).where(*by_candidate))
    # Nothing seen before the span: the quiet can only have begun when the attempt first showed life.
    quiet_from = max(seen_before, default=None) or min(
        (m for m in (first_seen, attempt.started_at, attempt.last_seen_at) if m is not None), default=now
    )
    inside = session.scalars(
        select(col(AttemptEvent.at))
        .where(*by_candidate, col(AttemptEvent.at) > since, col(AttemptEvent.at) <= now)
        .order_by(col(AttemptEvent.at))
    )
    moments = [quiet_from, *inside, now]
    observed = max(int((later - earlier).total_seconds()) for earlier, later in itertools.pairwise(moments))
    return {"reported_offline_seconds": claimed, "offline_seconds": max(0, min(claimed, observed))}


def _reported_seconds(detail: object) -> int:
    value = detail.get("offline_seconds") if isinstance(detail, dict) else None
    if not isinstance(value, int) or isinstance(value, bool):
        return 0
    return max(0, min(value, MAX_REPORTED_OFFLINE_SECONDS))


def credit(
    *, session: Session, attempt_id: str, actor_id: str, minutes: int, reason: str, now: datetime | None = None
) -> attempt_view.AttemptView:
    """Credit incident time to a running or paused attempt: its deadline moves by `minutes` (the sitting's close
    still caps it). Raises InvalidInput without a reason, outside 1-600 minutes or beyond the exam's cap (naming
    what is left), Conflict once finished, and what `proctored_attempt` raises."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    minutes = checked_minutes(minutes, "credit")
    reason = required_reason(reason, "credit incident time")
    now = now or utcnow()
    if attempts.finish_if_overdue(session, attempt, now) or attempt.status in FINAL:
        raise Conflict(
            "The attempt has finished; time can no longer be credited.",
            code=f"attempt_{attempt.status}",
            commit_before_raising=True,
        )
    rules = policy(session=session, attempt=attempt)
    if minutes > rules.available_minutes:
        raise InvalidInput(
            f"The exam credits at most {rules.cap_minutes} minutes of incident time per attempt; "
            f"{rules.available_minutes} minutes are left to credit.",
            code="credit_over_cap",
        )
    credited = attempt.credited_seconds + minutes * 60
    return attempts.add_time(
        session,
        attempt,
        counter="credited_seconds",
        seconds=minutes * 60,
        unchanged=col(Attempt.credited_seconds) == attempt.credited_seconds,
        kind=AttemptEventType.TIME_CREDITED,
        actor_id=actor_id,
        detail={
            "minutes": minutes,
            "reason": reason,
            "credited_minutes": credited // 60,
            "cap_minutes": rules.cap_minutes,
            "reported_offline_seconds": rules.reported_offline_seconds,
        },
        now=now,
    )
