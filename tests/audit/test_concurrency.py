"""Appends from many threads at once (several connections, as several processes would) still form one chain."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.audit.service import record
from examengine.context import Services
from examengine.delivery import answers
from examengine.delivery.models import AttemptEvent
from examengine.proctoring import notes
from tests.audit.conftest import Program, check

THREADS = 6
EACH = 20


def test_concurrent_appends_form_one_gapless_chain(services: Services) -> None:
    def appender(worker: int) -> None:
        for n in range(EACH):
            services.db.call(
                record, kind=AuditKind.ROLE_CHANGED, actor_id=None, subject=f"user:{worker}", detail={"n": n}
            )

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(appender, range(THREADS)))

    def ids(*, session: Session) -> list[int]:
        return list(session.scalars(select(col(AuditRecord.id)).order_by(col(AuditRecord.id))))

    assert services.db.call(ids, write=False) == list(range(1, THREADS * EACH + 1))
    report = check(services)
    assert report.ok, report.problem
    assert report.records == THREADS * EACH


def test_concurrent_events_on_one_attempt_form_one_chain(program: Program) -> None:
    services, candidate, admin = program.services, program.candidates[0], program.admin
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.begin(sitting_id, candidate, {})

    def candidate_events(_: int) -> None:
        for _n in range(EACH):
            program.call(
                answers.report_event,
                attempt_id=attempt_id,
                user_id=candidate.id,
                kind="focus_lost",
                client_time=None,
                detail={},
            )

    def proctor_notes(worker: int) -> None:
        for n in range(EACH):
            program.call(notes.add_note, attempt_id=attempt_id, actor_id=admin.id, text=f"note {worker}.{n}")

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(candidate_events, 0), pool.submit(candidate_events, 1)]
        futures += [pool.submit(proctor_notes, 2), pool.submit(proctor_notes, 3)]
        for future in futures:
            future.result()

    def events(*, session: Session) -> list[AttemptEvent]:
        query = select(AttemptEvent).where(col(AttemptEvent.attempt_id) == attempt_id).order_by(col(AttemptEvent.id))
        return list(session.scalars(query))

    chained = services.db.call(events, write=False)
    assert sum(e.type == "note" for e in chained) == 2 * EACH
    assert sum(e.type == "focus_lost" for e in chained) == 2 * EACH
    report = check(services)
    assert report.ok, report.problem
