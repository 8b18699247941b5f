"""The tables credentials need beyond the foundation's: continuing-education activities, the counters that number
credentials and give each its status-list bit, the passing attempts already considered for an award, and the
reminders already sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime, table_of
from examengine.ids import new_id


def _credential(*, primary_key: bool = False) -> Any:
    return Field(
        sa_column=Column(
            String(32),
            ForeignKey("program_credential.id", ondelete="CASCADE"),
            nullable=False,
            primary_key=primary_key,
            index=not primary_key,
        )
    )


class CeActivity(SQLModel, table=True):
    """A continuing-education activity the holder recorded; it counts toward the cycle whose dates hold
    `completed_on` (a UTC date)."""

    __tablename__ = "ce_activity"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    credential_id: str = _credential()
    title: str = Field(max_length=300)
    provider: str = Field(max_length=300)
    category: str | None = Field(default=None, max_length=60)
    credits: float
    completed_on: date = Field(sa_column=Column(Date, nullable=False))
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class CredentialCounter(SQLModel, table=True):
    """A sequence kept in a row: `number:<scheme id>:<year>` (the credential numbers of a scheme and year) and
    `status_index` (each credential's bit in the status lists). Taken by an upsert that returns the new value,
    so concurrent awards never share one."""

    __tablename__ = "credential_counter"

    name: str = Field(sa_column=Column(String(80), primary_key=True))
    last: int = Field(sa_column=Column(Integer, nullable=False))


class CredentialAward(SQLModel, table=True):
    """A passing attempt of a scheme's exam that was considered for an award, and what it did (awarded,
    renewed, or nothing and why): the row makes awarding once per attempt, whichever path gets there first."""

    __tablename__ = "credential_award"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    credential_id: str | None = Field(
        default=None,
        sa_column=Column(String(32), ForeignKey("program_credential.id", ondelete="SET NULL"), nullable=True),
    )
    outcome: str = Field(max_length=40)
    at: datetime = Field(sa_type=UTCDateTime)


class CredentialNotice(SQLModel, table=True):
    """A reminder sent to a holder: `kind` (before_expiry, grace) for the cycle ending at `valid_until`, once."""

    __tablename__ = "credential_notice"

    credential_id: str = _credential(primary_key=True)
    kind: str = Field(sa_column=Column(String(20), primary_key=True))
    valid_until: datetime = Field(sa_type=UTCDateTime, primary_key=True)
    sent_at: datetime = Field(sa_type=UTCDateTime)


COUNTER_TABLE = table_of(CredentialCounter)
AWARD_TABLE = table_of(CredentialAward)
NOTICE_TABLE = table_of(CredentialNotice)
