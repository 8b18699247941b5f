"""Retention: the purge deletes what has expired, writes a signed checkpoint, and verify still holds; it never
touches unfinished attempts or anything newer than its period, and refuses a trail that does not verify."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditCheckpoint, AuditRecord
from examengine.context import Services
from examengine.delivery.models import AttemptEvent
from examengine.delivery.trail import purge
from examengine.settings import Settings, SettingsError
from tests.audit.conftest import KEY, Program, append, check

PERIODS = {"login_failed": 90, "attempt_event": 90}


def count(services: Services, model: Any, *where: Any) -> int:
    def read(*, session: Session) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    return services.db.call(read, write=False)


def kinds(services: Services) -> dict[str, int]:
    def read(*, session: Session) -> dict[str, int]:
        rows = session.execute(select(col(AuditRecord.kind), func.count()).group_by(col(AuditRecord.kind)))
        return {kind: int(n) for kind, n in rows}

    return services.db.call(read, write=False)


def run_purge(services: Services, now: datetime, periods: dict[str, int] = PERIODS, key: str = KEY) -> Any:
    return services.db.call(purge, retention=periods, key=key, now=now)


def test_purge_keeps_verify_ok_and_spares_unfinished_and_recent(program: Program) -> None:
    services = program.services
    _, sitting_id = program.exam(essay=False)
    finished = program.take(sitting_id, program.candidates[0], {"q1": "A"}, score=False)
    running = program.begin(sitting_id, program.candidates[1], {"q1": "B"})
    append(services, 3, kind=AuditKind.LOGIN_FAILED)
    append(services, 2, kind=AuditKind.ROLE_CHANGED)
    append(services, 1, kind=AuditKind.LOGIN_FAILED)
    before = kinds(services)
    finished_events = count(services, AttemptEvent, col(AttemptEvent.attempt_id) == finished)
    running_events = count(services, AttemptEvent, col(AttemptEvent.attempt_id) == running)
    assert finished_events >= 2 and running_events >= 1

    now = datetime.now(UTC)
    assert run_purge(services, now + timedelta(days=89)).checkpoint_id is None  # nothing has expired yet
    later = now + timedelta(days=91)
    outcome = run_purge(services, later)
    assert outcome.refused is None
    assert (outcome.records, outcome.attempts, outcome.events) == ({"login_failed": 4}, 1, finished_events)
    assert outcome.checkpoint_id == 1
    assert count(services, AttemptEvent, col(AttemptEvent.attempt_id) == finished) == 0
    assert count(services, AttemptEvent, col(AttemptEvent.attempt_id) == running) == running_events
    after = kinds(services)
    assert "login_failed" not in after
    assert after[AuditKind.ROLE_CHANGED] == before[AuditKind.ROLE_CHANGED]
    assert after[AuditKind.ATTEMPT_EVENTS_PURGED] == 1 and after[AuditKind.RETENTION_PURGE] == 1
    report = check(services)
    assert report.ok, report.problem
    assert report.checkpoints == 1 and report.sealed > 0 and report.attempts == 1

    assert run_purge(services, later).checkpoint_id is None  # nothing more has expired
    append(services, 2, kind=AuditKind.LOGIN_FAILED)
    second = run_purge(services, later + timedelta(days=91))
    assert second.records == {"login_failed": 2} and second.checkpoint_id == 2
    assert check(services).ok

    unsigned = check(services, key="")
    assert unsigned.problem is not None and unsigned.problem.table == "audit_checkpoint"
    assert "set EXAMENGINE_AUDIT_KEY" in unsigned.problem.message
    wrong = check(services, key="w" * 40).problem
    assert wrong is not None and (wrong.table, wrong.id) == ("audit_checkpoint", 1)


def _sealed_record(services: Services) -> AuditRecord:
    def read(*, session: Session) -> AuditRecord:
        upto = session.scalars(select(AuditCheckpoint)).one().upto_id
        return session.scalars(select(AuditRecord).where(col(AuditRecord.id) < upto).limit(1)).one()

    return services.db.call(read, write=False)


@pytest.mark.parametrize("rehash", [False, True])
def test_a_sealed_record_edited_after_the_purge_is_detected(services: Services, rehash: bool) -> None:
    append(services, 2, kind=AuditKind.ROLE_CHANGED)
    append(services, 2, kind=AuditKind.LOGIN_FAILED)
    append(services, 1, kind=AuditKind.ROLE_CHANGED)
    assert run_purge(services, datetime.now(UTC) + timedelta(days=91)).checkpoint_id == 1
    row = _sealed_record(services)
    values: dict[str, Any] = {"detail": {"n": 42}}
    if rehash:
        values["hash"] = chain.record_hash(
            id=row.id,
            at=row.at,
            kind=row.kind,
            actor_id=row.actor_id,
            subject=row.subject,
            detail={"n": 42},
            prev_hash=row.prev_hash,
        )

    def edit(*, session: Session) -> None:
        session.execute(update(AuditRecord).where(col(AuditRecord.id) == row.id).values(**values))

    services.db.call(edit)
    problem = check(services).problem
    assert problem is not None
    expected = ("audit_checkpoint", 1) if rehash else ("audit_record", row.id)
    assert (problem.table, problem.id) == expected, problem


def test_a_trail_that_does_not_verify_is_never_purged(services: Services) -> None:
    append(services, 3, kind=AuditKind.LOGIN_FAILED)

    def edit(*, session: Session) -> None:
        session.execute(update(AuditRecord).where(col(AuditRecord.id) == 2).values(subject="user:someone-else"))

    services.db.call(edit)
    outcome = run_purge(services, datetime.now(UTC) + timedelta(days=91))
    assert outcome.refused is not None and "audit_record 2" in outcome.refused
    assert count(services, AuditRecord) == 3 and count(services, AuditCheckpoint) == 0


def test_without_periods_or_key_nothing_is_purged(services: Services) -> None:
    append(services, 2, kind=AuditKind.LOGIN_FAILED)
    far = datetime.now(UTC) + timedelta(days=10_000)
    assert run_purge(services, far, periods={}).checkpoint_id is None
    refused = run_purge(services, far, key="")
    assert refused.refused is not None and "EXAMENGINE_AUDIT_KEY" in refused.refused
    assert count(services, AuditRecord) == 2


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ()),
        (
            {"EXAMENGINE_AUDIT_RETENTION_DAYS": " login_failed=90 , attempt_event=1825", "EXAMENGINE_AUDIT_KEY": KEY},
            (("attempt_event", 1825), ("login_failed", 90)),
        ),
        (
            {"EXAMENGINE_AUDIT_RETENTION_DAYS": "login_failed=30,login_failed=60", "EXAMENGINE_AUDIT_KEY": KEY},
            (("login_failed", 60),),
        ),
    ],
)
def test_retention_settings(env: dict[str, str], expected: tuple[tuple[str, int], ...]) -> None:
    assert Settings.from_env(env).audit_retention_days == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"EXAMENGINE_AUDIT_RETENTION_DAYS": "logins=90", "EXAMENGINE_AUDIT_KEY": KEY}, "unknown record kind 'logins'"),
        ({"EXAMENGINE_AUDIT_RETENTION_DAYS": "login_failed=0", "EXAMENGINE_AUDIT_KEY": KEY}, "at least 1"),
        ({"EXAMENGINE_AUDIT_RETENTION_DAYS": "login_failed=ten", "EXAMENGINE_AUDIT_KEY": KEY}, "whole number"),
        ({"EXAMENGINE_AUDIT_RETENTION_DAYS": "attempt_events_purged=9", "EXAMENGINE_AUDIT_KEY": KEY}, "unknown"),
        ({"EXAMENGINE_AUDIT_RETENTION_DAYS": "=9", "EXAMENGINE_AUDIT_KEY": KEY}, "unknown record kind ''"),
        ({"EXAMENGINE_AUDIT_RETENTION_DAYS": "login_failed=90"}, "needs EXAMENGINE_AUDIT_KEY"),
        ({"EXAMENGINE_AUDIT_KEY": "short"}, "at least 32 characters"),
    ],
)
def test_bad_retention_settings_are_refused_with_the_reason(env: dict[str, str], message: str) -> None:
    """Refused before anything starts: by the settings (syntax, the key) or, for the kinds, by the audit trail
    when the services are built (the CLI and the app build them first)."""
    with pytest.raises(SettingsError, match=message):
        Services.build(Settings.from_env(env))
