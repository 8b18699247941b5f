"""Item statistics written back to the bank, with who computed them from what, and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, String
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime


class ItemStatsRecord(SQLModel, table=True):
    """One saving of an item version's statistics from one exam analysis. item_version holds the latest values;
    these rows are their history."""

    __tablename__ = "item_stats_record"
    __table_args__ = (
        ForeignKeyConstraint(
            ["item_id", "item_version"], ["item_version.item_id", "item_version.version"], ondelete="CASCADE"
        ),
        Index("ix_item_stats_record_item", "item_id", "item_version", "computed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    item_id: str = Field(max_length=32)
    item_version: int
    exam_id: str = Field(max_length=32)
    exam_version: int
    n: int
    p_value: float | None = None
    discrimination: float | None = None  # the corrected (item-rest) point-biserial
    missing_rule: str = Field(max_length=16)
    sitting_id: str | None = Field(default=None, max_length=32)
    since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    computed_at: datetime = Field(sa_type=UTCDateTime)
    computed_by: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )
