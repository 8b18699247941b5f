"""Request and response bodies of accommodation requests (API.md "Accommodation requests"). The ranges, the
required statement and the reason of a denial are checked by the service (programs.accommodation_terms), so that
the pages and the API refuse with the same codes and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from pydantic.json_schema import SkipJsonSchema

from examengine.api.schemas import NO_NUL, Strict
from examengine.programs.accommodation_terms import Terms
from examengine.programs.accommodations import RequestView


class TermsIn(Strict):
    time_multiplier: float | SkipJsonSchema[None] = Field(default=None, description="1.0 to 4.0: 1.5 is half again")
    extra_minutes: int | SkipJsonSchema[None] = Field(default=None, description="0 to 600")
    other: Annotated[str, Field(max_length=5000, pattern=NO_NUL)] | SkipJsonSchema[None] = Field(
        default=None, description="in words"
    )

    def terms(self) -> Terms:
        return Terms(self.time_multiplier, self.extra_minutes, self.other)


class AccommodationRequestIn(Strict):
    scheme: str = Field(min_length=1, max_length=40, pattern=NO_NUL, description="the scheme's code")
    requested: TermsIn
    statement: Annotated[str, Field(max_length=10_000, pattern=NO_NUL)] | SkipJsonSchema[None] = None


class AccommodationCreatedOut(BaseModel):
    request_id: str
    status: Literal["submitted"]


class AccommodationDecisionIn(Strict):
    decision: str = Field(max_length=20, description="approve or deny")
    approved: TermsIn | SkipJsonSchema[None] = Field(
        default=None, description="what is granted (never more than asked); absent: what was asked"
    )
    reason: Annotated[str, Field(max_length=10_000, pattern=NO_NUL)] | SkipJsonSchema[None] = None


class AccommodationListQuery(Strict):
    mine: bool = False
    status: Literal["submitted", "approved", "denied"] | None = None
    scheme: str | None = Field(default=None, max_length=40)
    cursor: str | None = Field(default=None, max_length=32, pattern=r"^[0-9a-f]{1,32}$")
    limit: int = Field(default=50, ge=1, le=200)


class TermsOut(BaseModel):
    time_multiplier: float
    extra_minutes: int
    other: str | None


class EvidenceOut(BaseModel):
    evidence_id: str
    filename: str
    content_type: str
    size: int
    uploaded_at: datetime


class DecisionOut(BaseModel):
    decision: Literal["approve", "deny"]
    reason: str | None
    decided_at: datetime
    appeal_until: datetime | None


class AccommodationOut(BaseModel):
    request_id: str
    scheme: str
    user_id: str
    candidate_name: str
    status: Literal["submitted", "approved", "denied"]
    requested: TermsOut
    approved: TermsOut | None
    statement: str
    created_at: datetime
    evidence: list[EvidenceOut]
    decision: DecisionOut | None


class AccommodationListOut(BaseModel):
    items: list[AccommodationOut]
    next_cursor: str | None


class EvidenceForm(BaseModel):
    file: bytes = Field(description="a PDF, PNG or JPEG file of at most 10 MiB")


def terms_out(terms: Terms) -> TermsOut:
    return TermsOut(time_multiplier=terms.multiplier, extra_minutes=terms.minutes, other=terms.other)


def accommodation_out(view: RequestView) -> AccommodationOut:
    decision = None
    if view.decided_at is not None:
        decision = DecisionOut(
            decision="approve" if view.status == "approved" else "deny",
            reason=view.decision_reason,
            decided_at=view.decided_at,
            appeal_until=view.appeal_until,
        )
    return AccommodationOut(
        request_id=view.request_id,
        scheme=view.scheme,
        user_id=view.user_id,
        candidate_name=view.candidate_name,
        status=view.status.value,
        requested=terms_out(view.requested),
        approved=None if view.approved is None else terms_out(view.approved),
        statement=view.statement,
        created_at=view.created_at,
        evidence=[EvidenceOut(**e.__dict__) for e in view.evidence],
        decision=decision,
    )
