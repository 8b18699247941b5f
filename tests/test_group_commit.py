"""Group commit on both engines: units of work queued together share one transaction, each undone alone when it
raises, and every caller hears only after the commit (examengine/group_commit.py)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from examengine.db import Database
from examengine.errors import Conflict
from tests.conftest import run_async


@pytest.fixture
def writer_db(migrated_url: str) -> Iterator[Database]:
    database = Database(migrated_url, group_commit=True)
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE gc_probe (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"))
    yield database
    database.dispose()
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE gc_probe"))
    database.engine.dispose()


def put(k: int, v: str, *, session: Session) -> int:
    session.execute(text("INSERT INTO gc_probe (k, v) VALUES (:k, :v)"), {"k": k, "v": v})
    return k


def put_then_refuse(k: int, *, session: Session) -> None:
    put(k, "refused", session=session)
    raise Conflict("refused on purpose", code="refused")


def put_then_refuse_keeping(k: int, *, session: Session) -> None:
    put(k, "kept", session=session)
    raise Conflict("refused, but what was done stays", code="kept", commit_before_raising=True)


def core_put(k: int, v: str, *, connection: Connection) -> int:
    connection.execute(text("INSERT INTO gc_probe (k, v) VALUES (:k, :v)"), {"k": k, "v": v})
    return k


def core_put_then_refuse(k: int, *, connection: Connection) -> None:
    core_put(k, "refused", connection=connection)
    raise Conflict("refused on purpose", code="refused")


CORE_JOBS = (core_put, core_put_then_refuse)


def stored(database: Database) -> dict[int, str]:
    with database.engine.connect() as connection:
        return {k: v for k, v in connection.execute(text("SELECT k, v FROM gc_probe"))}


def run_batched(
    database: Database, calls: list[tuple[Any, tuple[Any, ...]]], core: tuple[Any, ...] = CORE_JOBS
) -> list[Any]:
    """Hold the writer on a first job until every call is queued, so that they all go in one batch (the functions
    in `core` through run_core)."""
    holding, release = threading.Event(), threading.Event()

    def hold(*, session: Session) -> str:
        holding.set()
        release.wait(timeout=10)
        return "held"

    async def main() -> list[Any]:
        first = asyncio.ensure_future(database.run(hold))
        while not holding.is_set():  # the writer is inside the first job: the rest queue behind it
            await asyncio.sleep(0.005)
        rest = [
            asyncio.ensure_future((database.run_core if fn in core else database.run)(fn, *args)) for fn, args in calls
        ]
        await asyncio.sleep(0.05)
        release.set()
        outcomes = await asyncio.gather(first, *rest, return_exceptions=True)
        return list(outcomes[1:])

    return run_async(main)


def test_queued_writes_share_one_commit_and_a_refused_one_is_undone_alone(writer_db: Database) -> None:
    assert writer_db.writer is not None
    outcomes = run_batched(
        writer_db,
        [(put, (1, "a")), (put_then_refuse, (2,)), (put, (3, "c")), (put_then_refuse_keeping, (4,)), (put, (5, "e"))],
    )
    assert outcomes[0] == 1 and outcomes[2] == 3 and outcomes[4] == 5
    assert isinstance(outcomes[1], Conflict) and outcomes[1].code == "refused"
    assert isinstance(outcomes[3], Conflict) and outcomes[3].code == "kept"
    assert stored(writer_db) == {1: "a", 3: "c", 4: "kept", 5: "e"}
    assert writer_db.writer.batches == 2  # the held job, then the five queued behind it together
    assert writer_db.writer.jobs == 6


def test_core_jobs_share_the_batch_and_one_that_raises_is_undone_alone(writer_db: Database) -> None:
    """Core units of work (plain SAVEPOINTs) and session ones (nested transactions) in one batch."""
    outcomes = run_batched(
        writer_db,
        [
            (core_put, (60, "core")),
            (core_put_then_refuse, (61,)),
            (put, (62, "session")),
            (core_put, (61, "again")),
            (put_then_refuse, (63,)),
            (core_put, (60, "duplicate key")),
            (core_put, (64, "last")),
        ],
    )
    assert outcomes[0] == 60 and outcomes[2] == 62 and outcomes[3] == 61 and outcomes[6] == 64
    assert isinstance(outcomes[1], Conflict) and isinstance(outcomes[4], Conflict)
    assert isinstance(outcomes[5], Exception) and not isinstance(outcomes[5], Conflict)
    assert stored(writer_db) == {60: "core", 61: "again", 62: "session", 64: "last"}
    assert writer_db.writer is not None and writer_db.writer.batches == 2


@contextmanager
def savepoints(database: Database) -> Iterator[list[str]]:
    """The Core jobs' SAVEPOINT statements the database runs meanwhile."""
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement == "SAVEPOINT core_job":
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def test_a_batch_of_core_jobs_runs_without_savepoints_until_one_raises(writer_db: Database) -> None:
    """The saves' batches: no savepoint while every job returns; one that raises (a refusal, a broken statement)
    sends the batch down the savepoint path, and every job still gets its own outcome."""
    with savepoints(writer_db) as seen:
        outcomes = run_batched(writer_db, [(core_put, (80 + k, "plain")) for k in range(5)])
    assert outcomes == [80, 81, 82, 83, 84] and seen == []
    with savepoints(writer_db) as seen:
        outcomes = run_batched(
            writer_db,
            [
                (core_put, (90, "first")),
                (core_put_then_refuse, (91,)),
                (core_put, (80, "duplicate key")),
                (core_put, (91, "after")),
            ],
        )
    assert outcomes[0] == 90 and outcomes[3] == 91
    assert isinstance(outcomes[1], Conflict) and isinstance(outcomes[2], Exception)
    assert len(seen) == 4  # the batch again, each job in its savepoint
    assert {k: v for k, v in stored(writer_db).items() if k >= 90} == {90: "first", 91: "after"}
    assert writer_db.writer is not None and writer_db.writer.batches == 4


