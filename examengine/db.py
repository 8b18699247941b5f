"""The engine, the unit of work and the SQLite durability settings.

SQLite runs in WAL mode with synchronous=FULL: a committed transaction survives power loss, so a 200 on a save is
only sent after its commit returns. Transactions that read and then write begin with BEGIN IMMEDIATE so that two
writers never both read a stale row and then fail to upgrade their lock.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from sqlalchemy import Connection, DateTime, Engine, Table, create_engine, event, inspect, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from examengine.caches import ProcessCaches
from examengine.clock import as_utc
from examengine.group_commit import GroupCommit

log = logging.getLogger(__name__)

MINIMUM_SAFE_SQLITE = (3, 51, 3)
CACHES = "process_caches"  # the key of a session's info that holds its database's ProcessCaches
T = TypeVar("T")


class UTCDateTime(TypeDecorator[datetime]):
    """Every stored time is UTC; SQLite forgets the zone, so it is stored naive there and restored on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


def _writer_lock_path(url: str) -> str | None:
    """The file the writers of several processes on one SQLite database take turns on (beside the database)."""
    database = make_url(url).database
    if not is_sqlite(url) or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return database + "-writer.lock"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's begin event below issue BEGIN itself (pysqlite's own is deferred and late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def sqlite_version_warning() -> str | None:
    """A warning when the SQLite library predates the fix for the WAL-reset corruption bug."""
    if sqlite3.sqlite_version_info < MINIMUM_SAFE_SQLITE:
        wanted = ".".join(map(str, MINIMUM_SAFE_SQLITE))
        return (
            f"SQLite {sqlite3.sqlite_version} is older than {wanted}, which fixes a WAL-reset bug that can corrupt "
            "a database under concurrent checkpoints; upgrade the SQLite library (or use PostgreSQL) for production."
        )
    return None


@functools.cache
def _log_sqlite_version_once() -> None:
    log.info("SQLite library %s", sqlite3.sqlite_version)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            max_overflow=30,
        )
        _configure_sqlite(engine)
        _log_sqlite_version_once()
        return engine
    return create_engine(url, echo=echo, pool_size=10, max_overflow=30, pool_pre_ping=True)


# On SQLite a candidate's short read is CPU in the page cache, and a WAL reader never waits for the writer: done on
# the event loop itself it costs less than the hop to a thread and back (the item page over HTTP, closed loop on the
# 2-core machine, one commit and one run: 2.07 ms of CPU with two threads, 1.26 on the loop). 0: on the event loop.
HOT_READ_THREADS_SQLITE = 0
HOT_READ_THREADS_SERVER = 4  # a read waits on the network to PostgreSQL: a few threads keep the CPU busy meanwhile


