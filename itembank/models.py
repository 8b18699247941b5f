"""Item bank tables: items, their immutable numbered versions, review history and content-addressed media."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    false,
    text,
)
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime, table_of
from examengine.ids import new_id


class ItemStatus(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    APPROVED = "approved"
    RETIRED = "retired"


# The review workflow: draft -> review -> approved -> retired, review can send back to draft, a draft can be dropped.
ALLOWED_TRANSITIONS: dict[ItemStatus, frozenset[ItemStatus]] = {
    ItemStatus.DRAFT: frozenset({ItemStatus.REVIEW, ItemStatus.RETIRED}),
    ItemStatus.REVIEW: frozenset({ItemStatus.APPROVED, ItemStatus.DRAFT}),
    ItemStatus.APPROVED: frozenset({ItemStatus.RETIRED}),
    ItemStatus.RETIRED: frozenset(),
}


class Item(SQLModel, table=True):
    __tablename__ = "item"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    number: int = Field(sa_column=Column(Integer, nullable=False, unique=True))
    source_identifier: str | None = Field(default=None, max_length=200)
    # the code its author gave it (POST /api/v1/items: the native `id`); imported items use the numbered code
    given_code: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    latest_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )

    __table_args__ = (Index("ix_item_given_code", "given_code", unique=True),)

    @property
    def code(self) -> str:
        return self.given_code or item_code(self.number)


NUMBERED_CODE = re.compile(r"ITM-\d+", re.IGNORECASE)


def item_code(number: int) -> str:
    return f"ITM-{number:06d}"


# The search (list_items) reads only the latest version of each item, in item-number order: these partial indexes
# hold just those rows. SQLite uses a partial index only when the query repeats its predicate word for word, so
# queries use LATEST_SQLITE / LATEST_POSTGRESQL (see itembank.search._latest) and nothing else.
LATEST_SQLITE = "is_latest = 1"
LATEST_POSTGRESQL = "is_latest"

# Objects the migrations make that the models do not describe (SQLite's FTS5 table with its shadow tables, and
# PostgreSQL's pg_trgm index): the migration environment and the model/migration comparison skip them by name.
SEARCH_TABLE = "item_search"
SEARCH_TRGM_INDEX = "ix_item_version_search_trgm"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic `include_name` filter: False for the migration-only search objects."""
    if type_ == "table" and name is not None:
        return name != SEARCH_TABLE and not name.startswith(SEARCH_TABLE + "_")
    if type_ == "index":
        return name != SEARCH_TRGM_INDEX
    return True


def _latest_index(name: str, *columns: str, unique: bool = False) -> Index:
    return Index(
        name,
        *columns,
        unique=unique,
        sqlite_where=text(LATEST_SQLITE),
        postgresql_where=text(LATEST_POSTGRESQL),
    )


class ItemVersion(SQLModel, table=True):
    """One immutable version of an item; only its status and statistics change after it is written.

    `item_number` copies item.number and `is_latest` marks the item's latest version (item.latest_version): the
    search filters and orders on them through the partial indexes below without joining item."""

    __tablename__ = "item_version"
    __table_args__ = (
        Index("ix_item_version_status_domain", "status", "domain"),
        Index("ix_item_version_author", "author_id"),
        _latest_index("ix_item_version_latest_number", "item_number", unique=True),
        _latest_index("ix_item_version_latest_status", "status", "item_number"),
        _latest_index("ix_item_version_latest_domain", "domain", "item_number"),
        _latest_index("ix_item_version_latest_author", "author_id", "item_number"),
    )

    item_id: str = Field(sa_column=Column(String(32), ForeignKey("item.id", ondelete="CASCADE"), primary_key=True))
    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    item_number: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    is_latest: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    status: ItemStatus = Field(sa_column=Column(String(16), nullable=False))
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    title: str = Field(default="", max_length=500)
    search_text: str = Field(default="")
    interaction: str = Field(default="", max_length=200)
    max_score: float = Field(default=0.0)
    human_scored: bool = Field(default=False)
    domain: str | None = Field(default=None, max_length=100)
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    enemy_groups: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    language: str | None = Field(default=None, max_length=35)
    expected_seconds: int | None = None
    source: str | None = Field(default=None, max_length=500)
    author_id: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    p_value: float | None = None
    discrimination: float | None = None
    stats_n: int | None = None
    stats_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ItemVersionTag(SQLModel, table=True):
    """Tags and enemy groups of a version, one row each, so filters and assembly use an index."""

    __tablename__ = "item_version_label"
    __table_args__ = (
        ForeignKeyConstraint(
            ["item_id", "version"], ["item_version.item_id", "item_version.version"], ondelete="CASCADE"
        ),
        Index("ix_item_version_label_lookup", "kind", "label", "item_number"),
    )

    item_id: str = Field(primary_key=True, max_length=32)
    version: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=8)  # "tag" or "enemy"
    label: str = Field(primary_key=True, max_length=100)
    # item.number again, so a label lookup comes out in item order (the search's tag filter walks it)
    item_number: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))


class ItemTransition(SQLModel, table=True):
    """Who moved which version from what status to what, when, and why."""

    __tablename__ = "item_transition"
    __table_args__ = (
        ForeignKeyConstraint(
            ["item_id", "version"], ["item_version.item_id", "item_version.version"], ondelete="CASCADE"
        ),
        Index("ix_item_transition_version", "item_id", "version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(max_length=32)
    version: int
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    actor_id: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    comment: str = Field(default="", max_length=2000)


class Media(SQLModel, table=True):
    """An image or other file used by item content, stored once under the SHA-256 of its bytes."""

    __tablename__ = "media"

    sha256: str = Field(primary_key=True, max_length=64)
    content_type: str = Field(max_length=100)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    original_name: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


ITEM_TABLE = table_of(Item)
VERSION_TABLE = table_of(ItemVersion)
LABEL_TABLE = table_of(ItemVersionTag)
TRANSITION_TABLE = table_of(ItemTransition)
