"""Chain integrity on both engines, and tamper detection: an edited, deleted or reordered row is named by verify."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlmodel import Session, col

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditChainHead, AuditRecord
from examengine.context import Services
from examengine.delivery.models import AttemptEvent
from examengine.delivery.trail import verify
from tests.audit.conftest import Program, append, check


def rows(services: Services, model: Any, *where: Any) -> list[Any]:
    def read(*, session: Session) -> list[Any]:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))

    return services.db.call(read, write=False)


def run(services: Services, *statements: Any) -> None:
    def go(*, session: Session) -> None:
        for statement in statements:
            session.execute(statement)

    services.db.call(go)


def test_appends_form_one_gapless_chain_ending_at_the_head(services: Services) -> None:
    append(services, 30)
    records = rows(services, AuditRecord)
    assert [r.id for r in records] == list(range(1, 31))
    assert records[0].prev_hash == chain.RECORD_GENESIS
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(records))
    head = rows(services, AuditChainHead)[0]
    assert (head.last_id, head.last_hash) == (30, records[-1].hash)
    report = check(services)
    assert report.ok, report.problem
    assert report.records == 30


def test_an_attempt_chains_its_events_and_its_finish_goes_into_the_global_chain(
    attempt: tuple[Program, str],
) -> None:
    program, attempt_id = attempt
    saves = rows(program.services, AttemptEvent, col(AttemptEvent.type) == "answer_saved")
    assert saves and all(s.hash == s.prev_hash == "" for s in saves)  # the save path does no hashing
    events = _events(program.services, attempt_id)
    assert events[0].prev_hash == chain.attempt_genesis(attempt_id)
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(events))
    assert events[-1].type == "submitted"
    finished = rows(program.services, AuditRecord, col(AuditRecord.kind) == AuditKind.ATTEMPT_FINISHED)
    assert [(f.subject, f.detail["event_id"], f.detail["hash"]) for f in finished] == [
        (f"attempt:{attempt_id}", events[-1].id, events[-1].hash)
    ]
    report = check(program.services)
    assert report.ok, report.problem
    assert (report.attempts, report.events) == (1, len(events))


Tamper = Callable[[Services], Any]


def _events(services: Services, attempt_id: str) -> list[AttemptEvent]:
    """The attempt's chained events (answer saves are on the timeline, outside the chain)."""
    chained = col(AttemptEvent.type) != "answer_saved"
    return rows(services, AttemptEvent, col(AttemptEvent.attempt_id) == attempt_id, chained)


def _broken_then_rolled_back(*, session: Session, statements: list[Any]) -> Any:
    for statement in statements:
        session.execute(statement)
    report = verify(session=session, key="")
    session.rollback()  # every case starts from the intact chain
    return report.problem


def _record(services: Services, record_id: int) -> AuditRecord:
    found: AuditRecord = rows(services, AuditRecord, col(AuditRecord.id) == record_id)[0]
    return found


def _rehashed_edit(services: Services) -> None:
    """An intruder who edits a record and recomputes its hash: the next record no longer chains."""
    row = _record(services, 3)
    forged = chain.record_hash(
        id=3,
        at=row.at,
        kind=row.kind,
        actor_id="f" * 32,
        subject=row.subject,
        detail=row.detail,
        prev_hash=row.prev_hash,
    )
    run(services, update(AuditRecord).where(col(AuditRecord.id) == 3).values(actor_id="f" * 32, hash=forged))


def _reorder(services: Services) -> None:
    run(
        services,
        update(AuditRecord).where(col(AuditRecord.id) == 2).values(id=100),
        update(AuditRecord).where(col(AuditRecord.id) == 3).values(id=2),
        update(AuditRecord).where(col(AuditRecord.id) == 100).values(id=3),
    )


GLOBAL_TAMPERING: list[tuple[str, Tamper, str, int, str]] = [
    (
        "detail edited",
        lambda s: run(s, update(AuditRecord).where(col(AuditRecord.id) == 3).values(detail={"n": 99})),
        "audit_record",
        3,
        "content does not match its hash",
    ),
    (
        "actor edited",
        lambda s: run(s, update(AuditRecord).where(col(AuditRecord.id) == 3).values(actor_id="e" * 32)),
        "audit_record",
        3,
        "content does not match its hash",
    ),
    ("edited and rehashed", _rehashed_edit, "audit_record", 4, "does not chain from record 3"),
    (
        "middle deleted",
        lambda s: run(s, delete(AuditRecord).where(col(AuditRecord.id) == 3)),
        "audit_record",
        4,
        "records 3..3 are missing",
    ),
    (
        "tail deleted",
        lambda s: run(s, delete(AuditRecord).where(col(AuditRecord.id) == 5)),
        "audit_chain_head",
        1,
        "but it ends at record 4",
    ),
    ("two swapped", _reorder, "audit_record", 2, "content does not match its hash"),
]


@pytest.mark.parametrize(("name", "tamper", "table", "record_id", "message"), GLOBAL_TAMPERING)
def test_tampering_with_the_global_chain_is_named(
    services: Services, name: str, tamper: Tamper, table: str, record_id: int, message: str
) -> None:
    append(services, 5)
    assert check(services).ok
    tamper(services)
    problem = check(services).problem
    assert problem is not None, name
    assert (problem.table, problem.id) == (table, record_id), problem
    assert message in problem.message, problem


def test_tampering_with_an_attempt_chain_is_named(attempt: tuple[Program, str]) -> None:
    program, attempt_id = attempt
    services = program.services
    events = _events(services, attempt_id)
    assert len(events) >= 3
    first, middle, last = events[0], events[1], events[-1]

    cases: list[tuple[str, list[Any], int, str]] = [
        (
            "detail edited",
            [update(AttemptEvent).where(col(AttemptEvent.id) == middle.id).values(detail={"forged": True})],
            middle.id or 0,
            "content does not match its hash",
        ),
        (
            "actor edited",
            [update(AttemptEvent).where(col(AttemptEvent.id) == first.id).values(actor_id="e" * 32)],
            first.id or 0,
            "content does not match its hash",
        ),
        (
            "middle deleted",
            [delete(AttemptEvent).where(col(AttemptEvent.id) == middle.id)],
            events[2].id or 0,
            "does not chain from the event before it",
        ),
        (
            "moved to the end",
            [update(AttemptEvent).where(col(AttemptEvent.id) == first.id).values(id=(last.id or 0) + 1000)],
            middle.id or 0,
            "does not chain from the event before it",
        ),
        (
            "last deleted",
            [delete(AttemptEvent).where(col(AttemptEvent.id) == last.id)],
            last.id or 0,
            "is missing: audit record",
        ),
        (
            "all deleted",
            [delete(AttemptEvent).where(col(AttemptEvent.attempt_id) == attempt_id)],
            last.id or 0,
            "is missing: audit record",
        ),
    ]
    for name, statements, event_id, message in cases:
        problem = services.db.call(_broken_then_rolled_back, statements=statements, write=False)
        assert problem is not None, name
        assert (problem.table, problem.id) == ("attempt_event", event_id), (name, problem)
        assert message in problem.message, (name, problem)
    assert check(services).ok
    assert [e.hash for e in _events(services, attempt_id)] == [e.hash for e in events]  # all rolled back
