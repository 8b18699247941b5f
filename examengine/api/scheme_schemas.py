"""Request and response bodies of the scheme operations (API.md "Schemes (admin)")."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool

from examengine.api.schemas import NO_NUL, IdText, Strict
from examengine.programs import scheme_rules as rules

Kind = Literal["certification", "assessment_based_certificate", "certificate_of_attendance"]
Period = Field(default=None, min_length=2, max_length=40, description="ISO 8601 duration, e.g. P3Y, P90D, PT30S")
Code = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
SOME_TEXT = r"^[^\x00]*[^\x00\s][^\x00]*$"  # not only spaces
Title = Field(min_length=1, max_length=300, pattern=SOME_TEXT)


class RequirementIn(Strict):
    code: str = Code
    title: str = Title
    evidence: Literal["file", "attestation"]


class PathwayIn(Strict):
    code: str = Code
    title: str = Title
    requirements: list[RequirementIn] = Field(default_factory=list, max_length=50)


class CourseIn(Strict):
    title: str = Title
    url: str | None = Field(default=None, max_length=2000, description="http or https")


class RecertificationIn(Strict):
    by_exam: StrictBool = True
    ce_credits: int | float = Field(default=0, ge=0, le=10_000)
    ce_categories: dict[str, int | float] = Field(default_factory=dict, max_length=50)


class HandbookIn(Strict):
    version: str = Field(min_length=1, max_length=40, pattern=SOME_TEXT)
    text: str = Field(min_length=1, max_length=rules.MAX_HANDBOOK, pattern=SOME_TEXT)

    def value(self) -> rules.Handbook:
        return rules.Handbook(self.version, self.text)


class SchemeIn(Strict):
    """`cycle` is required for a certification; an assessment-based certificate may carry one as a term (no
    recertification); a certificate of attendance has no exams, pathways or cycle."""

    code: str = Code
    title: str = Title
    kind: Kind
    exam_ids: list[IdText] = Field(default_factory=list, max_length=50)
    designation: str | None = Field(default=None, max_length=40, pattern=NO_NUL)
    course: CourseIn | None = None
    pathways: list[PathwayIn] = Field(default_factory=list, max_length=20)
    authorization_period: str | None = Period
    attempts_per_authorization: int = Field(default=1, ge=1, le=rules.MAX_ATTEMPTS)
    cycle: str | None = Period
    grace_period: str | None = Period
    reinstatement_period: str | None = Period
    recertification: RecertificationIn | None = None
    appeal_period: str = Field(default="P30D", min_length=2, max_length=40)
    handbook: HandbookIn

    def value(self) -> rules.SchemeInput:
        recert = self.recertification
        return rules.SchemeInput(
            code=self.code,
            title=self.title,
            kind=self.kind,
            handbook=self.handbook.value(),
            exam_ids=tuple(self.exam_ids),
            designation=self.designation,
            course=rules.Course(self.course.title, self.course.url) if self.course else None,
            pathways=tuple(
                rules.Pathway(
                    p.code, p.title, tuple(rules.Requirement(r.code, r.title, r.evidence) for r in p.requirements)
                )
                for p in self.pathways
            ),
            authorization_period=self.authorization_period,
            attempts_per_authorization=self.attempts_per_authorization,
            cycle=self.cycle,
            grace_period=self.grace_period,
            reinstatement_period=self.reinstatement_period,
            recertification=rules.Recertification(recert.by_exam, recert.ce_credits, recert.ce_categories)
            if recert
            else None,
            appeal_period=self.appeal_period,
        )


class SchemeCreated(BaseModel):
    scheme_id: str
    code: str


class SchemeRowOut(BaseModel):
    scheme_id: str
    code: str
    title: str
    kind: Kind
    designation: str | None


class SchemeListOut(BaseModel):
    items: list[SchemeRowOut]
    next_cursor: str | None


class SchemeListQuery(Strict):
    cursor: str | None = Field(default=None, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    limit: int = Field(default=50, ge=1, le=200)


class HandbookOut(BaseModel):
    version: str
    text: str
    published_at: datetime


class HandbookVersionOut(BaseModel):
    version: str
    published_at: datetime


class SchemeOut(BaseModel):
    scheme_id: str
    code: str
    title: str
    kind: Kind
    designation: str | None
    course: dict[str, Any] | None
    pathways: list[dict[str, Any]]
    authorization_period: str | None
    attempts_per_authorization: int
    cycle: str | None
    grace_period: str | None
    reinstatement_period: str | None
    recertification: dict[str, Any] | None
    appeal_period: str
    exam_ids: list[str]
    handbook: HandbookOut | None  # the current version: what applicants acknowledge
    handbook_versions: list[HandbookVersionOut]  # newest first
