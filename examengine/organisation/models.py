"""The organisation running the engine: one row of identity, and the images it shows (logo, signature)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, LargeBinary, String
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime

THE_ROW = 1
DEFAULT_NAME = "examengine"
DEFAULT_ACCENT = "#0b57a4"


class Organisation(SQLModel, table=True):
    """The one row (id 1) of the organisation's identity; absent until an admin first saves it."""

    __tablename__ = "organisation"

    id: int = Field(default=THE_ROW, primary_key=True)
    name: str = Field(default=DEFAULT_NAME, max_length=120)
    contact_email: str = Field(default="", max_length=254)
    accent_colour: str = Field(default=DEFAULT_ACCENT, max_length=7)
    time_zone: str = Field(default="UTC", max_length=64)
    signatory_name: str = Field(default="", max_length=120)
    signatory_title: str = Field(default="", max_length=120)
    logo_sha256: str | None = Field(default=None, max_length=64)
    signature_sha256: str | None = Field(default=None, max_length=64)
    version: int = Field(default=0)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_by: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )


class OrganisationImage(SQLModel, table=True):
    """A logo or signature image, stored once under the SHA-256 of its bytes (as item media are)."""

    __tablename__ = "organisation_image"

    sha256: str = Field(primary_key=True, max_length=64)
    content_type: str = Field(max_length=40)
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
