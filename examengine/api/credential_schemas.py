"""Request and response bodies of the credential operations (API.md "Credentials")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from examengine.api.schemas import NO_NUL, IdText, Strict

Kind = Literal["certification", "assessment_based_certificate", "certificate_of_attendance"]
Status = Literal["active", "grace", "lapsed", "suspended", "revoked"]


class HolderOut(BaseModel):
    user_id: str
    name: str


class CredentialOut(BaseModel):
    number: str
    scheme: str = Field(description="the scheme's code")
    scheme_title: str
    kind: Kind
    holder: HolderOut
    status: Status
    granted_at: datetime
    cycle_starts: datetime | None = Field(default=None, description="certifications: the current cycle's start")
    valid_until: datetime | None = None
    grace_until: datetime | None = Field(default=None, description="the end of grace: the credential lapses then")
    attempt_id: str | None = Field(default=None, description="the passing attempt that earned it")
    event: str | None = Field(default=None, description="a certificate of attendance: the event attended")
    attended_on: date | None = None


class CredentialListOut(BaseModel):
    items: list[CredentialOut]
    next_cursor: str | None


class CredentialListQuery(Strict):
    mine: bool = False
    user_id: str | None = Field(default=None, max_length=32, pattern=r"^[0-9a-f]{1,32}$")
    cursor: str | None = Field(default=None, max_length=40, pattern=NO_NUL)
    limit: int = Field(default=50, ge=1, le=200)


class CeIn(Strict):
    title: str = Field(max_length=300, pattern=NO_NUL)
    provider: str = Field(max_length=300, pattern=NO_NUL)
    category: str | None = Field(default=None, max_length=60, pattern=NO_NUL)
    credits: float = Field(gt=0, le=1000)
    completed_on: date = Field(description="a UTC date; counts toward the cycle whose dates hold it, inclusive")


class CeOut(BaseModel):
    activity_id: str
    title: str
    provider: str
    category: str | None
    credits: float
    completed_on: date
    recorded_at: datetime


class ShortfallOut(BaseModel):
    total: float
    by_category: dict[str, float] = Field(description="the categories still short, by how much")


class CycleOut(BaseModel):
    starts: datetime
    ends: datetime | None
    credits_required: float
    credits_earned: float
    by_category: dict[str, float] = Field(description="credits earned in the cycle per category")
    shortfall: ShortfallOut


class ReasonIn(Strict):
    reason: str = Field(default="", max_length=4000, pattern=NO_NUL)


class AttendanceIn(Strict):
    user_ids: list[IdText] = Field(min_length=1, max_length=1000)
    event: str = Field(max_length=300, pattern=NO_NUL)
    attended_on: date


class AttendanceOut(BaseModel):
    items: list[CredentialOut]
