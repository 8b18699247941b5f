"""Request and response bodies of the appeal operations (API.md "Score reports, incidents, appeals")."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from examengine.api.schemas import NO_NUL, Strict
from examengine.programs.appeal_reads import AppealView

SubjectType = Literal["application", "accommodation", "result", "credential"]
Grounds = Literal["procedural_error", "new_evidence", "scoring_error", "other"]
RemedyName = Literal["rescore", "retest", "reinstate", "reconsider"]


class AppealIn(Strict):
    subject_type: SubjectType
    subject_id: str = Field(
        min_length=1,
        max_length=60,
        pattern=NO_NUL,
        description="application, request or attempt id, or credential number",
    )
    grounds: Grounds
    statement: str = Field(default="", max_length=10_000, description="required: 422 statement_required when blank")


class AppealFiled(BaseModel):
    appeal_id: str
    status: Literal["filed"]


class AssignIn(Strict):
    reviewer_id: str = Field(min_length=1, max_length=32, pattern=NO_NUL)


class DecisionIn(Strict):
    outcome: Literal["upheld", "denied"]
    reason: str = Field(default="", max_length=4000, description="required for either outcome: 422 reason_required")
    remedy: RemedyName | None = None


class AppealedDecisionOut(BaseModel):
    description: str
    decided_at: datetime | None
    reason: str | None
    appeal_until: datetime


class AppealOut(BaseModel):
    appeal_id: str
    subject_type: SubjectType
    subject_id: str
    scheme: str
    appellant_id: str
    appellant_name: str
    grounds: Grounds
    statement: str
    status: Literal["filed", "assigned", "upheld", "denied"]
    filed_at: datetime
    decision: AppealedDecisionOut
    reviewer_id: str | None
    assigned_at: datetime | None
    outcome: Literal["upheld", "denied"] | None
    reason: str | None
    remedy: RemedyName | None
    remedy_detail: dict[str, Any]
    decided_at: datetime | None


class AppealListQuery(Strict):
    mine: bool = False
    status: Literal["filed", "assigned", "upheld", "denied"] | None = None
    cursor: str | None = Field(default=None, max_length=49, pattern=r"^[0-9]{1,16}-[0-9a-f]{32}$")
    limit: int = Field(default=50, ge=1, le=200)


class AppealListOut(BaseModel):
    items: list[AppealOut]
    next_cursor: str | None


class SummaryQuery(Strict):
    from_: date | None = Field(default=None, alias="from", description="first day of filing counted (UTC)")
    to: date | None = Field(default=None, description="last day of filing counted (UTC), inclusive")


class SummaryOut(BaseModel):
    filed: int
    by_subject_type: dict[str, int]
    by_outcome: dict[str, int]
    open: int
    median_days_to_decision: float | None
    mean_days_to_decision: float | None


def appeal_out(view: AppealView) -> AppealOut:
    a = view.appeal
    return AppealOut(
        appeal_id=a.id,
        subject_type=str(a.subject_type),
        subject_id=a.subject_id,
        scheme=view.scheme_title,
        appellant_id=a.appellant_id,
        appellant_name=view.appellant_name,
        grounds=str(a.grounds),
        statement=a.statement,
        status=str(a.status),
        filed_at=a.filed_at,
        decision=AppealedDecisionOut(
            description=view.decision.description if view.decision else f"{a.subject_type} {a.subject_id}",
            decided_at=a.decision_at,
            reason=a.decision_reason,
            appeal_until=a.appeal_until,
        ),
        reviewer_id=a.reviewer_id,
        assigned_at=a.assigned_at,
        outcome=str(a.outcome) if a.outcome else None,
        reason=a.reason,
        remedy=str(a.remedy) if a.remedy else None,
        remedy_detail=a.remedy_detail,
        decided_at=a.decided_at,
    )
