"""Prepared statements (examengine.prepared), on each engine: they store and return exactly what SQLAlchemy's own
execution does (types processed both ways), run inside the connection's transaction, raise SQLAlchemy's exception
classes, and refuse what they cannot do."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from examengine.db import Database, UTCDateTime
from examengine.prepared import Prepared

scratch = MetaData()
THING = Table(
    "prepared_test_thing",
    scratch,
    Column("key", String(20), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("doc", JSON, nullable=True),
    Column("n", Integer, nullable=False),
)
DEFAULTED = Table(
    "prepared_test_defaulted",
    scratch,
    Column("key", String(20), primary_key=True),
    Column("n", Integer, nullable=False, default=lambda: 7),
)

ADD = Prepared(insert(THING).values(key=bindparam("b_key"), at=bindparam("b_at"), doc=bindparam("b_doc"), n=1))
BUMP = Prepared(
    update(THING)
    .where(THING.c.key == bindparam("b_key"), THING.c.n < bindparam("b_below"), THING.c.n != 99)
    .values(n=THING.c.n + 1, doc=bindparam("b_doc"), at=bindparam("b_at"))
    .returning(THING.c.n, THING.c.at, THING.c.doc)
)
WHEN = datetime(2026, 12, 7, 18, 30, 15, 250000, tzinfo=UTC)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    found = Database(database_url, group_commit=False)
    scratch.create_all(found.engine)
    try:
        yield found
    finally:
        scratch.drop_all(found.engine)
        found.dispose()


def test_a_prepared_insert_and_update_store_and_return_what_sqlalchemy_does(database: Database) -> None:
    doc = {"answer": ["B", "A"], "text": "naïve 'quoted' %s"}
    with database.engine.begin() as connection:
        assert ADD.execute(connection, {"b_key": "k1", "b_at": WHEN, "b_doc": doc}) == 1
        row = BUMP.first(connection, {"b_key": "k1", "b_below": 5, "b_doc": None, "b_at": WHEN + timedelta(hours=1)})
    assert row is not None
    assert (row.n, row.at, row.doc) == (2, WHEN + timedelta(hours=1), None)
    assert row.at.tzinfo is not None and tuple(row) == (2, WHEN + timedelta(hours=1), None)
    with database.engine.begin() as connection:
        assert BUMP.first(connection, {"b_key": "k1", "b_below": 5, "b_doc": doc, "b_at": WHEN}) is not None
        stored = connection.execute(select(THING.c.at, THING.c.doc, THING.c.n)).one()
    assert (stored.at, stored.doc, stored.n) == (WHEN, doc, 3)


def test_a_guard_that_matches_no_row_returns_none(database: Database) -> None:
    with database.engine.begin() as connection:
        ADD.execute(connection, {"b_key": "k2", "b_at": WHEN, "b_doc": None})
        assert BUMP.first(connection, {"b_key": "k2", "b_below": 1, "b_doc": None, "b_at": WHEN}) is None
        assert BUMP.first(connection, {"b_key": "nobody", "b_below": 9, "b_doc": None, "b_at": WHEN}) is None


def test_it_runs_in_the_connections_transaction(database: Database) -> None:
    with database.engine.connect() as connection:
        ADD.execute(connection, {"b_key": "k3", "b_at": WHEN, "b_doc": None})
        assert connection.in_transaction()
        connection.rollback()
    with database.engine.connect() as connection:
        assert connection.execute(select(THING.c.key)).all() == []


def test_a_driver_error_is_sqlalchemys_and_the_transaction_rolls_back(database: Database) -> None:
    with database.engine.connect() as connection:
        ADD.execute(connection, {"b_key": "k4", "b_at": WHEN, "b_doc": None})
        with pytest.raises(IntegrityError):
            ADD.execute(connection, {"b_key": "k4", "b_at": WHEN, "b_doc": None})
        connection.rollback()
        assert connection.execute(select(THING.c.key)).all() == []


def test_what_it_cannot_do_is_refused_with_a_reason(database: Database) -> None:
    with database.engine.begin() as connection:
        with pytest.raises(ValueError, match="b_doc"):
            ADD.execute(connection, {"b_key": "k5", "b_at": WHEN})
        with pytest.raises(ValueError, match="Python-side column defaults"):
            Prepared(insert(DEFAULTED).values(key=bindparam("b_key"))).execute(connection, {"b_key": "k"})
        with pytest.raises(ValueError, match="expanding"):
            Prepared(update(THING).where(THING.c.key.in_(bindparam("b_keys", expanding=True))).values(n=2)).execute(
                connection, {"b_keys": ["a"]}
            )
