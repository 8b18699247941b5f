"""Statistics flow back into the item bank: each analysed item version gets its latest p-value and discrimination
(with n and the date) on its row, which form assembly reads, and a history row saying who saved what from which
analysis."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlmodel import Session, col

from examengine.analysis.exam_analysis import analyze_exam
from examengine.analysis.exam_responses import Filters
from examengine.analysis.exam_results import ExamAnalysis
from examengine.analysis.matrix import MissingRule
from examengine.analysis.models import ItemStatsRecord
from examengine.scoring.models import AttemptResult
from itembank.models import ItemVersion

REFRESH_LIMIT = 50


@dataclass(frozen=True)
class SavedStatistics:
    exam_id: str
    exam_version: int
    saved: int  # item versions whose statistics were written
    skipped: int  # item versions with nobody counted (n = 0), left as they were
    computed_at: datetime


def save_analysis(*, session: Session, analysis: ExamAnalysis, actor_id: str | None, now: datetime) -> SavedStatistics:
    """Write each item version's p-value, discrimination (the corrected item-rest correlation), n and `now` to
    its row, unless a later saving is already there, and record every saving. Items with n = 0 are skipped."""
    responses, filters = analysis.responses, analysis.responses.filters
    saved = 0
    for item in analysis.items:
        if item.n == 0:
            continue
        column = item.column
        session.add(
            ItemStatsRecord(
                item_id=column.item_id,
                item_version=column.version,
                exam_id=responses.exam_id,
                exam_version=responses.version,
                n=item.n,
                p_value=item.p_value,
                discrimination=item.corrected_point_biserial,
                missing_rule=analysis.missing_rule.value,
                sitting_id=filters.sitting_id,
                since=filters.since,
                until=filters.until,
                computed_at=now,
                computed_by=actor_id,
            )
        )
        # The latest computation wins, so a slow save of older figures cannot overwrite newer ones.
        session.execute(
            update(ItemVersion)
            .where(
                col(ItemVersion.item_id) == column.item_id,
                col(ItemVersion.version) == column.version,
                or_(col(ItemVersion.stats_at).is_(None), col(ItemVersion.stats_at) <= now),
            )
            .values(
                p_value=item.p_value,
                discrimination=item.corrected_point_biserial,
                stats_n=item.n,
                stats_at=now,
            )
        )
        saved += 1
    session.flush()
    return SavedStatistics(responses.exam_id, responses.version, saved, len(analysis.items) - saved, now)


def save_exam_statistics(
    *,
    session: Session,
    exam_id: str,
    filters: Filters,
    actor_id: str | None,
    now: datetime,
    missing_rule: MissingRule = MissingRule.WRONG,
) -> SavedStatistics:
    """Analyse the exam version's scored attempts (see exam_analysis.analyze_exam) and save the item statistics.
    Raises what analyze_exam raises."""
    analysis = analyze_exam(session=session, exam_id=exam_id, filters=filters, missing_rule=missing_rule)
    return save_analysis(session=session, analysis=analysis, actor_id=actor_id, now=now)


def refresh_all(*, session: Session, now: datetime, limit: int = REFRESH_LIMIT) -> list[SavedStatistics]:
    """For a scheduled job: save the statistics of every exam version with scored attempts (at most `limit`
    versions per run, read through the result's exam index), over all their attempts."""
    versions = session.execute(
        select(col(AttemptResult.exam_id), col(AttemptResult.exam_version))
        .distinct()
        .order_by(col(AttemptResult.exam_id), col(AttemptResult.exam_version))
        .limit(limit)
    ).all()
    return [
        save_exam_statistics(session=session, exam_id=exam_id, filters=Filters(version=version), actor_id=None, now=now)
        for exam_id, version in versions
    ]


def history(*, session: Session, item_id: str, version: int, limit: int = 20) -> list[ItemStatsRecord]:
    """The latest savings of an item version's statistics, newest first."""
    return list(
        session.scalars(
            select(ItemStatsRecord)
            .where(col(ItemStatsRecord.item_id) == item_id, col(ItemStatsRecord.item_version) == version)
            .order_by(col(ItemStatsRecord.computed_at).desc(), col(ItemStatsRecord.id).desc())
            .limit(limit)
        )
    )
