"""The global audit chain: its records, its one-row head (the lock every append takes) and retention checkpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String
from sqlmodel import Field, SQLModel

from examengine.audit.kinds import AuditKind
from examengine.clock import utcnow
from examengine.db import UTCDateTime, table_of

HEAD_ID = 1


class AuditRecord(SQLModel, table=True):
    """One privileged action. Ids are gapless (assigned under the head lock), so a deleted row shows as a gap."""

    __tablename__ = "audit_record"
    __table_args__ = (
        Index("ix_audit_record_at", "at"),
        Index("ix_audit_record_kind_at", "kind", "at"),
        Index("ix_audit_record_subject", "subject"),
    )

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    kind: AuditKind = Field(sa_column=Column(String(40), nullable=False))
    actor_id: str | None = Field(default=None, max_length=32)
    subject: str = Field(max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditChainHead(SQLModel, table=True):
    """The last record of the global chain. Appends lock this row (FOR UPDATE), so they form one line; it also
    makes a deleted tail visible."""

    __tablename__ = "audit_chain_head"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    last_hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """Written before a retention purge: the chain continues from `upto_hash` after `upto_id`; the records kept up
    to there are sealed by their count and digest. Checkpoints chain among themselves and are signed (HMAC)."""

    __tablename__ = "audit_checkpoint"

    id: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    upto_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    upto_hash: str = Field(max_length=64)
    sealed_count: int = Field(sa_column=Column(BigInteger, nullable=False))
    sealed_digest: str = Field(max_length=64)
    counts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    signature: str = Field(max_length=64)


class AuditRefusalWindow(SQLModel, table=True):
    """Anonymous refusals counted per address in fixed windows: the first few are recorded one by one, the rest
    only counted here, and one summary record per address and window states the count once the window is over."""

    __tablename__ = "audit_refusal_window"

    address: str = Field(primary_key=True, max_length=100)
    window_start: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    refusals: int = Field(default=0)


HEAD_TABLE = table_of(AuditChainHead)
