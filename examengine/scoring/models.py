"""Stored results: one row per scored attempt and one per slot on its form.

A slot whose score is NULL waits for a human marker; the attempt's result is `pending_marking` until none does.
Percent, scaled score and pass/fail are decided once, when the total is complete, under the rules of the exam
version the attempt was taken on, and stored (unrounded) with the result.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime, table_of


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


def _user_ref(nullable: bool = True) -> Column[str]:
    return Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"), nullable=nullable)


class MarkingStage(IntEnum):
    FIRST = 1
    SECOND = 2  # double marking: a different marker, blind to the first mark
    ADJUDICATION = 3  # the two marks differ by more than the tolerance: a third marker's mark is final


class SlotMark(SQLModel, table=True):
    """One marker's mark of a pending slot at one stage; the slot's score follows from its marks (see
    examengine.marking.rule). A marker marks a slot at most once, whatever the stage."""

    __tablename__ = "slot_mark"
    __table_args__ = (
        UniqueConstraint("attempt_id", "slot", "stage", name="uq_slot_mark_stage"),
        UniqueConstraint("attempt_id", "slot", "marker_id", name="uq_slot_mark_marker"),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: str = Field(sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), nullable=False))
    slot: int
    stage: int
    marker_id: str = Field(sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="RESTRICT"), nullable=False))
    score: float
    comment: str = Field(default="", max_length=2000)
    marked_at: datetime = Field(sa_type=UTCDateTime)


class MarkingScript(SQLModel, table=True):
    """The anonymous name a marker sees for an attempt: never its id, its candidate or their name."""

    __tablename__ = "marking_script"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    script_id: str = Field(max_length=16, unique=True)


class MarkingClaim(SQLModel, table=True):
    """Who is marking a slot at which stage, until when: a second marker opening the queue gets another slot."""

    __tablename__ = "marking_claim"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    slot: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    stage: int
    marker_id: str = Field(sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False))
    expires_at: datetime = Field(sa_type=UTCDateTime)


class RescoreKind(StrEnum):
    NEW_VERSION = "new_version"  # score every response against a corrected, approved version of the item
    CREDIT_ALL = "credit_all"  # every candidate gets the item's full points
    DROP = "drop"  # the item counts for nobody: its points leave the score and the maximum


class RescoreDecision(SQLModel, table=True):
    """A decision about one item of one exam version, kept so that scoring an attempt again (or for the first
    time, later) reproduces it; the latest decision about an item wins."""

    __tablename__ = "rescore_decision"
    __table_args__ = (Index("ix_rescore_decision_exam", "exam_id", "exam_version", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    exam_id: str = Field(sa_column=Column(String(32), ForeignKey("exam.id", ondelete="CASCADE"), nullable=False))
    exam_version: int
    item_id: str = Field(max_length=32)
    kind: RescoreKind = Field(sa_column=Column(String(16), nullable=False))
    item_version: int | None = None  # the corrected version, for new_version
    reason: str = Field(max_length=2000)
    decided_by: str | None = Field(default=None, sa_column=_user_ref())
    decided_at: datetime = Field(sa_type=UTCDateTime)


class RescoreRecord(SQLModel, table=True):
    """One result changed by a rescoring decision: what it was and what it became."""

    __tablename__ = "rescore_record"
    __table_args__ = (Index("ix_rescore_record_attempt", "attempt_id"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(
        sa_column=Column(Integer, ForeignKey("rescore_decision.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    attempt_id: str = Field(sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), nullable=False))
    raw_before: float
    max_before: float
    percent_before: float | None = None
    scaled_before: float | None = None
    passed_before: bool | None = None
    raw_after: float
    max_after: float
    percent_after: float | None = None
    scaled_after: float | None = None
    passed_after: bool | None = None
    reason: str = Field(max_length=2000)
    actor_id: str | None = Field(default=None, sa_column=_user_ref())
    at: datetime = Field(sa_type=UTCDateTime)


class RetakeExceptionKind(StrEnum):
    EXTRA_ATTEMPT = "extra_attempt"  # one attempt beyond max_attempts (and beyond the period's limit)
    WAIVE_WAIT = "waive_wait"  # no waiting period after the fails finished before the grant


class RetakeException(SQLModel, table=True):
    """An admin's recorded exception to the retake policy for one candidate on one exam."""

    __tablename__ = "retake_exception"
    __table_args__ = (Index("ix_retake_exception_user_exam", "user_id", "exam_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False))
    exam_id: str = Field(sa_column=Column(String(32), ForeignKey("exam.id", ondelete="CASCADE"), nullable=False))
    kind: RetakeExceptionKind = Field(sa_column=Column(String(16), nullable=False))
    reason: str = Field(max_length=2000)
    granted_by: str | None = Field(default=None, sa_column=_user_ref())
    granted_at: datetime = Field(sa_type=UTCDateTime)


RESULT_TABLE = table_of(AttemptResult)
SLOT_SCORE_TABLE = table_of(SlotScore)
MARK_TABLE = table_of(SlotMark)
CLAIM_TABLE = table_of(MarkingClaim)
SCRIPT_TABLE = table_of(MarkingScript)
