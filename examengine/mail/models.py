from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime
from examengine.ids import new_id


class OutboxMail(SQLModel, table=True):
    """A mail written in the unit of work that needed it and sent afterwards (and retried) from here. Its bodies are
    blanked once it is sent or given up: a link it carried lives on only as the hash its service stores."""

    __tablename__ = "mail_outbox"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    recipient: str = Field(max_length=320)
    subject: str = Field(max_length=300)
    text_body: str = Field(sa_column=Column(Text, nullable=False))
    html_body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # given up after the last retry
    last_error: str | None = Field(default=None, max_length=500)
