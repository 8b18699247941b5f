"""The official score reports issued: one row per version of an attempt's report (programs.score_reports).

The report keeps one id for life; each version stores the body exactly as issued, so what a candidate printed
can be shown again after a rescore has issued the next version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime, table_of


class ScoreReport(SQLModel, table=True):
    __tablename__ = "score_report"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    version: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    report_id: str = Field(sa_column=Column(String(32), nullable=False, index=True))
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    issued_at: datetime = Field(sa_type=UTCDateTime)


SCORE_REPORT_TABLE = table_of(ScoreReport)
