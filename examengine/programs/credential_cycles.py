"""What every change of a credential shares: starting a cycle, and writing the event and the audit record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.programs import durations
from examengine.programs.models import CredentialEvent, CredentialEventKind, ProgramCredential, Scheme

AUDIT_KIND = {
    CredentialEventKind.AWARDED: AuditKind.CREDENTIAL_AWARDED,
    CredentialEventKind.RENEWED: AuditKind.CREDENTIAL_RENEWED,
    CredentialEventKind.SUSPENDED: AuditKind.CREDENTIAL_SUSPENDED,
    CredentialEventKind.REINSTATED: AuditKind.CREDENTIAL_REINSTATED,
    CredentialEventKind.REVOKED: AuditKind.CREDENTIAL_REVOKED,
    CredentialEventKind.RESTORED: AuditKind.CREDENTIAL_RESTORED,
}


def start_cycle(credential: ProgramCredential, scheme: Scheme, starts: datetime) -> None:
    """The credential's cycle runs from `starts` for the scheme's cycle (or for good when it has none)."""
    credential.cycle_starts = starts
    credential.valid_until = durations.after(starts, scheme.cycle) if scheme.cycle else None


def log_event(
    session: Session,
    credential: ProgramCredential,
    kind: CredentialEventKind,
    *,
    at: datetime,
    actor_id: str | None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The credential's event and the matching audit record, in the caller's unit of work."""
    facts = {
        **(detail or {}),
        "cycle_starts": credential.cycle_starts.isoformat(),
        "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
    }
    session.add(
        CredentialEvent(credential_id=credential.id, kind=kind, at=at, actor_id=actor_id, reason=reason, detail=facts)
    )
    audit = {**facts, "user_id": credential.user_id, **({"reason": reason} if reason else {})}
    record(
        session=session,
        kind=AUDIT_KIND[kind],
        actor_id=actor_id,
        subject=f"credential:{credential.number}",
        detail=audit,
        at=at,
    )
    session.flush()
