"""Group commit: one writer thread runs the queued units of work together in one transaction, one fsync a batch.

SQLite takes one writer at a time and a durable commit costs an fsync. With one transaction per request, a burst of
saves queues on the write lock (each waiter sleeping in SQLite's busy handler) and pays one fsync each. Here every
write unit of work is queued to a single writer thread, which takes all that are waiting, runs each inside its own
SAVEPOINT (so one that raises is undone alone, exactly as its own transaction would have been), commits once, and
only then answers each caller: a 200 still means the answer is durable, but a thousand saves share one fsync.

The batch is only as long as the queue at the moment the writer comes back for more, so an idle server answers one
job at a time with no added wait, and the batch grows by itself with the load.

A batch of Core units of work only (the answer saves) first runs without the savepoints: when none raises, which is
the rule, it commits as it is; when one does, the batch is undone and runs again with a savepoint each.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import fcntl
import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

log = logging.getLogger(__name__)

MAX_BATCH = 500


@dataclass
class Job:
    """A unit of work and who waits for it: a coroutine on an event loop (`loop` set), or a plain thread."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    loop: asyncio.AbstractEventLoop | None
    future: asyncio.Future[Any] | concurrent.futures.Future[Any]
    core: bool = False
    result: Any = None
    error: BaseException | None = field(default=None)

    def answer(self) -> None:
        if self.loop is None:
            self._settle()
            return
        with contextlib.suppress(RuntimeError):  # the caller's event loop has closed: no one to tell
            self.loop.call_soon_threadsafe(self._settle)

    def _settle(self) -> None:
        """A caller that went away (a cancelled request) has no one to tell."""
        if self.future.done():
            return
        if self.error is not None:
            self.future.set_exception(self.error)
        else:
            self.future.set_result(self.result)


