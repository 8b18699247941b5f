"""The results of an exam as CSV, for GET /api/v1/exams/{exam_id}/results.csv (admin)."""

from __future__ import annotations

import io

from sqlalchemy import select
from sqlmodel import Session, col

from examengine import csv_export
from examengine.accounts.models import User
from examengine.clock import rfc3339
from examengine.delivery import holds
from examengine.delivery.models import Attempt
from examengine.exams import service as exams
from examengine.scoring.models import AttemptResult, ResultStatus
from examengine.scoring.scale import report_decimal, report_scaled

COLUMNS = (
    "email",
    "name",
    "attempt_id",
    "sitting_id",
    "exam_version",
    "finished_at",
    "raw_score",
    "max_score",
    "percent",
    "scaled_score",
    "passed",
    "status",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{report_decimal(value):.2f}".rstrip("0").rstrip(".")


def results_csv(*, session: Session, exam_id: str) -> str:
    """One row per scored attempt of the exam (every version), ordered by finish time; scores are rounded as
    reported, and the total, percent, scaled score and pass are empty while the result is pending marking. An
    attempt whose result an incident holds has the status `withheld`, one an incident decision invalidated
    `invalidated`; neither has a pass (its scores stay, for the record). Raises NotFound for an unknown exam."""
    exams.get_version(session=session, exam_id=exam_id)
    rows = session.execute(
        select(
            AttemptResult,
            Attempt,
            User,
            holds.invalidated_clause(Attempt.id).label("invalidated"),
            holds.blocked_clause(Attempt.id).label("withheld"),
        )
        .join(Attempt, col(Attempt.id) == col(AttemptResult.attempt_id))
        .join(User, col(User.id) == col(Attempt.user_id))
        .where(col(AttemptResult.exam_id) == exam_id)
        .order_by(col(Attempt.finished_at), col(Attempt.id))
    ).all()
    out = io.StringIO()
    writer = csv_export.Writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for result, attempt, user, invalidated, withheld in rows:
        complete = result.status == ResultStatus.SCORED
        status = "invalidated" if invalidated else "withheld" if withheld else result.status
        passed = None if status != result.status else result.passed
        writer.writerow(
            (
                user.email,
                user.name,
                attempt.id,
                attempt.sitting_id,
                result.exam_version,
                rfc3339(attempt.finished_at) if attempt.finished_at else "",
                _number(result.raw_score if complete else None),
                _number(result.max_score),
                _number(result.percent),
                "" if result.scaled_score is None else report_scaled(result.scaled_score),
                "" if passed is None else str(passed).lower(),
                status,
            )
        )
    return out.getvalue()
