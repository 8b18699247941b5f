"""Finding items: the filtered, paged list of latest versions and the text index it reads.

SQLite keeps an FTS5 trigram table of the latest versions' search_text (made by migration 0006, kept by
`index_text`); PostgreSQL's trigram index is on item_version itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column as SAColumn
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Join,
    Label,
    MetaData,
    Row,
    Table,
    Text,
    and_,
    insert,
    literal_column,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session

from examengine.errors import InvalidInput
from itembank.models import (
    ITEM_TABLE,
    LABEL_TABLE,
    SEARCH_TABLE,
    VERSION_TABLE,
    ItemStatus,
    item_code,
)

PAGE_SIZE = 50


TAG = "tag"


ENEMY = "enemy"


# Text searches at least this long use the text index (SQLite FTS5 trigrams; pg_trgm too works from 3 characters).
TRIGRAM = 3


# SQLite's FTS5 trigram table of the latest versions' search_text, rowid = item number; made by migration 0006 and
# kept by this module (import and create_version), not part of the models' metadata.
_SEARCH = Table(SEARCH_TABLE, MetaData(), SAColumn("rowid", Integer, primary_key=True), SAColumn("search_text", Text))


@dataclass(frozen=True)
class ItemSummary:
    item_id: str
    code: str
    latest_version: int
    status: ItemStatus
    title: str
    interaction: str
    domain: str | None
    tags: tuple[str, ...]
    author_id: str | None


@dataclass(frozen=True)
class ItemPage:
    items: tuple[ItemSummary, ...]
    next_cursor: str | None


def is_sqlite(session: Session) -> bool:
    return bool(session.get_bind().dialect.name == "sqlite")


def index_text(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Put new latest versions into SQLite's text index, replacing their item's previous latest version
    (PostgreSQL's trigram index is on item_version itself)."""
    if rows and is_sqlite(session):
        session.execute(
            insert(_SEARCH).prefix_with("OR REPLACE"),
            [{"rowid": row["item_number"], "search_text": row["search_text"]} for row in rows],
        )


def _driving_source(
    sqlite: bool, needle: str | None, tag: str | None
) -> tuple[FromClause, ColumnElement[int], list[ColumnElement[bool]], str | None]:
    """The most selective source to drive the list from, the item-number column to order by, the conditions
    that source brings, and the tag still to filter on (None when the source is the tag's labels)."""
    version = VERSION_TABLE.c
    conditions: list[ColumnElement[bool]] = [_latest(sqlite)]
    source: FromClause = VERSION_TABLE
    number: ColumnElement[int] = version.item_number
    if needle is not None and sqlite and len(needle) >= TRIGRAM:
        # the text index first (SQLite keeps a CROSS JOIN's order), in rowid = item-number order
        source = _CrossJoin(_SEARCH, VERSION_TABLE, and_(version.item_number == _SEARCH.c.rowid, _latest(sqlite)))
        number = _SEARCH.c.rowid
        conditions.append(_SEARCH.c.search_text.match('"' + needle.replace('"', '""') + '"'))
    elif tag:
        label = LABEL_TABLE.c
        source = _CrossJoin(
            LABEL_TABLE, VERSION_TABLE, and_(version.item_id == label.item_id, version.version == label.version)
        )
        number = label.item_number
        conditions += [label.kind == TAG, label.label == tag]
        tag = None
    return source, number, conditions, tag


def _filters(
    needle: str | None, tag: str | None, status: str | None, domain: str | None, author_id: str | None
) -> list[ColumnElement[bool]]:
    """The conditions on the latest version itself."""
    version = VERSION_TABLE.c
    conditions: list[ColumnElement[bool]] = []
    if needle is not None:
        # also behind the text index: the index matches case-folded trigrams, this is the exact test
        conditions.append(version.search_text.like(f"%{_escape_like(needle)}%", escape="/"))
    if tag:
        conditions.append(
            select(LABEL_TABLE.c.label)
            .where(
                LABEL_TABLE.c.item_id == version.item_id,
                LABEL_TABLE.c.version == version.version,
                LABEL_TABLE.c.kind == TAG,
                LABEL_TABLE.c.label == tag,
            )
            .exists()
        )
    if status:
        conditions.append(version.status == ItemStatus(status).value)
    if domain:
        conditions.append(version.domain == domain)
    if author_id:
        conditions.append(version.author_id == author_id)
    return conditions


def list_items(
    *,
    session: Session,
    status: str | None = None,
    domain: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    author_id: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> ItemPage:
    """Items by code with their latest version, filtered on that version, `limit` at a time.

    Reads only latest versions (is_latest, through partial indexes ordered by item number), driven from the most
    selective source: SQLite's trigram text index for a text of 3 or more characters, else the tag's labels,
    else the versions themselves (the planner picks the status, domain or author index)."""
    if cursor and (not cursor.isdigit() or len(cursor) > 9):
        raise InvalidInput("The cursor is not one this server gave out.", code="invalid_cursor")
    sqlite = is_sqlite(session)
    needle = q.strip().lower() if q else None
    source, number, conditions, tag = _driving_source(sqlite, needle, tag)
    conditions += _filters(needle, tag, status, domain, author_id)
    if cursor:
        conditions.append(number > int(cursor))
    version = VERSION_TABLE.c
    query = (
        select(
            _given_code(),
            version.item_id,
            version.item_number,
            version.version,
            version.status,
            version.title,
            version.interaction,
            version.domain,
            version.tags,
            version.author_id,
        )
        .select_from(source)
        .where(*conditions)
        .order_by(number)
        .limit(limit + 1)
    )
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = tuple(_summary(row) for row in rows)
    return ItemPage(items, str(rows[-1].item_number) if more else None)


def _summary(row: Row[Any]) -> ItemSummary:
    return ItemSummary(
        row.item_id,
        row.given_code or item_code(row.item_number),
        row.version,
        ItemStatus(row.status),
        row.title,
        row.interaction,
        row.domain,
        tuple(row.tags),
        row.author_id,
    )


def _given_code() -> Label[str | None]:
    """The code the item's author gave it, if any (one primary-key lookup per row listed)."""
    item = ITEM_TABLE.c
    return select(item.given_code).where(item.id == VERSION_TABLE.c.item_id).scalar_subquery().label("given_code")


def _latest(sqlite: bool) -> ColumnElement[bool]:
    """The partial indexes' predicate, written as they are (SQLite matches it textually)."""
    if sqlite:
        return VERSION_TABLE.c.is_latest == literal_column("1")
    latest: ColumnElement[bool] = VERSION_TABLE.c.is_latest
    return latest


def _escape_like(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


class _CrossJoin(Join):
    """An inner join that SQLite must run in the order written (`CROSS JOIN`); other engines see a JOIN."""

    inherit_cache = True


@compiles(_CrossJoin, "sqlite")
def _compile_cross_join(element: _CrossJoin, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("asfrom", None)
    from_linter = kw.get("from_linter")
    if from_linter is not None:
        from_linter.edges.update(
            (left, right) for left in element.left._from_objects for right in element.right._from_objects
        )
    left = compiler.process(element.left, asfrom=True, **kw)
    right = compiler.process(element.right, asfrom=True, **kw)
    assert element.onclause is not None
    return f"{left} CROSS JOIN {right} ON {compiler.process(element.onclause, **kw)}"
