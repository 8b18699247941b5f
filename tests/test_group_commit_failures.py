"""A unit of work that fails never fails another in its batch, whatever the failure: every kind of database error
(a unique, CHECK or NOT NULL violation, bad SQL), a plain exception after a write, a unit that ends the transaction
itself or loses the connection. The others of a batch of 50 commit (examengine/group_commit.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, Integer, String, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlmodel import Session

from examengine.db import Database
from tests.test_group_commit import run_batched

BATCH = 50
FAILING = 17  # the index of the failing unit in the batch: units before and after it must commit


class Base(DeclarativeBase):
    pass


class Probe(Base):
    __tablename__ = "gc_fail_probe"
    k: Mapped[int] = mapped_column(Integer, primary_key=True)
    v: Mapped[str] = mapped_column(String(40))


@pytest.fixture
def writer_db(migrated_url: str) -> Iterator[Database]:
    database = Database(migrated_url, group_commit=True)
    with database.engine.begin() as connection:
        connection.execute(
            text("CREATE TABLE gc_fail_probe (k INTEGER PRIMARY KEY, v VARCHAR(40) NOT NULL CHECK (v <> 'bad'))")
        )
        connection.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (0, 'taken')"))
    yield database
    database.dispose()
    with database.engine.begin() as connection:
        connection.execute(text("DROP TABLE gc_fail_probe"))
    database.engine.dispose()


def put(k: int, *, session: Session) -> int:
    session.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (:k, :v)"), {"k": k, "v": f"v{k}"})
    return k


def core_put(k: int, *, connection: Connection) -> int:
    connection.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (:k, :v)"), {"k": k, "v": f"v{k}"})
    return k


def orm_put(k: int, *, session: Session) -> int:
    session.add(Probe(k=k, v=f"v{k}"))
    session.flush()
    return k


def unique_violation(k: int, *, session: Session) -> None:
    put(k, session=session)
    session.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (0, 'again')"))


def orm_unique_violation(k: int, *, session: Session) -> None:
    put(k, session=session)
    session.add(Probe(k=0, v="again"))  # the error comes from the flush the writer does after the unit


def check_violation(k: int, *, session: Session) -> None:
    put(k, session=session)
    session.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (:k, 'bad')"), {"k": k + 1000})


def not_null_violation(k: int, *, session: Session) -> None:
    put(k, session=session)
    session.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (:k, NULL)"), {"k": k + 1000})


def bad_sql(k: int, *, session: Session) -> None:
    put(k, session=session)
    session.execute(text("SELECT no_such_column FROM no_such_table"))


def python_error_after_write(k: int, *, session: Session) -> None:
    put(k, session=session)
    raise ValueError("a bug after the write")


def ends_the_transaction(k: int, *, session: Session) -> None:
    """A unit that rolls back the whole transaction under the writer (every savepoint with it) and returns."""
    put(k, session=session)
    session.connection().exec_driver_sql("ROLLBACK")


def core_unique_violation(k: int, *, connection: Connection) -> None:
    core_put(k, connection=connection)
    connection.execute(text("INSERT INTO gc_fail_probe (k, v) VALUES (0, 'again')"))


def core_bad_sql(k: int, *, connection: Connection) -> None:
    core_put(k, connection=connection)
    connection.execute(text("SELECT no_such_column FROM no_such_table"))


def core_ends_the_transaction(k: int, *, connection: Connection) -> None:
    core_put(k, connection=connection)
    connection.exec_driver_sql("ROLLBACK")


FAILURES: dict[str, tuple[Callable[..., Any], type[BaseException]]] = {
    "unique": (unique_violation, IntegrityError),
    "orm unique at flush": (orm_unique_violation, IntegrityError),
    "check": (check_violation, IntegrityError),
    "not null": (not_null_violation, IntegrityError),
    "bad sql": (bad_sql, DBAPIError),  # OperationalError on SQLite, ProgrammingError on PostgreSQL
    "python error": (python_error_after_write, ValueError),
    "ends the transaction": (ends_the_transaction, Exception),
    "core unique": (core_unique_violation, IntegrityError),
    "core bad sql": (core_bad_sql, DBAPIError),
    "core ends the transaction": (core_ends_the_transaction, Exception),
}
CORE = {core_unique_violation, core_bad_sql, core_ends_the_transaction}


def stored(database: Database) -> set[int]:
    with database.engine.connect() as connection:
        return {k for (k,) in connection.execute(text("SELECT k FROM gc_fail_probe"))}


def batch_with(failing: Callable[..., Any], *, kinds: tuple[Callable[..., Any], ...]) -> list[Any]:
    calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
    for k in range(1, BATCH + 1):
        calls.append((failing, (k,)) if k == FAILING else (kinds[k % len(kinds)], (k,)))
    return calls


@pytest.mark.parametrize("name", list(FAILURES))
def test_one_failing_unit_in_a_batch_of_50_fails_alone(writer_db: Database, name: str) -> None:
    failing, error = FAILURES[name]
    calls = batch_with(failing, kinds=(put, core_put, orm_put))
    outcomes = run_batched(writer_db, calls, (core_put, *CORE))
    for k, outcome in enumerate(outcomes, start=1):
        if k == FAILING:
            assert isinstance(outcome, error), outcome
        else:
            assert outcome == k, (k, outcome)
    assert stored(writer_db) == {0} | (set(range(1, BATCH + 1)) - {FAILING})
    assert writer_db.writer is not None and writer_db.writer.jobs == BATCH + 1  # one held job, then the batch


def test_a_unit_that_loses_the_connection_fails_alone(writer_db: Database) -> None:
    """PostgreSQL: the connection under the batch is terminated; the others run again on a fresh one."""
    if writer_db.is_sqlite:
        pytest.skip("an SQLite connection cannot be terminated from inside")

    def terminate(k: int, *, session: Session) -> None:
        put(k, session=session)
        session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    outcomes = run_batched(writer_db, batch_with(terminate, kinds=(put, core_put, orm_put)), (core_put,))
    assert isinstance(outcomes[FAILING - 1], DBAPIError)
    assert [o for k, o in enumerate(outcomes, start=1) if k != FAILING] == [k for k in range(1, 51) if k != FAILING]
    assert stored(writer_db) == {0} | (set(range(1, BATCH + 1)) - {FAILING})


def test_several_failing_units_each_fail_alone(writer_db: Database) -> None:
    kinds = [f for f, _ in FAILURES.values()]
    calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = [
        (kinds[k // 5 % len(kinds)], (k,)) if k % 5 == 0 else ((put, core_put, orm_put)[k % 3], (k,))
        for k in range(1, BATCH + 1)
    ]
    outcomes = run_batched(writer_db, calls, (core_put, *CORE))
    assert [o for k, o in enumerate(outcomes, start=1) if k % 5] == [k for k in range(1, BATCH + 1) if k % 5]
    assert all(isinstance(o, Exception) for k, o in enumerate(outcomes, start=1) if k % 5 == 0)
    assert stored(writer_db) == {0} | {k for k in range(1, BATCH + 1) if k % 5}
