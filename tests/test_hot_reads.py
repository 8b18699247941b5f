"""The short reads of candidate requests run on a few threads of their own (Database.read_hot): they answer and
fail like any read, and they never wait behind the general read threads, whatever those are doing."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import anyio.to_thread
import pytest
from sqlalchemy import Connection, text
from sqlmodel import Session

from examengine.db import Database
from tests.conftest import run_async


def _one(*, session: Session) -> int:
    return int(session.execute(text("SELECT 1")).scalar_one())


def _one_core(*, connection: Connection) -> int:
    return int(connection.execute(text("SELECT 1")).scalar_one())


def _fails(*, session: Session) -> None:
    raise LookupError("refused by the unit of work")


def test_a_hot_read_answers_and_fails_like_any_read(db: Database) -> None:
    async def reads() -> tuple[int, int]:
        return await db.read_hot(_one), await db.read_core_hot(_one_core)

    assert run_async(reads) == (1, 1)
    with pytest.raises(LookupError, match="refused by the unit of work"):
        run_async(lambda: db.read_hot(_fails))


def test_a_hot_read_never_waits_behind_the_general_read_threads(db: Database) -> None:
    """Every general read thread is held (a long report, say); a candidate's read still answers."""
    release = threading.Event()

    def held(*, session: Session) -> int:
        release.wait(60)
        return _one(session=session)

    async def scenario() -> int:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = 2
        blocked = [asyncio.create_task(db.read(held)) for _ in range(2)]
        await asyncio.sleep(0.2)
        try:
            return await asyncio.wait_for(db.read_hot(_one), timeout=30)
        finally:
            release.set()
            await asyncio.gather(*blocked)

    assert run_async(scenario) == 1


def test_hot_reads_start_again_after_the_database_is_disposed(migrated_url: str) -> None:
    database = Database(migrated_url, hot_read_threads=1)
    try:
        assert run_async(lambda: database.read_hot(_one)) == 1
        database.dispose()
        assert run_async(lambda: database.read_hot(_one)) == 1
    finally:
        database.dispose()


def test_on_sqlite_a_hot_read_runs_on_the_event_loop_and_elsewhere_on_threads_of_its_own(migrated_url: str) -> None:
    """SQLite: a short read in the page cache costs less on the event loop than the hop to a thread and back (a WAL
    reader never waits for the writer). PostgreSQL waits on the network, so its hot reads keep their threads; a
    configured thread count applies on either engine."""

    def thread_of(*, connection: Connection) -> int:
        connection.execute(text("SELECT 1"))
        return threading.get_ident()

    def loop_and_read_threads(database: Database) -> Callable[[], Awaitable[tuple[int, int]]]:
        async def threads() -> tuple[int, int]:
            return threading.get_ident(), await database.read_core_hot(thread_of)

        return threads

    default, threaded = Database(migrated_url), Database(migrated_url, hot_read_threads=1)
    try:
        loop, read = run_async(loop_and_read_threads(default))
        assert (loop == read) is default.is_sqlite
        loop, read = run_async(loop_and_read_threads(threaded))
        assert loop != read
    finally:
        default.dispose()
        threaded.dispose()
