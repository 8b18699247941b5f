"""Request and response bodies of authorizations to test and seat bookings (API.md "Credential programs")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, RootModel

from examengine.api.schemas import IdText, Strict

AuthorizationStatusText = Literal["issued", "booked", "consumed", "expired", "revoked"]


class AuthorizationListQuery(Strict):
    mine: bool | None = None
    user_id: IdText | None = None
    cursor: str | None = Field(default=None, max_length=32, pattern=r"^[0-9a-f]{1,32}$")
    limit: int = Field(default=50, ge=1, le=200)


class AuthorizationOut(BaseModel):
    authorization_id: str
    scheme: str
    exam_ids: list[str]
    eligible_from: datetime
    eligible_until: datetime
    attempts_allowed: int
    attempts_used: int
    status: AuthorizationStatusText


class AuthorizationListOut(BaseModel):
    items: list[AuthorizationOut]
    next_cursor: str | None


class BookableSittingOut(BaseModel):
    sitting_id: str
    opens_at: datetime
    closes_at: datetime
    seats_left: int | None  # null: no capacity set


class BookableSittingsOut(RootModel[list[BookableSittingOut]]):
    pass


class BookingIn(Strict):
    authorization_id: IdText
    sitting_id: IdText


class BookingOut(BaseModel):
    booking_id: str
    status: Literal["confirmed"]


class BookingCancelledOut(BaseModel):
    booking_id: str
    status: Literal["cancelled"]
