"""A credential's status at a moment: a pure function of its dates, its scheme's periods and `now`.

revoked and suspended are set by an admin (and undone only by reinstatement or an upheld appeal); otherwise a
credential with no end date is active; one with an end date is active before `valid_until`, in grace until
`valid_until + grace_period` (when the scheme has one) and lapsed after.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from examengine.programs import durations
from examengine.programs.models import ProgramCredential, Scheme


class CredentialStatus(StrEnum):
    ACTIVE = "active"
    GRACE = "grace"
    LAPSED = "lapsed"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


def grace_ends(credential: ProgramCredential, scheme: Scheme) -> datetime | None:
    if credential.valid_until is None:
        return None
    if not scheme.grace_period:
        return credential.valid_until
    return durations.after(credential.valid_until, scheme.grace_period)


def status_at(credential: ProgramCredential, scheme: Scheme, now: datetime) -> CredentialStatus:
    if credential.revoked_at is not None and credential.revoked_at <= now:
        return CredentialStatus.REVOKED
    if credential.suspended_at is not None and credential.suspended_at <= now:
        return CredentialStatus.SUSPENDED
    if credential.valid_until is None or now < credential.valid_until:
        return CredentialStatus.ACTIVE
    ends = grace_ends(credential, scheme)
    if ends is not None and now < ends:
        return CredentialStatus.GRACE
    return CredentialStatus.LAPSED