class GroupCommit:
    """The single writer of one engine; `run` is awaited by request handlers exactly like a thread-pool call."""

    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = MAX_BATCH,
        lock_path: str | None = None,
        session_info: dict[str, Any] | None = None,
    ) -> None:
        """`session_info` is given to every session the writer opens (the database's process caches)."""
        self._engine = engine
        self._session_info = session_info or {}
        self._max_batch = max_batch
        self._lock_path = lock_path
        self._lock_file: int | None = None
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.batches = 0
        self.jobs = 0

    async def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """`fn(*args, session=..., **kwargs)` in the next batch."""
        return await self._queued(fn, args, kwargs, core=False)

    async def run_core(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """`fn(*args, connection=..., **kwargs)` in the next batch: for units of work that only run Core
        statements (no ORM objects), which then cost a plain SAVEPOINT instead of the session's nested transaction."""
        return await self._queued(fn, args, kwargs, core=True)

    async def _queued(
        self, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], *, core: bool
    ) -> Any:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._ensure_writer()
        self._queue.put(Job(fn, args, kwargs, loop, future, core))
        return await future

    def call(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """The same from a plain thread (a scheduled job, a command), which waits for the commit."""
        if threading.current_thread() is self._thread:
            raise RuntimeError("A unit of work run by the writer cannot wait for another write: it would wait forever.")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._ensure_writer()
        self._queue.put(Job(fn, args, kwargs, None, future))
        return future.result()

    def _ensure_writer(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._write_forever, name="examengine-writer", daemon=True)
                self._thread.start()

    def close(self) -> None:
        """Finish what is queued, then stop the writer."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout=60)

    def _write_forever(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._commit(batch)
                    return
                batch.append(job)
            self._commit(batch)

    def _commit(self, batch: list[Job]) -> None:
        try:
            with self._between_processes():
                self._run_batch(batch)
        except BaseException as error:  # the transaction itself failed: nothing in this batch was stored
            log.warning("A batch of %d writes failed and was rolled back: %s", len(batch), error)
            for job in batch:
                job.result, job.error = None, error
        self.batches += 1
        self.jobs += len(batch)
        for job in batch:
            job.answer()

    @contextlib.contextmanager
    def _between_processes(self) -> Iterator[None]:
        """Several server processes on one SQLite file (uvicorn --workers): their writers take turns through a
        file lock, which wakes the next one the moment the last commit ends, instead of SQLite's busy handler,
        which sleeps 1, 2, 5, 10... ms between tries and leaves the lock idle."""
        if self._lock_path is None:
            yield
            return
        if self._lock_file is None:
            self._lock_file = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    def _run_batch(self, batch: list[Job]) -> None:
        """Every job gets its own outcome. A job that leaves the transaction itself unusable (it ended it, lost the
        connection, or its savepoint cannot be rolled back) fails alone: the jobs before it lost their work with the
        transaction and run again, with those after it, in a fresh one. A failed commit runs each job alone."""
        pending = batch
        while pending:
            pending = self._run_together(pending)

    def _run_together(self, jobs: list[Job]) -> list[Job]:
        """Run `jobs` in one transaction and commit; return the jobs still to run (in a fresh transaction)."""
        if all(job.core for job in jobs) and self._run_without_savepoints(jobs):
            return []
        with Session(self._engine, expire_on_commit=False, info=self._session_info) as session:
            for index, job in enumerate(jobs):
                try:
                    if job.core:
                        _run_core_in_savepoint(session, job)
                    else:
                        _run_in_savepoint(session, job)
                except _NotStarted as broken:
                    # The transaction was unusable before this job ran (nothing else noticed): run it again too,
                    # unless a fresh transaction cannot even begin.
                    _discard(session)
                    if index == 0:
                        job.result, job.error = None, broken.__cause__ or broken
                        return jobs[1:]
                    return [_again(done) for done in jobs[:index] if _lost_with_the_transaction(done)] + jobs[index:]
                except Exception as broken:
                    _discard(session)
                    if job.error is None:
                        job.result, job.error = None, broken
                    log.warning("A write left its transaction unusable; the rest of its batch runs again: %s", broken)
                    return [_again(done) for done in jobs[:index] if _lost_with_the_transaction(done)] + jobs[
                        index + 1 :
                    ]
            try:
                session.commit()
            except Exception as failed:
                _discard(session)
                if len(jobs) == 1:
                    jobs[0].result, jobs[0].error = None, failed
                    return []
                log.warning("A batch of %d writes failed to commit; each runs again alone: %s", len(jobs), failed)
                for job in jobs:
                    self._run_together([_again(job)])
        return []

    def _run_without_savepoints(self, jobs: list[Job]) -> bool:
        """Core jobs (the answer saves) as one plain transaction, without a SAVEPOINT and its RELEASE each (two of a
        save's five statements): True when every job returned and the batch committed. When one raises or the
        commit fails, nothing of the batch is kept and False sends every job down the savepoint path, which gives
        each its own outcome exactly as before (the jobs are plain database work: running them again is safe)."""
        with Session(self._engine, expire_on_commit=False, info=self._session_info) as session:
            try:
                connection = session.connection()
                for job in jobs:
                    job.result = job.fn(*job.args, connection=connection, **job.kwargs)
                session.commit()
            except Exception:
                _discard(session)
                for job in jobs:
                    _again(job)
                return False
        return True


class _NotStarted(Exception):
    """The savepoint of a job could not be opened: the transaction was unusable before the job ran."""


def _lost_with_the_transaction(job: Job) -> bool:
    """A job whose work was in the transaction: it succeeded, or it was refused but keeps what it did."""
    return job.error is None or bool(getattr(job.error, "commit_before_raising", False))


def _again(job: Job) -> Job:
    job.result, job.error = None, None
    return job


def _discard(session: Session) -> None:
    """Roll the transaction back; a connection that cannot even do that is thrown away, not returned to the pool."""
    try:
        session.rollback()
    except Exception:
        session.invalidate()


def _run_in_savepoint(session: Session, job: Job) -> None:
    """One job as if in its own transaction: its own savepoint, and an empty identity map, so that no job reads
    another's objects from memory instead of the database (the services also write with UPDATE statements).
    Raises only when the transaction around the savepoint is unusable."""
    try:
        savepoint = session.begin_nested()
        session.connection()
    except Exception as error:
        raise _NotStarted(str(error)) from error
    try:
        job.result = job.fn(*job.args, session=session, **job.kwargs)
        session.flush()
    except Exception as error:
        job.result, job.error = None, error
        if getattr(error, "commit_before_raising", False) and savepoint.is_active:
            savepoint.commit()
        else:
            # Also when a failed flush has already deactivated it: only rollback() closes it and returns the
            # session to the outer transaction.
            savepoint.rollback()
    else:
        savepoint.commit()
    finally:
        session.expunge_all()
    if session.in_nested_transaction() or not session.in_transaction() or session.connection().invalidated:
        raise RuntimeError("A unit of work ended the transaction of its batch, or lost its connection.")


def _run_core_in_savepoint(session: Session, job: Job) -> None:
    """A Core unit of work in its own plain SAVEPOINT: no ORM state to keep in step, so none of the session's
    nested-transaction bookkeeping (a tenth of the cost of a save). Raises only when the transaction around the
    savepoint is unusable (RELEASE or ROLLBACK TO fails: the savepoint went with it)."""
    try:
        connection = session.connection()
        connection.exec_driver_sql("SAVEPOINT core_job")
    except Exception as error:
        raise _NotStarted(str(error)) from error
    try:
        job.result = job.fn(*job.args, connection=connection, **job.kwargs)
    except Exception as error:
        job.result, job.error = None, error
        connection.exec_driver_sql("ROLLBACK TO SAVEPOINT core_job")
    connection.exec_driver_sql("RELEASE SAVEPOINT core_job")
