"""A holder's choice to be found by name in the public registry, or by the credential's exact number only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import NotFound
from examengine.programs.models import ProgramCredential, Scheme

NOT_FOUND = "You hold no credential with this number."


def own_credential(*, session: Session, number: str, user_id: str) -> tuple[ProgramCredential, Scheme]:
    """The holder's own credential and its scheme. Raises NotFound (credential_not_found) for an unknown number and
    for someone else's."""
    if "\x00" in number:  # no number holds one, and PostgreSQL text cannot
        raise NotFound(NOT_FOUND, code="credential_not_found")
    found = session.execute(
        select(ProgramCredential, Scheme)
        .join(Scheme, col(Scheme.id) == col(ProgramCredential.scheme_id))
        .where(col(ProgramCredential.number) == number.strip())
        .execution_options(populate_existing=True)
    ).first()
    if found is None or found[0].user_id != user_id:
        raise NotFound(NOT_FOUND, code="credential_not_found")
    return found[0], found[1]


def set_listed(*, session: Session, number: str, user_id: str, listed: bool, now: datetime) -> ProgramCredential:
    """The holder lists their credential in name search, or takes it out (it stays found by its exact number).
    Only the holder may; others get NotFound. A change is recorded on the audit chain."""
    credential, _ = own_credential(session=session, number=number, user_id=user_id)
    if credential.listed != listed:
        credential.listed = listed
        session.add(credential)
        session.flush()
        record(
            session=session,
            kind=AuditKind.REGISTRY_LISTING_CHANGED,
            actor_id=user_id,
            subject=f"credential:{credential.number}",
            detail={"listed": listed},
            at=now,
        )
    return credential
