"""A seat booked in a sitting under an authorization to test (API.md "Seats").

A booking's stored status is what a person did (confirmed, cancelled); whether a confirmed booking is still live,
was sat or was a no-show follows from its sitting's close and the candidate's attempts, at read time
(programs.authorizations)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime
from examengine.ids import new_id


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


class Booking(SQLModel, table=True):
    __tablename__ = "booking"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    authorization_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("test_authorization.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    sitting_id: str = Field(
        sa_column=Column(String(32), ForeignKey("sitting.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: str = Field(
        sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    status: BookingStatus = Field(sa_column=Column(String(20), nullable=False))
    created_at: datetime = Field(sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
