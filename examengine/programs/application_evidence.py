"""Reading one evidence file of an application: for its uploader, eligibility reviewers and admins, and only
through the application it belongs to (anyone else, or another application's id, is told it does not exist)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session

from examengine.errors import NotFound
from examengine.programs import evidence as evidence_files
from examengine.programs.applications import SUBJECT, visible_application
from examengine.programs.models import EvidenceFile


def application_evidence(
    *, session: Session, application_id: str, evidence_id: str, user_id: str, roles: Collection[str]
) -> EvidenceFile:
    visible_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    found = evidence_files.readable(session=session, evidence_id=evidence_id, user_id=user_id, roles=roles)
    if found.subject_type != SUBJECT or found.subject_id != application_id:
        raise NotFound("No such evidence file.", code="evidence_not_found")
    return found