def test_core_jobs_without_group_commit_commit_alone(writer_db: Database) -> None:
    """PostgreSQL's path (no writer thread): each Core unit of work is its own transaction."""
    alone = Database(writer_db.url, group_commit=False)
    try:
        assert run_async(lambda: alone.run_core(core_put, 70, "alone")) == 70
        with pytest.raises(Conflict):
            run_async(lambda: alone.run_core(core_put_then_refuse, 71))
        written_in_a_read = run_async(lambda: alone.read_core(core_put, 72, "read only"))
        assert written_in_a_read == 72  # and not kept: a read's transaction is rolled back
    finally:
        alone.dispose()
    assert stored(writer_db) == {70: "alone"}


def test_a_database_error_in_one_job_leaves_the_others_committed(writer_db: Database) -> None:
    run_async(lambda: writer_db.run(put, 7, "first"))
    outcomes = run_batched(writer_db, [(put, (8, "x")), (put, (7, "duplicate key")), (put, (9, "y"))])
    assert outcomes[0] == 8 and outcomes[2] == 9
    assert isinstance(outcomes[1], Exception) and not isinstance(outcomes[1], Conflict)
    assert stored(writer_db) == {7: "first", 8: "x", 9: "y"}


def test_a_caller_that_goes_away_does_not_stop_the_writer(writer_db: Database) -> None:
    release = threading.Event()

    def slow(*, session: Session) -> int:
        release.wait(timeout=10)
        return put(10, "done anyway", session=session)

    async def main() -> int:
        task = asyncio.ensure_future(writer_db.run(slow))
        await asyncio.sleep(0.05)
        task.cancel()
        release.set()
        return await writer_db.run(put, 11, "next")

    assert run_async(main) == 11
    assert stored(writer_db) == {10: "done anyway", 11: "next"}


def test_each_job_reads_the_database_not_another_jobs_objects(writer_db: Database) -> None:
    """A job that changes a row with an UPDATE is seen by the next job in the same batch."""

    def change(k: int, v: str, *, session: Session) -> None:
        session.execute(text("UPDATE gc_probe SET v = :v WHERE k = :k"), {"k": k, "v": v})

    def read(k: int, *, session: Session) -> str:
        return str(session.execute(text("SELECT v FROM gc_probe WHERE k = :k"), {"k": k}).scalar_one())

    run_async(lambda: writer_db.run(put, 20, "before"))
    outcomes = run_batched(writer_db, [(read, (20,)), (change, (20, "after")), (read, (20,))])
    assert outcomes == ["before", None, "after"]


def test_plain_threads_write_through_the_same_writer(writer_db: Database) -> None:
    """Scheduled jobs and commands call db.call from their own threads: their writes queue for the writer too."""
    threads = [threading.Thread(target=writer_db.call, args=(put, k, f"thread {k}")) for k in range(30, 40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert stored(writer_db) == {k: f"thread {k}" for k in range(30, 40)}
    assert writer_db.writer is not None and writer_db.writer.jobs == 10


def test_a_write_inside_the_writer_is_refused_rather_than_waiting_forever(writer_db: Database) -> None:
    def nested(*, session: Session) -> None:
        writer_db.call(put, 50, "never")

    with pytest.raises(RuntimeError, match="wait forever"):
        writer_db.call(nested)
    assert stored(writer_db) == {}


def test_writers_of_two_processes_on_one_sqlite_file_take_turns(writer_db: Database) -> None:
    """uvicorn --workers on SQLite: each process has its own writer, and they take turns through the lock file
    beside the database (two Database objects stand for the two processes: flock locks are per open file)."""
    if not writer_db.is_sqlite:
        pytest.skip("PostgreSQL takes concurrent writers by itself: no writer thread, no lock file")
    other = Database(writer_db.url, group_commit=True)
    try:

        async def main() -> list[Any]:
            return await asyncio.gather(
                *((writer_db if k % 2 else other).run_core(core_put, k, f"process {k % 2}") for k in range(100, 300))
            )

        assert run_async(main) == list(range(100, 300))
    finally:
        other.dispose()
    assert stored(writer_db) == {k: f"process {k % 2}" for k in range(100, 300)}
    lock_file = Path((make_url(writer_db.url).database or "") + "-writer.lock")
    assert lock_file.exists()
