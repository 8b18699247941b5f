"""Issued certificates: one per passing attempt, with what it certifies copied at issue.

The holder's name, the credential's title and the issuer's name are copied when the certificate is issued, so a
later edit of the user, a new exam version or a renamed organisation never changes what a printed certificate and
its verification page say.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from examengine.db import UTCDateTime, table_of
from examengine.ids import new_id


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Certificate(SQLModel, table=True):
    __tablename__ = "certificate"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    code: str = Field(max_length=16, unique=True)  # Crockford base32 without dashes (see certificates.codes)
    attempt_id: str = Field(
        sa_column=Column(String(32), ForeignKey("attempt.id", ondelete="CASCADE"), nullable=False, unique=True)
    )
    user_id: str = Field(sa_column=Column(String(32), ForeignKey("app_user.id"), nullable=False, index=True))
    exam_id: str = Field(sa_column=Column(String(32), ForeignKey("exam.id"), nullable=False, index=True))
    exam_version: int
    exam_code: str = Field(max_length=40)
    credential: str = Field(max_length=300)  # the exam version's title at issue
    holder_name: str = Field(max_length=200)  # the candidate's name at issue
    issuer_name: str | None = Field(default=None, max_length=120)  # the organisation's name at issue (None: before)
    issued_at: datetime = Field(sa_type=UTCDateTime)  # the moment the passing result became visible
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_by: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"))
    )
    revoked_reason: str | None = Field(default=None, max_length=1000)

    def status_at(self, now: datetime) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.expires_at is not None and self.expires_at <= now:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID


CERTIFICATE_TABLE = table_of(Certificate)
