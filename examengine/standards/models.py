"""A standard setting study, its judges and their ratings, round by round."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, Index, Integer, String
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime
from examengine.ids import new_id


class Method(StrEnum):
    ANGOFF = "angoff"
    HOFSTEE = "hofstee"


class StudyStatus(StrEnum):
    """SETUP: judges are being named. RATING: round `current_round` is open to ratings. REVIEW: that round is
    closed and its results are shown. CLOSED: the study is over."""

    SETUP = "setup"
    RATING = "rating"
    REVIEW = "review"
    CLOSED = "closed"


def _user(primary_key: bool = False) -> Column[str]:
    if primary_key:
        return Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    return Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))


class Study(SQLModel, table=True):
    __tablename__ = "standard_setting_study"
    __table_args__ = (
        ForeignKeyConstraint(
            ["exam_id", "exam_version"], ["exam_version.exam_id", "exam_version.version"], ondelete="CASCADE"
        ),
        Index("ix_standard_setting_study_exam", "exam_id", "exam_version"),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    exam_id: str = Field(max_length=32)
    exam_version: int
    method: Method = Field(sa_column=Column(String(16), nullable=False))
    title: str = Field(max_length=200)
    status: StudyStatus = Field(sa_column=Column(String(16), nullable=False))
    current_round: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    created_by: str | None = Field(default=None, sa_column=_user())
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_by: str | None = Field(default=None, sa_column=_user())


class Judge(SQLModel, table=True):
    __tablename__ = "standard_setting_judge"

    study_id: str = Field(
        sa_column=Column(String(32), ForeignKey("standard_setting_study.id", ondelete="CASCADE"), primary_key=True)
    )
    user_id: str = Field(sa_column=_user(primary_key=True))
    added_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    added_by: str | None = Field(default=None, sa_column=_user())


class AngoffRatingRow(SQLModel, table=True):
    """A judge's estimate, in a round, of the share of minimally competent candidates answering the item right."""

    __tablename__ = "angoff_rating"

    study_id: str = Field(
        sa_column=Column(String(32), ForeignKey("standard_setting_study.id", ondelete="CASCADE"), primary_key=True)
    )
    round: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    judge_id: str = Field(sa_column=_user(primary_key=True))
    item_id: str = Field(primary_key=True, max_length=32)
    item_version: int
    rating: float
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HofsteeRow(SQLModel, table=True):
    """A judge's four Hofstee answers in a round, in percent."""

    __tablename__ = "hofstee_judgement"

    study_id: str = Field(
        sa_column=Column(String(32), ForeignKey("standard_setting_study.id", ondelete="CASCADE"), primary_key=True)
    )
    round: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    judge_id: str = Field(sa_column=_user(primary_key=True))
    min_cut: float
    max_cut: float
    min_fail: float
    max_fail: float
    rated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
