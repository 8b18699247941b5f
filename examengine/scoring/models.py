"""Stored results: one row per scored attempt and one per slot on its form.

A slot whose score is NULL waits for a human marker; the attempt's result is `pending_marking` until none does.
Percent, scaled score and pass/fail are decided once, when the total is complete, under the rules of the exam
version the attempt was taken on, and stored (unrounded) with the result.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime


class ResultStatus(StrEnum):
    PENDING_MARKING = "pending_marking"  # a human-scored slot has no score yet: no total, no decision
    SCORED = "scored"


class AttemptResult(SQLModel, table=True):
    """The result of one finished attempt. `released_at` is an admin's release action; the moment a candidate
    may see the result follows from the exam's `result_release` (see scoring.release)."""

    __tablename__ = "attempt_result"
    __table_args__ = (Index("ix_attempt_result_exam", "exam_id", "exam_version"),)

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    exam_id: str = Field(max_length=32)
    exam_version: int
    status: ResultStatus = Field(sa_column=Column(String(16), nullable=False))
    raw_score: float  # of the slots scored so far while pending marking
    max_score: float
    percent: float | None = None
    scaled_score: float | None = None  # unrounded; reports round it half up
    passed: bool | None = None  # None: pending marking, or the exam has no cut score
    subscores: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    scored_at: datetime = Field(sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # when nothing was pending any more
    released_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    released_by: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )


class SlotScore(SQLModel, table=True):
    """The score of one slot with the pinned item version it was scored against; `score` NULL means pending."""

    __tablename__ = "slot_score"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    slot: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    section: int
    item_id: str = Field(max_length=32)
    item_version: int
    domain: str | None = Field(default=None, max_length=100)
    score: float | None = None
    max_score: float
    outcomes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    marker_id: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )
    marked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    marker_comment: str = Field(default="", max_length=2000)

    @property
    def pending(self) -> bool:
        return self.score is None
