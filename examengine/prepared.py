"""Statements of the hottest write path (an answer save and its event), run straight on the driver's cursor.

SQLAlchemy's Core execution costs far more than the statement itself: it hashes the statement's cache key to find
its compiled form, builds an execution context, runs every parameter through its type and wraps the result. In the
single writer that commits every save (examengine.group_commit) that was about four fifths of a save's time under
the GIL. A `Prepared` statement is compiled once per dialect by SQLAlchemy itself (the same SQL, the same parameter
order, the same bind and result processing of each type), and each run only processes its values and executes.

What this gives up, by design, for these few statements: SQLAlchemy's cursor events (`before_cursor_execute`) do not
see them, and a statement whose columns have Python-side defaults is refused when prepared (give every value).
A driver error is raised as SQLAlchemy's own exception class (OperationalError, IntegrityError...), as
`Connection.execute` would raise it, and a lost connection is invalidated.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.dml import UpdateBase


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # the parameters' positional order (qmark, format), None for named styles
    processors: Mapping[str, Callable[[Any], Any]]  # parameter -> its type's bind processor (only those with one)
    fixed: Mapping[str, Any]  # the statement's own literal parameters, processed
    names: Mapping[str, str]  # parameter -> its name in the SQL, where the dialect had to escape it
    needed: frozenset[str]  # the parameters each run must give
    results: tuple[Callable[[Any], Any] | None, ...]  # each returned column's result processor


class Row(tuple[Any, ...]):
    """A returned row whose columns are also attributes (`row.started_at`), like SQLAlchemy's Row."""

    __slots__ = ()
    _index: Mapping[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        try:
            return self[self._index[name]]
        except KeyError:
            raise AttributeError(name) from None


class Prepared:
    """One Core statement (INSERT, UPDATE or DELETE, with or without RETURNING) whose parameters are all bound by
    name at each run: compiled per dialect on first use, then run on the connection's own driver cursor, inside
    whatever transaction the connection is in."""

    def __init__(self, statement: UpdateBase) -> None:
        self.statement = statement
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        columns = tuple(statement.exported_columns.keys())  # RETURNING's, if any
        self._row: type[Row] = type(
            "PreparedRow", (Row,), {"__slots__": (), "_index": {n: i for i, n in enumerate(columns)}}
        )

    def first(self, connection: Connection, values: Mapping[str, Any]) -> Row | None:
        """Run it; the first row RETURNING gave, or None (no row matched)."""
        compiled, cursor = self._run(connection, values)
        try:
            row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:
            return None
        return self._row(v if p is None else p(v) for p, v in zip(compiled.results, row, strict=True))

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run it; the number of rows it changed."""
        _compiled, cursor = self._run(connection, values)
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def _run(self, connection: Connection, values: Mapping[str, Any]) -> tuple[_Compiled, Any]:
        compiled = self._for(connection.dialect)
        parameters = _parameters(compiled, values)
        if not connection.in_transaction():
            connection.begin()  # what Connection.execute would do: the dialect's own BEGIN (BEGIN IMMEDIATE...)
        driver_connection = connection.connection
        cursor = driver_connection.cursor()
        try:
            cursor.execute(compiled.sql, parameters)
        except BaseException as error:
            cursor.close()
            if isinstance(error, connection.dialect.loaded_dbapi.Error):
                raise _translated(connection, compiled, parameters, error, driver_connection) from error
            raise
        return compiled, cursor

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect)
        if found is None:
            with self._lock:
                found = self._compiled.get(dialect) or _compile(self.statement, dialect)
                self._compiled[dialect] = found
        return found


def _compile(statement: UpdateBase, dialect: Dialect) -> _Compiled:
    compiled: Any = statement.compile(dialect=dialect)
    if compiled.insert_prefetch or compiled.update_prefetch:
        raise ValueError("A prepared statement cannot compute Python-side column defaults: give every value.")
    binds = {name: bind for bind, name in compiled.bind_names.items()}  # as the SQL names them
    if any(b.expanding or b.literal_execute for b in binds.values()):
        raise ValueError("A prepared statement takes no expanding (IN list) or literal-execute parameters.")
    processors = {}
    for name, bind in binds.items():
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    fixed = {
        name: _processed(processors, name, bind.effective_value) for name, bind in binds.items() if not bind.required
    }
    returned = list(statement.exported_columns)
    return _Compiled(
        sql=compiled.string,
        order=tuple(compiled.positiontup) if compiled.positional else None,
        processors=processors,
        fixed=fixed,
        names=dict(compiled.escaped_bind_names or {}),
        needed=frozenset(name for name, bind in binds.items() if bind.required),
        results=tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in returned),
    )


def _processed(processors: Mapping[str, Callable[[Any], Any]], name: str, value: Any) -> Any:
    processor = processors.get(name)
    return value if processor is None or value is None else processor(value)


def _parameters(compiled: _Compiled, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
    if not compiled.needed <= values.keys():
        missing = ", ".join(sorted(compiled.needed - values.keys()))
        raise ValueError(f"The prepared statement needs a value for {missing}.")
    processors = compiled.processors
    named = dict(compiled.fixed)
    for name, value in values.items():
        named[name] = _processed(processors, name, value)
    if compiled.order is not None:
        return [named[name] for name in compiled.order]
    if compiled.names:
        return {compiled.names.get(name, name): value for name, value in named.items()}
    return named


def _translated(connection: Connection, compiled: _Compiled, parameters: Any, error: Any, driver: Any) -> BaseException:
    """A driver error as Connection.execute raises it; a connection the driver reports lost is invalidated."""
    dialect = connection.dialect
    dbapi_error = dialect.loaded_dbapi.Error
    lost = dialect.is_disconnect(error, driver, None)
    if lost:
        connection.invalidate(error)
    translated: BaseException = DBAPIError.instance(
        compiled.sql, parameters, error, dbapi_error, connection_invalidated=lost, dialect=dialect
    )
    return translated
