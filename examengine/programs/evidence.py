"""Evidence files of applications and accommodation requests: what is accepted, and who may read it.

A file is accepted when its bytes say it is a PDF, PNG or JPEG (the name and the browser's content type are not
trusted) and it is at most MAX_BYTES. Evidence is private to the person who gave it, eligibility reviewers and
admins: nobody else learns that it exists (NotFound, not Forbidden).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime

from sqlmodel import Session, col, select

from examengine.accounts.models import Role
from examengine.errors import InvalidInput, NotFound, TooLarge, UnsupportedMediaType
from examengine.programs.models import EvidenceFile, EvidenceSubject

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
REVIEWERS = frozenset({Role.ELIGIBILITY_REVIEWER, Role.ADMIN})


def content_type_of(data: bytes) -> str:
    """The type the bytes are; raises UnsupportedMediaType (`evidence_type`) or TooLarge (`evidence_too_large`)."""
    if len(data) > MAX_BYTES:
        raise TooLarge(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; evidence files may be at most "
            f"{MAX_BYTES // 1024 // 1024} MB.",
            code="evidence_too_large",
        )
    if not data:
        raise InvalidInput("The file is empty; choose the PDF, PNG or JPEG file to upload.", code="evidence_empty")
    kind = next((kind for magic, kind in SIGNATURES.items() if data.startswith(magic)), None)
    if kind is None:
        raise UnsupportedMediaType(
            "Evidence must be a PDF, PNG or JPEG file; this file is none of them.", code="evidence_type"
        )
    return kind


def store_file(
    *,
    session: Session,
    subject_type: EvidenceSubject,
    subject_id: str,
    requirement: str | None,
    filename: str,
    data: bytes,
    uploaded_by: str,
    now: datetime,
) -> EvidenceFile:
    """Keep an uploaded file as evidence (checked with content_type_of). The caller has checked that the subject
    takes evidence now (its owner, not yet submitted)."""
    evidence = EvidenceFile(
        subject_type=subject_type,
        subject_id=subject_id,
        requirement=requirement,
        filename=filename.replace("\\", "/").rsplit("/", 1)[-1][:300] or "evidence",
        content_type=content_type_of(data),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        data=data,
        uploaded_by=uploaded_by,
        uploaded_at=now,
    )
    session.add(evidence)
    session.flush()
    return evidence


def store_attestation(
    *,
    session: Session,
    subject_type: EvidenceSubject,
    subject_id: str,
    requirement: str,
    uploaded_by: str,
    now: datetime,
) -> EvidenceFile:
    evidence = EvidenceFile(
        subject_type=subject_type,
        subject_id=subject_id,
        requirement=requirement,
        attestation=True,
        uploaded_by=uploaded_by,
        uploaded_at=now,
    )
    session.add(evidence)
    session.flush()
    return evidence


def listed(*, session: Session, subject_type: EvidenceSubject, subject_id: str) -> list[EvidenceFile]:
    """The subject's evidence, oldest first (the caller has checked the reader may see the subject)."""
    return list(
        session.exec(
            select(EvidenceFile)
            .where(col(EvidenceFile.subject_type) == subject_type, col(EvidenceFile.subject_id) == subject_id)
            .order_by(col(EvidenceFile.uploaded_at), col(EvidenceFile.id))
        ).all()
    )


def may_read(evidence: EvidenceFile, *, user_id: str, roles: Collection[str]) -> bool:
    return evidence.uploaded_by == user_id or any(role in REVIEWERS for role in roles)


def readable(*, session: Session, evidence_id: str, user_id: str, roles: Collection[str]) -> EvidenceFile:
    """The evidence file, for its uploader, eligibility reviewers and admins; NotFound for anyone else."""
    evidence = session.get(EvidenceFile, evidence_id) if len(evidence_id) <= 32 else None
    if evidence is None or evidence.data is None or not may_read(evidence, user_id=user_id, roles=roles):
        raise NotFound("No such evidence file.", code="evidence_not_found")
    return evidence