class Database:
    """One engine and the units of work on it. Services receive the session; only this class commits."""

    def __init__(
        self, url: str, *, echo: bool = False, group_commit: bool | None = None, hot_read_threads: int = 0
    ) -> None:
        """`group_commit` (default: on for SQLite) sends every `run` to one writer thread that commits concurrent
        units of work together (examengine/group_commit.py); PostgreSQL takes concurrent writers by itself.
        `hot_read_threads` serve `read_hot` and `read_core_hot` (0: on SQLite the event loop itself, on
        PostgreSQL 4 threads).
        Every session it opens carries the database's process caches (`caches_of`)."""
        self.url = url
        self.engine = make_engine(url, echo=echo)
        self.is_sqlite = is_sqlite(url)
        self.caches = ProcessCaches()
        self._session_info = {CACHES: self.caches}
        self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE") if self.is_sqlite else self.engine
        self._hot_threads = hot_read_threads or (HOT_READ_THREADS_SQLITE if self.is_sqlite else HOT_READ_THREADS_SERVER)
        self._hot: ThreadPoolExecutor | None = None
        self._hot_lock = threading.Lock()
        wanted = self.is_sqlite if group_commit is None else group_commit
        self.writer = (
            GroupCommit(self._write_engine, lock_path=_writer_lock_path(url), session_info=self._session_info)
            if wanted
            else None
        )

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """A session whose transaction commits when the block ends and rolls back if it raises."""
        session = Session(self._write_engine if write else self.engine, expire_on_commit=False, info=self._session_info)
        try:
            yield session
            if write:
                session.commit()
        except BaseException as error:
            if write and getattr(error, "commit_before_raising", False):
                session.commit()
            else:
                session.rollback()
            raise
        finally:
            session.close()

    def call(self, fn: Callable[..., T], /, *args: Any, write: bool = True, **kwargs: Any) -> T:
        """Run a service function in its own unit of work in this thread (a write goes through the group commit's
        writer when there is one, so that scheduled jobs do not wait on the SQLite lock behind it)."""
        if write and self.writer is not None:
            result: T = self.writer.call(fn, *args, **kwargs)
            return result
        return self._call_here(fn, *args, write=write, **kwargs)

    def _call_here(self, fn: Callable[..., T], /, *args: Any, write: bool, **kwargs: Any) -> T:
        with self.unit_of_work(write=write) as session:
            return fn(*args, session=session, **kwargs)

    async def run(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Run a service function in its own unit of work, off the event loop (commits fsync): with group commit,
        in the writer thread together with the other writes waiting at that moment."""
        if self.writer is not None:
            result: T = await self.writer.run(fn, *args, **kwargs)
            return result
        return await anyio.to_thread.run_sync(lambda: self._call_here(fn, *args, write=True, **kwargs))

    async def read(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like run, for service functions that only read."""
        return await anyio.to_thread.run_sync(lambda: self._call_here(fn, *args, write=False, **kwargs))

    async def run_core(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like run, for the hottest units of work, written as Core statements on `connection` (no ORM session):
        a tenth of the overhead, for the answer save."""
        if self.writer is not None:
            result: T = await self.writer.run_core(fn, *args, **kwargs)
            return result
        return await anyio.to_thread.run_sync(lambda: self._core_here(fn, *args, write=True, **kwargs))

    async def read_core(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like read, for Core statements on `connection` (the token lookup of every request)."""
        return await anyio.to_thread.run_sync(lambda: self._core_here(fn, *args, write=False, **kwargs))

    async def read_hot(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like read, for the short reads of every candidate request (an attempt and its item by primary key): on
        SQLite in the event loop's own thread, elsewhere on a few threads of their own. Either way they never wait
        behind a long report, and few threads taking turns at the GIL cost less CPU than many (on the 2-core
        machine an item read cost 1.5 ms of CPU on one thread and 3.4 ms on eight). Only reads of a few rows by
        key belong here: on SQLite the loop serves nothing else meanwhile."""
        return await self._hot_call(lambda: self._call_here(fn, *args, write=False, **kwargs))

    async def read_core_hot(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """Like read_hot, for Core statements on `connection` (the token lookup of every request)."""
        return await self._hot_call(lambda: self._core_here(fn, *args, write=False, **kwargs))

    async def _hot_call(self, work: Callable[[], T]) -> T:
        if self._hot_threads == 0:  # on the event loop itself
            return work()
        pool = self._hot
        if pool is None:
            with self._hot_lock:
                if self._hot is None:
                    self._hot = ThreadPoolExecutor(self._hot_threads, thread_name_prefix="examengine-hot-read")
                pool = self._hot
        return await asyncio.get_running_loop().run_in_executor(pool, work)

    def _core_here(self, fn: Callable[..., T], /, *args: Any, write: bool, **kwargs: Any) -> T:
        with (self._write_engine if write else self.engine).connect() as connection:
            result = fn(*args, connection=connection, **kwargs)
            if write:
                connection.commit()
            return result

    def dispose(self) -> None:
        if self.writer is not None:
            self.writer.close()
        with self._hot_lock:
            pool, self._hot = self._hot, None
        if pool is not None:
            pool.shutdown(wait=True)
        self.engine.dispose()


def caches_of(session: Session) -> ProcessCaches:
    """The process caches of the database `session` belongs to."""
    found = session.info.get(CACHES)
    assert isinstance(found, ProcessCaches), "a session not opened by a Database has no process caches"
    return found


def dialect_insert(session: Session | Connection, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on both engines (the upsert of the save path and counters)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = (session.dialect if isinstance(session, Connection) else session.get_bind().dialect).name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def table_of(model: type[SQLModel]) -> Table:
    """A table model's Core table, typed: the hot paths write Core statements on it (no ORM flush)."""
    table = inspect(model).local_table
    assert isinstance(table, Table), f"{model.__name__} is not a table model"
    return table


def ping(*, session: Session) -> None:
    """A round trip to the database (the health check): raises when it cannot be reached."""
    session.execute(text("SELECT 1"))
