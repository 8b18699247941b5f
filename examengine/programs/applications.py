"""Eligibility applications, the applicant's side: apply under a pathway of a scheme, give evidence for its
requirements (a file or an attestation), acknowledge the current handbook and submit, or withdraw before a decision.

Who may see an application is decided here for both doors: its applicant, eligibility reviewers and admins; anyone
else is told it does not exist. Only the applicant changes it (reviewers decide it: programs.application_decisions).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from examengine.programs import evidence as evidence_files
from examengine.programs.application_states import TAKES_EVIDENCE, move
from examengine.programs.models import (
    Application,
    ApplicationStatus,
    EvidenceFile,
    EvidenceSubject,
    Scheme,
)
from examengine.programs.schemes import current_handbook, scheme_by_code

SUBJECT = EvidenceSubject.APPLICATION


def pathway_of(scheme: Scheme, code: str) -> dict[str, Any] | None:
    return next((p for p in scheme.pathways if p.get("code") == code), None)


def requirements_of(scheme: Scheme, pathway: str) -> list[dict[str, Any]]:
    found = pathway_of(scheme, pathway)
    return list(found.get("requirements", [])) if found else []


def create_application(*, session: Session, scheme_code: str, pathway: str, user_id: str, now: datetime) -> Application:
    """A draft application of `user_id` under `pathway` of the scheme. NotFound `scheme_not_found`; Conflict
    `scheme_takes_no_applications` for a scheme without pathways (a certificate of attendance); InvalidInput
    `unknown_pathway` (details.pathways: the scheme's) for a pathway it does not have."""
    scheme = scheme_by_code(session=session, code=scheme_code)
    if not scheme.pathways:
        raise Conflict(
            f"{scheme.title} takes no applications: it has no eligibility pathways.",
            code="scheme_takes_no_applications",
        )
    if pathway_of(scheme, pathway) is None:
        codes = [str(p.get("code")) for p in scheme.pathways]
        raise InvalidInput(
            f"{scheme.title} has no pathway {pathway!r}; choose one of {', '.join(codes)}.",
            code="unknown_pathway",
            details={"pathways": codes},
        )
    application = Application(
        scheme_id=scheme.id, user_id=user_id, pathway=pathway, status=ApplicationStatus.DRAFT, created_at=now
    )
    session.add(application)
    session.flush()
    return application


def visible_application(*, session: Session, application_id: str, user_id: str, roles: Collection[str]) -> Application:
    """The application, for its applicant, eligibility reviewers and admins; NotFound for anyone else."""
    found = session.get(Application, application_id) if len(application_id) <= 32 else None
    if found is None or not (found.user_id == user_id or any(role in evidence_files.REVIEWERS for role in roles)):
        raise NotFound("No such application.", code="application_not_found")
    return found


def own_application(*, session: Session, application_id: str, user_id: str, roles: Collection[str]) -> Application:
    """The application, for its applicant only: Forbidden `not_applicant` for a reviewer, NotFound for others."""
    found = visible_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    if found.user_id != user_id:
        raise Forbidden("Only the applicant changes an application.", code="not_applicant")
    return found


def _requirement(session: Session, application: Application, code: str) -> dict[str, Any]:
    if application.status not in TAKES_EVIDENCE:
        raise Conflict(
            "Evidence is frozen once the application is submitted: it can be added again only if a reviewer asks "
            "for more information.",
            code="evidence_frozen",
        )
    scheme = session.get(Scheme, application.scheme_id)
    requirements = requirements_of(scheme, application.pathway) if scheme else []
    found = next((r for r in requirements if r.get("code") == code), None)
    if found is None:
        raise InvalidInput(
            f"The pathway has no requirement {code!r}.",
            code="unknown_requirement",
            details={"requirements": [str(r.get("code")) for r in requirements]},
        )
    return found


def add_file(
    *,
    session: Session,
    application_id: str,
    user_id: str,
    roles: Collection[str],
    requirement: str,
    filename: str,
    data: bytes,
    now: datetime,
) -> EvidenceFile:
    """Keep a file (PDF, PNG or JPEG by its bytes, size-limited: programs.evidence) proving `requirement`.
    Conflict `evidence_frozen` after submission (until more information is requested)."""
    application = own_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    _requirement(session, application, requirement)
    return evidence_files.store_file(
        session=session,
        subject_type=SUBJECT,
        subject_id=application.id,
        requirement=requirement,
        filename=filename.replace("\x00", ""),
        data=data,
        uploaded_by=user_id,
        now=now,
    )


def add_attestation(
    *, session: Session, application_id: str, user_id: str, roles: Collection[str], requirement: str, now: datetime
) -> EvidenceFile:
    """The applicant attests to `requirement`; InvalidInput `file_required` when the requirement needs a file."""
    application = own_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    found = _requirement(session, application, requirement)
    if found.get("evidence") != "attestation":
        raise InvalidInput(
            f"{found.get('title') or requirement} needs a file (PDF, PNG or JPEG), not an attestation.",
            code="file_required",
        )
    return evidence_files.store_attestation(
        session=session,
        subject_type=SUBJECT,
        subject_id=application.id,
        requirement=requirement,
        uploaded_by=user_id,
        now=now,
    )


def missing_requirements(session: Session, application: Application) -> list[str]:
    """The codes of the pathway's requirements not yet proved: a file requirement by a file, an attestation
    requirement by an attestation or a file."""
    scheme = session.get(Scheme, application.scheme_id)
    given = evidence_files.listed(session=session, subject_type=SUBJECT, subject_id=application.id)
    filed = {e.requirement for e in given if not e.attestation}
    attested = {e.requirement for e in given if e.attestation}
    missing = []
    for requirement in requirements_of(scheme, application.pathway) if scheme else []:
        code = requirement.get("code")
        proved = code in filed or (requirement.get("evidence") == "attestation" and code in attested)
        if not proved:
            missing.append(str(code))
    return missing


def submit(
    *,
    session: Session,
    application_id: str,
    user_id: str,
    roles: Collection[str],
    handbook_version: str,
    now: datetime,
) -> Application:
    """Submit (or resubmit after a request for information). Conflict `handbook_not_acknowledged` when
    `handbook_version` is not the scheme's current one (details.current_version), `evidence_missing` with
    details.requirements, or `application_<status>` when it cannot be submitted now."""
    application = own_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    if application.status not in TAKES_EVIDENCE:
        move(session, application, ApplicationStatus.SUBMITTED)  # raises: the table has no such move
    handbook = current_handbook(session, application.scheme_id)
    if handbook is not None and handbook_version != handbook.version:
        raise Conflict(
            f"Read and acknowledge the current candidate handbook (version {handbook.version}) before submitting.",
            code="handbook_not_acknowledged",
            details={"current_version": handbook.version},
        )
    missing = missing_requirements(session, application)
    if missing:
        raise Conflict(
            f"Evidence is still missing for: {', '.join(missing)}.",
            code="evidence_missing",
            details={"requirements": missing},
        )
    resubmitted = application.status == ApplicationStatus.INFO_REQUESTED
    move(
        session,
        application,
        ApplicationStatus.SUBMITTED,
        submitted_at=now,
        handbook_version=handbook.version if handbook else None,
    )
    detail = {"handbook_version": application.handbook_version, "resubmitted": resubmitted}
    record(
        session=session,
        kind=AuditKind.APPLICATION_SUBMITTED,
        actor_id=user_id,
        subject=f"application:{application.id}",
        detail=detail,
        at=now,
    )
    return application


def withdraw(
    *, session: Session, application_id: str, user_id: str, roles: Collection[str], now: datetime
) -> Application:
    """The applicant withdraws before a decision; Conflict `application_<status>` once decided or withdrawn."""
    application = own_application(session=session, application_id=application_id, user_id=user_id, roles=roles)
    move(session, application, ApplicationStatus.WITHDRAWN)
    record(
        session=session,
        kind=AuditKind.APPLICATION_WITHDRAWN,
        actor_id=user_id,
        subject=f"application:{application.id}",
        detail={},
        at=now,
    )
    return application
