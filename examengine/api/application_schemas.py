"""Request and response bodies of eligibility applications (API.md "Applications and authorization to test")."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from examengine.api.schemas import NO_NUL, Strict
from examengine.programs.application_views import ApplicationRow, ApplicationView
from examengine.programs.models import ApplicationStatus, EvidenceFile

ApplicationStatusText = Literal["draft", "submitted", "info_requested", "approved", "denied", "withdrawn"]
Code = Field(min_length=1, max_length=40, pattern=NO_NUL)


class ApplyIn(Strict):
    pathway: str = Code


class ApplicationCreatedOut(BaseModel):
    application_id: str
    status: ApplicationStatusText


class AttestIn(Strict):
    requirement: str = Code
    attestation: Literal[True] = Field(description="true: the applicant attests to the requirement")


class EvidenceForm(BaseModel):
    requirement: str = Field(description="the code of a requirement of the application's pathway")
    file: bytes = Field(description="a PDF, PNG or JPEG file (recognised by its bytes), at most 10 MiB")


class EvidenceOut(BaseModel):
    evidence_id: str
    requirement: str | None
    attestation: bool
    filename: str = Field(description="empty for an attestation")
    content_type: str = Field(description="empty for an attestation")
    size: int
    sha256: str
    uploaded_at: datetime
    url: str | None = Field(description="where the file is downloaded (null for an attestation)")


class SubmitIn(Strict):
    handbook_version: str = Field(min_length=1, max_length=40, pattern=NO_NUL)


class StatusOut(BaseModel):
    application_id: str
    status: ApplicationStatusText


class DecisionIn(Strict):
    decision: Literal["approve", "deny", "request_info"]
    reason: str | None = Field(default=None, max_length=4000, description="required to deny or request information")


class DecisionOut(BaseModel):
    decision: Literal["approve", "deny", "request_info"]
    reason: str | None
    decided_at: datetime
    appeal_until: datetime | None = Field(default=None, description="set by a denial: appeals are filed before it")


class ApplicationOut(BaseModel):
    application_id: str
    scheme: str = Field(description="the scheme's code")
    pathway: str
    status: ApplicationStatusText
    applicant_id: str
    created_at: datetime
    submitted_at: datetime | None
    handbook_version: str | None = Field(description="the version acknowledged at the last submission")
    current_handbook_version: str | None
    missing_requirements: list[str]
    evidence: list[EvidenceOut]
    decision: DecisionOut | None = None
    authorization_id: str | None = None


class ApplicationListQuery(Strict):
    status: ApplicationStatusText | None = None
    scheme: str | None = Field(default=None, max_length=40, pattern=NO_NUL)
    mine: bool = False
    cursor: str | None = Field(default=None, max_length=32)
    limit: int = Field(default=50, ge=1, le=200)


class ApplicationRowOut(BaseModel):
    application_id: str
    scheme: str
    pathway: str
    status: ApplicationStatusText
    applicant_name: str
    created_at: datetime
    submitted_at: datetime | None


class ApplicationListOut(BaseModel):
    items: list[ApplicationRowOut]
    next_cursor: str | None


def evidence_out(evidence: EvidenceFile) -> EvidenceOut:
    url = None if evidence.attestation else f"/api/v1/applications/{evidence.subject_id}/evidence/{evidence.id}"
    return EvidenceOut(
        evidence_id=evidence.id,
        requirement=evidence.requirement,
        attestation=evidence.attestation,
        filename=evidence.filename,
        content_type=evidence.content_type,
        size=evidence.size,
        sha256=evidence.sha256,
        uploaded_at=evidence.uploaded_at,
        url=url,
    )


def application_out(view: ApplicationView) -> ApplicationOut:
    application = view.application
    decision = view.decision
    return ApplicationOut(
        application_id=application.id,
        scheme=view.scheme.code,
        pathway=application.pathway,
        status=ApplicationStatus(application.status).value,
        applicant_id=application.user_id,
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        handbook_version=application.handbook_version,
        current_handbook_version=view.handbook_version,
        missing_requirements=list(view.missing),
        evidence=[evidence_out(e) for e in view.evidence],
        decision=DecisionOut(
            decision=decision.decision,
            reason=decision.reason,
            decided_at=decision.decided_at,
            appeal_until=decision.appeal_until,
        )
        if decision
        else None,
        authorization_id=view.authorization.id if view.authorization else None,
    )


def row_out(row: ApplicationRow) -> ApplicationRowOut:
    return ApplicationRowOut(
        application_id=row.application_id,
        scheme=row.scheme_code,
        pathway=row.pathway,
        status=row.status.value,
        applicant_name=row.applicant_name,
        created_at=row.created_at,
        submitted_at=row.submitted_at,
    )
