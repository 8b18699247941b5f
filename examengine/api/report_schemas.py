"""The JSON bodies of official score reports and incident decisions (API.md "Score reports, incidents, appeals")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from examengine.api.schemas import Strict


class ReportExamOut(BaseModel):
    exam_id: str
    code: str
    title: str


class ReportDomainOut(BaseModel):
    name: str  # as the blueprint names the domain, never its code
    items: int
    performance: Literal["below", "near", "at_or_above", "insufficient_items"]


class ReportScaleOut(BaseModel):
    min: float
    max: float


class ScoreReportOut(BaseModel):
    """An official score report: the same figures as the printable page. `domains` is empty for a pass (the
    diagnostics are for failing candidates); `minimum_items` is the fewest items a domain is judged on."""

    report_id: str
    version: int
    exam: ReportExamOut
    candidate_name: str
    taken_at: datetime
    passed: bool
    scaled_score: int | None = None
    percent: float
    passing_score: float | None = None
    passing_on: Literal["scaled", "percent", "raw"] | None = None
    scale: ReportScaleOut | None = None
    minimum_items: int
    domains: list[ReportDomainOut]
    issued_at: datetime


class IncidentDecisionIn(Strict):
    """`release`: the result follows the exam's normal release rule; `invalidate`: the attempt earns nothing (its
    certificate and credential are revoked) and the appeal period opens. The reason is required."""

    decision: Literal["release", "invalidate"]
    reason: str = Field(default="", max_length=2000)


class IncidentDecisionOut(BaseModel):
    attempt_id: str
    decision: Literal["release", "invalidate"]
    reason: str
    decided_by: str | None
    decided_at: datetime
    appeal_until: datetime | None = None
    revoked_certificate: str | None = None
    revoked_credential: str | None = None
