"""The appeal table (API.md "Score reports, incidents, appeals"): a person's challenge of an adverse decision about
them, its assignment to a reviewer who did not make that decision, and the reviewer's outcome and remedy.

The appealed decision is copied in when the appeal is filed (who made it, when, why): a `reconsider` remedy sends
the application or request back for a fresh decision, and the appeal keeps the record of who decided before (they
may not decide it again: `programs.appeals.barred_deciders`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, String, text
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime
from examengine.ids import new_id

OPEN_WHERE = "status IN ('filed', 'assigned')"


class AppealSubject(StrEnum):
    APPLICATION = "application"  # subject_id: the application's id
    ACCOMMODATION = "accommodation"  # the accommodation request's id
    RESULT = "result"  # the attempt's id (an invalidated result)
    CREDENTIAL = "credential"  # the credential's number (a suspension or revocation)


class AppealStatus(StrEnum):
    FILED = "filed"
    ASSIGNED = "assigned"
    UPHELD = "upheld"
    DENIED = "denied"


OPEN_STATUSES = (AppealStatus.FILED, AppealStatus.ASSIGNED)


class AppealGrounds(StrEnum):
    PROCEDURAL_ERROR = "procedural_error"
    NEW_EVIDENCE = "new_evidence"
    SCORING_ERROR = "scoring_error"
    OTHER = "other"


class Remedy(StrEnum):
    RESCORE = "rescore"
    RETEST = "retest"
    REINSTATE = "reinstate"
    RECONSIDER = "reconsider"


def _user(*, nullable: bool, index: bool = False) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            String(32),
            ForeignKey("app_user.id", ondelete="SET NULL" if nullable else "CASCADE"),
            nullable=nullable,
            index=index,
        ),
    )


class Appeal(SQLModel, table=True):
    __tablename__ = "appeal"
    __table_args__ = (
        # One open appeal per subject, by construction: a second filing while one is open is refused
        Index(
            "uq_appeal_open_subject",
            "subject_type",
            "subject_id",
            unique=True,
            sqlite_where=text(OPEN_WHERE),
            postgresql_where=text(OPEN_WHERE),
        ),
    )

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    subject_type: AppealSubject = Field(sa_column=Column(String(20), nullable=False))
    subject_id: str = Field(max_length=60)
    scheme_id: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("scheme.id", ondelete="SET NULL"), nullable=True)
    )
    appellant_id: str = _user(nullable=False, index=True)
    grounds: AppealGrounds = Field(sa_column=Column(String(30), nullable=False))
    statement: str = Field(max_length=10_000)
    status: AppealStatus = Field(sa_column=Column(String(20), nullable=False, index=True))
    filed_at: datetime = Field(sa_type=UTCDateTime)
    # the decision appealed, as it stood when the appeal was filed
    decision_by: str | None = _user(nullable=True)
    decision_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, max_length=4000)
    appeal_until: datetime = Field(sa_type=UTCDateTime)
    reviewer_id: str | None = _user(nullable=True, index=True)
    assigned_by: str | None = _user(nullable=True)
    assigned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: AppealStatus | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    reason: str | None = Field(default=None, max_length=4000)
    remedy: Remedy | None = Field(default=None, sa_column=Column(String(20), nullable=True))
    remedy_detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = _user(nullable=True)
