"""Request and response bodies of the sitting operations added with "Running the program" (API.md): changing,
cancelling, enrolling and listing sittings."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, model_validator
from pydantic.json_schema import SkipJsonSchema

from examengine.api.schemas import NO_NUL, IdText, SittingCandidateIn, SittingIn, SittingOut, Strict

Capacity = Field(default=None, ge=1, le=100_000, description="seats: enrolment stops here; null: no limit")
Zone = Field(default="UTC", min_length=1, max_length=64, pattern=NO_NUL, description="IANA zone, e.g. Europe/Paris")
Status = Literal["scheduled", "open", "closed", "cancelled"]


class NewSittingIn(SittingIn):
    capacity: int | None = Capacity
    time_zone: str = Zone
    bookable: bool = Field(default=False, description="candidates with an authorization to test may book a seat")
    booking_closes_at: AwareDatetime | None = Field(default=None, description="booking cut-off; null: the opening")
    cancel_closes_at: AwareDatetime | None = Field(default=None, description="cancellation cut-off; null: the opening")


class SittingStateOut(SittingOut):
    status: Status
    capacity: int | None
    time_zone: str
    cancelled_at: datetime | None
    cancel_reason: str
    bookable: bool
    booking_closes_at: datetime | None
    cancel_closes_at: datetime | None


class SittingPatchIn(Strict):
    """Only the fields given change; `capacity: null` removes the limit."""

    opens_at: AwareDatetime | SkipJsonSchema[None] = None
    closes_at: AwareDatetime | SkipJsonSchema[None] = None
    proctor_ids: list[IdText] | SkipJsonSchema[None] = Field(default=None, max_length=100)
    capacity: int | None = Capacity
    # The constraints sit on the str itself: on `str | SkipJsonSchema[None]` pydantic leaves the pattern out of the
    # document, so a generated "valid" body could hold the NUL the pattern refuses.
    time_zone: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)] | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def _only_capacity_may_be_null(self) -> SittingPatchIn:
        nulls = sorted(n for n in self.model_fields_set - {"capacity"} if getattr(self, n) is None)
        if nulls:
            raise ValueError(f"{', '.join(nulls)} cannot be null: leave out what does not change")
        return self

    def changes(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class CancelIn(Strict):
    reason: str = Field(min_length=1, max_length=1000, pattern=NO_NUL)


class CancelledOut(BaseModel):
    sitting_id: str
    status: Status


class EnrolIn(SittingCandidateIn):
    pass


class EnrolledCandidateOut(BaseModel):
    sitting_id: str
    user_id: str
    time_multiplier: float
    extra_minutes: int
    enrolled: int  # candidates now enrolled in the sitting
    capacity: int | None


class RemovedOut(BaseModel):
    sitting_id: str
    user_id: str
    enrolled: int


class SittingRowOut(BaseModel):
    sitting_id: str
    title: str
    opens_at: datetime
    closes_at: datetime
    status: Status
    time_zone: str
    capacity: int | None
    enrolled: int


class SittingListOut(BaseModel):
    items: list[SittingRowOut]
    next_cursor: str | None


class SittingListQuery(Strict):
    cursor: str | None = Field(default=None, max_length=32, pattern=r"^[0-9a-f]{1,32}$")
    limit: int = Field(default=50, ge=1, le=200)
