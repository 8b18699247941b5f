"""A holder's choice to be found by name in the public registry, or by the credential's exact number only."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import NotFound
from examengine.programs.credential_views import credential_with_scheme
from examengine.programs.models import ProgramCredential, Scheme

NOT_FOUND = "You hold no credential with this number."


def own_credential(*, session: Session, number: str, user_id: str) -> tuple[ProgramCredential, Scheme]:
    """The holder's own credential and its scheme. Raises NotFound (credential_not_found) for an unknown number and
    for someone else's."""
    credential, scheme = credential_with_scheme(session, number)
    if credential.user_id != user_id:
        raise NotFound(NOT_FOUND, code="credential_not_found")
    return credential, scheme


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
