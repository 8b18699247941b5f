"""An admin's decisions about a credential, each with a reason: suspend, reinstate, revoke; and the restoring an
upheld appeal orders.

- suspend: an active or in-grace credential (an investigation); suspended again, lapsed or revoked: 409.
- reinstate: a suspended credential (the suspension is lifted; its dates say what it is then), or a lapsed
  certification within the scheme's `reinstatement_period` counted from the lapse (`valid_until + grace_period`),
  which starts a new cycle from now with the same number; after that period, or with none, 409.
- revoke: any credential not revoked yet; final (409 on a revoked one for every action) unless an appeal is upheld.
- restore (appeals): undoes a revocation and a suspension.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from examengine.errors import Conflict, InvalidInput
from examengine.programs import durations
from examengine.programs.credential_cycles import log_event, start_cycle
from examengine.programs.credential_status import CredentialStatus, grace_ends, status_at
from examengine.programs.credential_views import credential_with_scheme
from examengine.programs.models import CredentialEventKind, ProgramCredential, Scheme, SchemeKind


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInput("Give the reason: the holder and any appeal read it.", code="reason_required")
    return text[:4000]


def _open(session: Session, number: str, reason: str | None) -> tuple[ProgramCredential, Scheme, str]:
    credential, scheme = credential_with_scheme(session, number, lock=True)
    text = _reason(reason)
    if credential.revoked_at is not None:
        raise Conflict("This credential was revoked; that is final.", code="credential_revoked")
    return credential, scheme, text


def suspend(*, session: Session, number: str, reason: str | None, actor_id: str, now: datetime) -> ProgramCredential:
    """Raises InvalidInput (reason_required), NotFound, Conflict (credential_revoked, credential_suspended,
    credential_lapsed)."""
    credential, scheme, text = _open(session, number, reason)
    status = status_at(credential, scheme, now)
    if status not in (CredentialStatus.ACTIVE, CredentialStatus.GRACE):
        raise Conflict(f"A {status.value} credential cannot be suspended.", code=f"credential_{status.value}")
    credential.suspended_at = now
    log_event(session, credential, CredentialEventKind.SUSPENDED, at=now, actor_id=actor_id, reason=text)
    return credential


def reinstatement_ends(credential: ProgramCredential, scheme: Scheme) -> datetime | None:
    """The end of the window to reinstate a lapsed certification (None: it cannot be)."""
    lapsed_at = grace_ends(credential, scheme)
    if lapsed_at is None or not scheme.reinstatement_period or scheme.kind != SchemeKind.CERTIFICATION:
        return None
    return durations.after(lapsed_at, scheme.reinstatement_period)


def reinstate(*, session: Session, number: str, reason: str | None, actor_id: str, now: datetime) -> ProgramCredential:
    """Raises InvalidInput (reason_required), NotFound, Conflict (credential_revoked, not_reinstatable,
    reinstatement_period_over)."""
    credential, scheme, text = _open(session, number, reason)
    status = status_at(credential, scheme, now)
    if status == CredentialStatus.SUSPENDED:
        credential.suspended_at = None
        detail: dict[str, object] = {"from": "suspended"}
    elif status == CredentialStatus.LAPSED:
        window_ends = reinstatement_ends(credential, scheme)
        if window_ends is None or now >= window_ends:
            raise Conflict(
                "The reinstatement period of this lapsed credential is over (or its scheme has none).",
                code="reinstatement_period_over",
                details={"reinstatable_until": window_ends.isoformat() if window_ends else None},
            )
        start_cycle(credential, scheme, now)
        detail = {"from": "lapsed"}
    else:
        raise Conflict(
            f"An {status.value} credential has nothing to reinstate: only a suspended or lapsed one.",
            code="not_reinstatable",
        )
    log_event(
        session, credential, CredentialEventKind.REINSTATED, at=now, actor_id=actor_id, reason=text, detail=detail
    )
    return credential


def revoke_credential(
    *, session: Session, number: str, reason: str | None, actor_id: str | None, now: datetime
) -> ProgramCredential:
    """Revoke for good (the incidents helper calls this for an invalidated result, `actor_id` the deciding admin).
    Raises InvalidInput (reason_required), NotFound, Conflict (credential_revoked)."""
    credential, _, text = _open(session, number, reason)
    credential.revoked_at = now
    log_event(session, credential, CredentialEventKind.REVOKED, at=now, actor_id=actor_id, reason=text)
    return credential


def restore_credential(
    *, session: Session, number: str, reason: str | None, actor_id: str | None, now: datetime
) -> ProgramCredential:
    """An upheld appeal undoes the revocation and any suspension (event `restored`); the dates then say what the
    credential is. Raises InvalidInput (reason_required), NotFound, Conflict (nothing_to_restore)."""
    credential, _ = credential_with_scheme(session, number, lock=True)
    text = _reason(reason)
    if credential.revoked_at is None and credential.suspended_at is None:
        raise Conflict("This credential is neither revoked nor suspended.", code="nothing_to_restore")
    undone = {"revoked": credential.revoked_at is not None, "suspended": credential.suspended_at is not None}
    credential.revoked_at = None
    credential.suspended_at = None
    log_event(session, credential, CredentialEventKind.RESTORED, at=now, actor_id=actor_id, reason=text, detail=undone)
    return credential
