"""Issuing certificates: exactly when an attempt's passing result is visible to its candidate.

A certificate exists for an attempt exactly when its result passed and was released under the rules of
scoring.release. The paths where that becomes true call `issue_if_due` (scoring on submit with immediate
release, the admin's release); the periodic `issue_due` covers the rest (a release date reached, marking
completed, attempts scored by the sweep) and heals any path that failed after its scoring committed.
The insert is conditional on the unique attempt, so two paths racing issue one certificate. A result withheld
after an incident, or invalidated, gets none (delivery.holds).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, false, or_, select
from sqlmodel import Session, col

from examengine import organisation
from examengine.accounts.models import User
from examengine.certificates.codes import new_code
from examengine.certificates.models import CERTIFICATE_TABLE, Certificate
from examengine.db import dialect_insert
from examengine.delivery.holds import blocked_clause, result_blocked
from examengine.delivery.models import Attempt
from examengine.exams import service as exams
from examengine.exams.service import ExamVersionView
from examengine.ids import new_id
from examengine.scoring.models import AttemptResult, ResultStatus
from examengine.scoring.release import release_time

# 80 random bits make a clash practically impossible; retrying a few times turns "practically" into "surely".
CODE_DRAWS = 5
VersionKey = tuple[str, int]


def certificate_of_attempt(session: Session, attempt_id: str) -> Certificate | None:
    return session.scalars(
        select(Certificate).where(col(Certificate.attempt_id) == attempt_id).execution_options(populate_existing=True)
    ).first()


def _insert(session: Session, attempt: Attempt, version: ExamVersionView, released_at: datetime) -> Certificate:
    holder = session.get(User, attempt.user_id)
    assert holder is not None  # an attempt's user is never deleted (no cascade from app_user)
    valid_days = version.definition.certificate_valid_days
    values: dict[str, Any] = {
        "attempt_id": attempt.id,
        "user_id": attempt.user_id,
        "exam_id": attempt.exam_id,
        "exam_version": attempt.exam_version,
        "exam_code": version.code,
        "credential": version.title,
        "holder_name": holder.name,
        "issuer_name": organisation.identity(session=session).name,
        "issued_at": released_at,
        "expires_at": released_at + timedelta(days=valid_days) if valid_days else None,
    }
    for _ in range(CODE_DRAWS):
        # No conflict target: a taken attempt (another path issued it) and a taken code both do nothing here;
        # the lookup below tells which.
        session.execute(
            dialect_insert(session, CERTIFICATE_TABLE)
            .values(id=new_id(), code=new_code(), **values)
            .on_conflict_do_nothing()
        )
        issued = certificate_of_attempt(session, attempt.id)
        if issued is not None:
            return issued
    raise RuntimeError(f"no unused verification code after {CODE_DRAWS} draws")


def _issue(session: Session, result: AttemptResult, version: ExamVersionView, now: datetime) -> Certificate | None:
    existing = certificate_of_attempt(session, result.attempt_id)
    if existing is not None:
        return existing
    if result.passed is not True:
        return None
    released_at = release_time(result, version.definition)
    if released_at is None or released_at > now or result_blocked(session, result.attempt_id):
        return None  # not visible yet, withheld after an incident, or invalidated
    attempt = session.get(Attempt, result.attempt_id)
    assert attempt is not None  # a result belongs to its attempt (foreign key)
    return _insert(session, attempt, version, released_at)


def issue_if_due(*, session: Session, attempt_id: str, now: datetime) -> Certificate | None:
    """The attempt's certificate, issued now if its passing result is visible to the candidate at `now`; None
    while it is not (not scored, not passed, not released yet). Safe to call any number of times and from
    several processes at once: every caller gets the one certificate."""
    result = session.get(AttemptResult, attempt_id) if len(attempt_id) <= 32 else None
    if result is None:
        return None
    version = exams.get_version(session=session, exam_id=result.exam_id, version=result.exam_version)
    return _issue(session, result, version, now)


def _releases_without_admin(version: ExamVersionView, now: datetime) -> bool:
    """Whether the version's rule can have released a complete result by `now` without an admin's action;
    only narrows the scan: `release_time` decides each result."""
    definition = version.definition
    if definition.result_release in ("immediate", "after_marking"):
        return True
    return definition.result_release == "on_date" and definition.release_at is not None and definition.release_at <= now


def issue_due(*, session: Session, now: datetime, exam_id: str | None = None, limit: int = 500) -> int:
    """The sweep: issue the certificates of every passing result visible by `now` that has none yet (of one
    exam when named), at most `limit`; returns how many it issued. Safe with several processes."""
    unissued = [
        col(AttemptResult.status) == ResultStatus.SCORED,
        col(AttemptResult.passed).is_(True),
        ~exists().where(col(Certificate.attempt_id) == col(AttemptResult.attempt_id)),
        ~blocked_clause(col(AttemptResult.attempt_id)),
    ]
    if exam_id is not None:
        unissued.append(col(AttemptResult.exam_id) == exam_id)
    waiting: list[VersionKey] = [
        (row[0], row[1])
        for row in session.execute(
            select(col(AttemptResult.exam_id), col(AttemptResult.exam_version))
            .where(*unissued, col(AttemptResult.released_at).is_(None))
            .distinct()
        )
    ]
    versions: dict[VersionKey, ExamVersionView] = {
        key: exams.get_version(session=session, exam_id=key[0], version=key[1]) for key in waiting
    }
    automatic = [key for key, version in versions.items() if _releases_without_admin(version, now)]
    by_rule = or_(
        false(),
        *(and_(col(AttemptResult.exam_id) == key[0], col(AttemptResult.exam_version) == key[1]) for key in automatic),
    )
    due = session.scalars(
        select(AttemptResult)
        .where(*unissued, or_(col(AttemptResult.released_at).is_not(None), by_rule))
        .order_by(col(AttemptResult.completed_at))
        .limit(limit)
    ).all()
    issued = 0
    for result in due:
        key = (result.exam_id, result.exam_version)
        if key not in versions:
            versions[key] = exams.get_version(session=session, exam_id=key[0], version=key[1])
        if _issue(session, result, versions[key], now) is not None:
            issued += 1
    return issued
