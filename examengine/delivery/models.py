"""Attempts, their slots (one row per item on the form, holding the answer and flag) and their event log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime, table_of
from examengine.delivery.states import AttemptStatus
from examengine.exams.form_document import FormDocument, FormDocumentType
from examengine.ids import new_id

RUNNING_WHERE = "status IN ('waiting', 'in_progress', 'paused')"


class Attempt(SQLModel, table=True):
    """One candidate's sitting of one form. `deadline_at` is the ledger's deadline, stored when the ledger changes
    so that the save path and the expiry sweep can filter on it with an index."""

    __tablename__ = "attempt"
    __table_args__ = (
        Index("ix_attempt_sitting_user", "sitting_id", "user_id"),
        Index("ix_attempt_status_deadline", "status", "deadline_at"),
        Index("ix_attempt_user_exam", "user_id", "exam_id"),
        UniqueConstraint("user_id", "exam_id", "number", name="uq_attempt_number"),
        # One running attempt per candidate per exam, across sittings, by construction
        Index(
            "uq_attempt_running",
            "user_id",
            "exam_id",
            unique=True,
            sqlite_where=text(RUNNING_WHERE),
            postgresql_where=text(RUNNING_WHERE),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    sitting_id: str = Field(sa_column=Column(String(32), ForeignKey("sitting.id"), nullable=False))
    user_id: str = Field(sa_column=Column(String(32), ForeignKey("app_user.id"), nullable=False))
    exam_id: str = Field(max_length=32)
    exam_version: int
    number: int = Field(default=1)  # this candidate's nth attempt at the exam
    status: AttemptStatus = Field(sa_column=Column(String(16), nullable=False))
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    form: FormDocument = Field(sa_column=Column(FormDocumentType, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    allowed_seconds: int | None = None
    extension_seconds: int = Field(default=0)
    credited_seconds: int = Field(default=0)
    paused_seconds: int = Field(default=0)
    paused_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    window_closes_at: datetime = Field(sa_type=UTCDateTime)
    deadline_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_seen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The device lock (examengine.delivery.device): the web session (its credential's token hash) holding the
    # attempt, and the latest other session refused for it, which a proctor's "move to new device" hands it to.
    holder_session: str | None = Field(default=None, max_length=64)
    waiting_session: str | None = Field(default=None, max_length=64)
    # Timed sections (see delivery.ledger): the section recorded as open, when it opened and the time added to the
    # clocks (extensions, credits, pauses) before it opened. `open_section` is NULL when sections are not timed.
    open_section: int | None = None
    section_opened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    section_offset_seconds: int = Field(default=0, sa_column=Column(Integer, nullable=False, server_default=text("0")))
    # A terminated attempt: an admin's TerminationDecision (delivery.states), NULL until one is recorded (the
    # candidate is held until then); the who, when and why are on the attempt's chained event log.
    termination_decision: str | None = Field(default=None, max_length=16)
    # Linear navigation: the one slot the candidate may see and answer now; NULL when navigation is free.
    linear_slot: int | None = None


class AttemptSlot(SQLModel, table=True):
    """One item on the form. A save is one update of this row by primary key, guarded by `seq`."""

    __tablename__ = "attempt_slot"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    slot: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    section: int
    item_id: str = Field(max_length=32)
    item_version: int
    response: Any = Field(default=None, sa_column=Column(JSON(none_as_null=True), nullable=True))
    seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, default=0))
    saved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    flagged: bool = Field(default=False)


class AttemptEvent(SQLModel, table=True):
    """The append-only timeline of an attempt: who did what, when (server time; client time where given)."""

    __tablename__ = "attempt_event"
    __table_args__ = (
        Index("ix_attempt_event_attempt", "attempt_id", "id"),
        # the hash-chained events (answer saves are not chained, so the save path never touches this index)
        Index(
            "ix_attempt_event_chain",
            "attempt_id",
            "id",
            sqlite_where=text("type != 'answer_saved'"),
            postgresql_where=text("type != 'answer_saved'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: str = Field(sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_id: str | None = Field(default=None, max_length=32)
    type: str = Field(max_length=40)
    client_time: datetime | None = Field(default=None, sa_type=UTCDateTime)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # The attempt's hash chain (examengine.audit.chain), set by examengine.delivery.chain.append_attempt_event
    prev_hash: str = Field(default="", sa_column=Column(String(64), nullable=False, server_default=""))
    hash: str = Field(default="", sa_column=Column(String(64), nullable=False, server_default=""))


ATTEMPT_TABLE = table_of(Attempt)
SLOT_TABLE = table_of(AttemptSlot)
EVENT_TABLE = table_of(AttemptEvent)
