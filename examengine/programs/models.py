"""The tables of credential programs (API.md "Credential programs"): schemes and their exams and handbooks,
eligibility applications, authorizations to test, accommodation requests, and the credentials a scheme awards
with the events of their lives.

Statuses that follow time (an authorization expiring, a certification in grace or lapsed) are never stored: each is
a function of the facts below and `now`, computed at read time. Stored statuses are the ones a person's action sets
(an application submitted or decided). Durations are kept as the ISO 8601 text the admin wrote
(programs.durations reads them), so a "P3Y" cycle stays calendar years.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime
from examengine.ids import new_id


def _user(*, nullable: bool = False, index: bool = True) -> Any:
    return Field(
        default=None if nullable else ...,
        sa_column=Column(
            String(32),
            ForeignKey("app_user.id", ondelete="SET NULL" if nullable else "CASCADE"),
            nullable=nullable,
            index=index,
        ),
    )


def _scheme() -> Any:
    return Field(sa_column=Column(String(32), ForeignKey("scheme.id", ondelete="CASCADE"), nullable=False, index=True))


class SchemeKind(StrEnum):
    CERTIFICATION = "certification"
    ASSESSMENT_BASED_CERTIFICATE = "assessment_based_certificate"
    CERTIFICATE_OF_ATTENDANCE = "certificate_of_attendance"


class Scheme(SQLModel, table=True):
    __tablename__ = "scheme"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    code: str = Field(max_length=40, unique=True)
    title: str = Field(max_length=300)
    kind: SchemeKind = Field(sa_column=Column(String(40), nullable=False))
    designation: str | None = Field(default=None, max_length=40)  # the letters after a name, e.g. "CSP"
    course_title: str | None = Field(default=None, max_length=300)  # assessment-based certificate: what it assesses
    course_url: str | None = Field(default=None, max_length=2000)
    # [{code, title, requirements: [{code, title, evidence: "file"|"attestation"}]}]
    pathways: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    authorization_period: str | None = Field(default=None, max_length=40)
    attempts_per_authorization: int = 1
    cycle: str | None = Field(default=None, max_length=40)
    grace_period: str | None = Field(default=None, max_length=40)
    reinstatement_period: str | None = Field(default=None, max_length=40)
    # {by_exam: bool, ce_credits: number, ce_categories: {category: minimum credits}}
    recertification: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    appeal_period: str = Field(default="P30D", max_length=40)
    created_at: datetime = Field(sa_type=UTCDateTime)
    created_by: str | None = _user(nullable=True, index=False)


class SchemeExam(SQLModel, table=True):
    """An exam belongs to at most one scheme (the primary key on exam_id)."""

    __tablename__ = "scheme_exam"

    exam_id: str = Field(sa_column=Column(String(32), ForeignKey("exam.id", ondelete="CASCADE"), primary_key=True))
    scheme_id: str = _scheme()


class SchemeHandbook(SQLModel, table=True):
    """A version of the candidate handbook; the newest (by published_at) is the one applicants acknowledge."""

    __tablename__ = "scheme_handbook"

    scheme_id: str = Field(sa_column=Column(String(32), ForeignKey("scheme.id", ondelete="CASCADE"), primary_key=True))
    version: str = Field(sa_column=Column(String(40), primary_key=True))
    text: str = Field(max_length=200_000)
    published_at: datetime = Field(sa_type=UTCDateTime)
    published_by: str | None = _user(nullable=True, index=False)


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INFO_REQUESTED = "info_requested"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"


class Application(SQLModel, table=True):
    __tablename__ = "application"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    scheme_id: str = _scheme()
    user_id: str = _user()
    pathway: str = Field(max_length=40)
    status: ApplicationStatus = Field(sa_column=Column(String(20), nullable=False, index=True))
    created_at: datetime = Field(sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handbook_version: str | None = Field(default=None, max_length=40)  # acknowledged at submission
    decision_reason: str | None = Field(default=None, max_length=4000)
    decided_by: str | None = _user(nullable=True, index=False)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    appeal_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # set by a denial


class Authorization(SQLModel, table=True):
    """Authorization to test: the scheme's exams within [eligible_from, eligible_until), `attempts_allowed` attempts.
    Its status (issued, booked, consumed, expired, revoked) is computed from these facts, its bookings and the
    attempts started under it."""

    __tablename__ = "test_authorization"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    scheme_id: str = _scheme()
    user_id: str = _user()
    application_id: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("application.id", ondelete="SET NULL"), nullable=True)
    )
    appeal_id: str | None = Field(default=None, max_length=32)  # issued as an appeal's remedy (retest)
    eligible_from: datetime = Field(sa_type=UTCDateTime)
    eligible_until: datetime = Field(sa_type=UTCDateTime)
    attempts_allowed: int = 1
    issued_at: datetime = Field(sa_type=UTCDateTime)
    issued_by: str | None = _user(nullable=True, index=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=4000)


class AccommodationStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DENIED = "denied"


class AccommodationRequest(SQLModel, table=True):
    __tablename__ = "accommodation_request"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    scheme_id: str = _scheme()
    user_id: str = _user()
    # {time_multiplier?, extra_minutes?, other?}: what was asked, and (after approval) what was granted
    requested: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    approved: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    statement: str = Field(max_length=4000)
    status: AccommodationStatus = Field(sa_column=Column(String(20), nullable=False, index=True))
    created_at: datetime = Field(sa_type=UTCDateTime)
    decision_reason: str | None = Field(default=None, max_length=4000)
    decided_by: str | None = _user(nullable=True, index=False)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    appeal_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ProgramCredential(SQLModel, table=True):
    """A credential a scheme awarded: one per holder and scheme, its number kept for life (renewals and
    reinstatement move `cycle_starts`/`valid_until`, never the number). The status is computed from these dates,
    the scheme's periods and the credential's events (programs.credentials)."""

    __tablename__ = "program_credential"
    __table_args__ = (UniqueConstraint("scheme_id", "user_id", name="uq_program_credential_holder"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    number: str = Field(max_length=60, unique=True)  # e.g. SAFE-2026-000123: a code of up to 40, year, sequence
    scheme_id: str = _scheme()
    user_id: str = _user()
    attempt_id: str | None = Field(  # the passing attempt that earned it (None: a certificate of attendance)
        default=None, sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="SET NULL"), nullable=True)
    )
    holder_name: str = Field(max_length=200)  # as at award; the registry shows this
    granted_at: datetime = Field(sa_type=UTCDateTime)
    cycle_starts: datetime = Field(sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status_index: int = Field(sa_column=Column(Integer, nullable=False, unique=True))  # its bit in the status lists
    listed: bool = True  # found by name in the public registry (the holder may opt out; by number always)
    event: str | None = Field(default=None, max_length=300)  # certificate of attendance: the event attended
    suspended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class CredentialEventKind(StrEnum):
    AWARDED = "awarded"
    RENEWED = "renewed"
    SUSPENDED = "suspended"
    REINSTATED = "reinstated"
    REVOKED = "revoked"
    RESTORED = "restored"  # an upheld appeal undid a revocation


class CredentialEvent(SQLModel, table=True):
    __tablename__ = "credential_event"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    credential_id: str = Field(
        sa_column=Column(
            String(32), ForeignKey("program_credential.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    kind: CredentialEventKind = Field(sa_column=Column(String(20), nullable=False))
    at: datetime = Field(sa_type=UTCDateTime)
    actor_id: str | None = _user(nullable=True, index=False)
    reason: str | None = Field(default=None, max_length=4000)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class EvidenceSubject(StrEnum):
    APPLICATION = "application"
    ACCOMMODATION_REQUEST = "accommodation_request"


class EvidenceFile(SQLModel, table=True):
    """A file (or an attestation: no bytes) proving a requirement of an application, or supporting an accommodation
    request. Readable only by the person who gave it, eligibility reviewers and admins (programs.evidence)."""

    __tablename__ = "evidence_file"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    subject_type: EvidenceSubject = Field(sa_column=Column(String(30), nullable=False))
    subject_id: str = Field(max_length=32, index=True)
    requirement: str | None = Field(default=None, max_length=40)  # the pathway requirement it proves
    attestation: bool = False  # the candidate attested instead of uploading
    filename: str = Field(default="", max_length=300)
    content_type: str = Field(default="", max_length=100)
    size: int = 0
    sha256: str = Field(default="", max_length=64)
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    uploaded_by: str = _user(index=False)
    uploaded_at: datetime = Field(sa_type=UTCDateTime)


class IncidentDecisionKind(StrEnum):
    RELEASE = "release"
    INVALIDATE = "invalidate"


class IncidentDecision(SQLModel, table=True):
    """An admin's decision about a withheld result (a terminated attempt, or an incident reported with hold):
    release it, or invalidate it (it earns nothing; the appeal period opens)."""

    __tablename__ = "incident_decision"

    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), primary_key=True)
    )
    decision: IncidentDecisionKind = Field(sa_column=Column(String(20), nullable=False))
    reason: str = Field(max_length=4000)
    decided_by: str | None = _user(nullable=True, index=False)
    decided_at: datetime = Field(sa_type=UTCDateTime)
    appeal_until: datetime | None = Field(default=None, sa_type=UTCDateTime)  # set by an invalidation
