"""Exams, their immutable published versions with pinned item versions, and scheduled sittings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, ForeignKeyConstraint, Index, Integer, String, false
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime
from examengine.ids import new_id


class ExamStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


def _user_fk(nullable: bool = True) -> Column[str]:
    return Column(
        String(32), ForeignKey("app_user.id", ondelete="SET NULL" if nullable else "CASCADE"), nullable=nullable
    )


class Exam(SQLModel, table=True):
    __tablename__ = "exam"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    code: str = Field(max_length=40, unique=True, index=True)
    latest_version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, sa_column=_user_fk())


class ExamVersion(SQLModel, table=True):
    """One version of an exam's blueprint; immutable once published (only retiring changes it)."""

    __tablename__ = "exam_version"

    exam_id: str = Field(sa_column=Column(String(32), ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True))
    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    status: ExamStatus = Field(sa_column=Column(String(16), nullable=False))
    title: str = Field(max_length=300)
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, sa_column=_user_fk())
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_by: str | None = Field(default=None, sa_column=_user_fk())


class ExamPoolEntry(SQLModel, table=True):
    """An item version pinned by a published exam version, for a section's fixed items (rule -1) or a draw rule."""

    __tablename__ = "exam_pool"
    __table_args__ = (
        ForeignKeyConstraint(
            ["exam_id", "exam_version"], ["exam_version.exam_id", "exam_version.version"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(["item_id", "item_version"], ["item_version.item_id", "item_version.version"]),
        Index("ix_exam_pool_item", "item_id"),
    )

    exam_id: str = Field(primary_key=True, max_length=32)
    exam_version: int = Field(primary_key=True)
    section: int = Field(primary_key=True)
    rule: int = Field(primary_key=True)
    item_id: str = Field(primary_key=True, max_length=32)
    item_version: int


class Sitting(SQLModel, table=True):
    """An exam version given in a window, online or in a room, watched by assigned proctors."""

    __tablename__ = "sitting"
    __table_args__ = (
        ForeignKeyConstraint(["exam_id", "exam_version"], ["exam_version.exam_id", "exam_version.version"]),
        Index("ix_sitting_window", "opens_at", "closes_at"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    exam_id: str = Field(max_length=32)
    exam_version: int
    title: str = Field(default="", max_length=300)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    location: str = Field(default="online", max_length=200)
    requires_admission: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, sa_column=_user_fk())
    # Seats: enrolment stops at the capacity (None: no limit).
    capacity: int | None = None
    # The IANA zone its times are shown and entered in (where the room is; UTC for an online sitting).
    time_zone: str = Field(default="UTC", sa_column=Column(String(64), nullable=False, server_default="UTC"))
    # A cancelled sitting keeps its row (enrolments, audit subjects); who cancelled it and why are on the audit record.
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_reason: str = Field(default="", sa_column=Column(String(1000), nullable=False, server_default=""))
    # Seat booking (credential programs): candidates with an authorization to test may book a seat up to
    # `booking_closes_at` and cancel up to `cancel_closes_at` (NULL: the opening, exams.seats).
    bookable: bool = Field(default=False, sa_column=Column(Boolean, nullable=False, server_default=false()))
    booking_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancel_closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SittingProctor(SQLModel, table=True):
    __tablename__ = "sitting_proctor"

    sitting_id: str = Field(
        sa_column=Column(String(32), ForeignKey("sitting.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: str = Field(
        sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Enrollment(SQLModel, table=True):
    """A candidate enrolled in a sitting, with accommodations and the reason they were granted."""

    __tablename__ = "enrollment"

    sitting_id: str = Field(
        sa_column=Column(String(32), ForeignKey("sitting.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: str = Field(
        sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    time_multiplier: float = Field(default=1.0)
    extra_minutes: int = Field(default=0)
    separate_start: bool = Field(default=False)
    accommodation_reason: str = Field(default="", max_length=1000)
    enrolled_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    enrolled_by: str | None = Field(default=None, sa_column=_user_fk())
