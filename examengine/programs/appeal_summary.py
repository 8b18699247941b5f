"""The counts of appeals for a program's annual report.

The appeals counted are those filed within [from, to] (UTC dates, both inclusive; either may be left open). Of
them: how many by subject type, how many decided by outcome, how many still open, and the days from filing to
decision of the decided ones, as the median and the mean (days with fractions, rounded to 0.1; null when none
was decided).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.programs.appeal_models import OPEN_STATUSES, Appeal, AppealStatus, AppealSubject


@dataclass(frozen=True)
class AppealSummary:
    filed: int
    by_subject_type: dict[str, int]
    by_outcome: dict[str, int]
    open: int
    median_days_to_decision: float | None
    mean_days_to_decision: float | None


def summary(*, session: Session, since: date | None = None, until: date | None = None) -> AppealSummary:
    query = select(col(Appeal.subject_type), col(Appeal.status), col(Appeal.filed_at), col(Appeal.decided_at))
    if since is not None:
        query = query.where(col(Appeal.filed_at) >= datetime.combine(since, time(), tzinfo=UTC))
    if until is not None:
        query = query.where(col(Appeal.filed_at) < datetime.combine(until + timedelta(days=1), time(), tzinfo=UTC))
    rows = session.execute(query).all()
    by_subject = {kind.value: 0 for kind in AppealSubject}
    by_outcome = {AppealStatus.UPHELD.value: 0, AppealStatus.DENIED.value: 0}
    days: list[float] = []
    still_open = 0
    for subject_type, status, filed_at, decided_at in rows:
        by_subject[AppealSubject(subject_type).value] += 1
        if status in OPEN_STATUSES:
            still_open += 1
        elif decided_at is not None:
            by_outcome[AppealStatus(status).value] += 1
            days.append((decided_at - filed_at).total_seconds() / 86_400)
    return AppealSummary(
        len(rows),
        by_subject,
        by_outcome,
        still_open,
        round(statistics.median(days), 1) if days else None,
        round(statistics.fmean(days), 1) if days else None,
    )
