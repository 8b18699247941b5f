"""Reading, verifying and revoking certificates (issuing is in certificates.issuing).

Verification is public, so it is shaped against enumeration: a malformed code and an unknown one get the same
refusal, and lookups that find nothing are counted per address in the login throttle's fixed windows; an
address over its budget is refused every lookup until the window ends. With 80 random bits per code, the
budget only stops a noisy scraper; guessing a code was never feasible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlmodel import Session, col

from examengine.accounts.models import LoginFailure, User
from examengine.accounts.throttle import window_start
from examengine.certificates.codes import grouped, normalize
from examengine.certificates.models import Certificate, CertificateStatus
from examengine.db import dialect_insert
from examengine.errors import Conflict, InvalidInput, NotFound, Throttled
from examengine.settings import ThrottleLimits

REASON_MAX = 1000
NOT_FOUND_MESSAGE = "There is no certificate with this code. Check the code on the certificate and try again."


@dataclass(frozen=True)
class Verification:
    """What anyone holding the code may learn: the public face of a certificate."""

    code: str  # grouped, as printed
    status: CertificateStatus
    holder_name: str
    credential: str
    exam_code: str
    issued_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_reason: str | None


@dataclass(frozen=True)
class AdminCertificate:
    certificate: Certificate
    code: str  # grouped, as printed
    status: CertificateStatus
    holder_email: str
    revoked_by_name: str | None


def verification(certificate: Certificate, now: datetime) -> Verification:
    return Verification(
        grouped(certificate.code),
        certificate.status_at(now),
        certificate.holder_name,
        certificate.credential,
        certificate.exam_code,
        certificate.issued_at,
        certificate.expires_at,
        certificate.revoked_at,
        certificate.revoked_reason,
    )


def _by_code(session: Session, typed: str) -> Certificate | None:
    code = normalize(typed)
    if code is None:
        return None
    return session.scalars(
        select(Certificate).where(col(Certificate.code) == code).execution_options(populate_existing=True)
    ).first()


def _miss_key(address: str) -> str:
    return f"verify:{address}"


def verify(*, session: Session, code: str, address: str, limits: ThrottleLimits, now: datetime) -> Verification:
    """The certificate's public facts and status at `now`. Raises Throttled when the address has looked up too
    many unknown codes in this window, NotFound (certificate_not_found) for an unknown or malformed code, after
    counting the miss (the unit of work commits before the refusal)."""
    start = window_start(now, limits)
    key = _miss_key(address)
    misses = session.scalar(
        select(col(LoginFailure.failures)).where(col(LoginFailure.key) == key, col(LoginFailure.window_start) == start)
    )
    if (misses or 0) >= limits.per_address:
        retry_after = int((start + timedelta(seconds=limits.window_seconds) - now).total_seconds()) + 1
        raise Throttled(
            f"Too many unknown certificate codes from your address. Wait {retry_after} seconds and try again.",
            retry_after_seconds=retry_after,
        )
    found = _by_code(session, code)
    if found is None:
        session.execute(
            dialect_insert(session, LoginFailure)
            .values(key=key, window_start=start, failures=1)
            .on_conflict_do_update(
                index_elements=["key", "window_start"], set_={"failures": col(LoginFailure.failures) + 1}
            )
        )
        raise NotFound(NOT_FOUND_MESSAGE, code="certificate_not_found", commit_before_raising=True)
    return verification(found, now)


def own_certificate(*, session: Session, code: str, user_id: str) -> Certificate:
    """The candidate's own certificate. Raises NotFound for an unknown code and for another candidate's."""
    found = _by_code(session, code)
    if found is None or found.user_id != user_id:
        raise NotFound(NOT_FOUND_MESSAGE, code="certificate_not_found")
    return found


def candidate_certificates(*, session: Session, user_id: str) -> list[Certificate]:
    return list(
        session.scalars(
            select(Certificate)
            .where(col(Certificate.user_id) == user_id)
            .order_by(col(Certificate.issued_at).desc(), col(Certificate.code))
        )
    )


def _admin_view(session: Session, certificate: Certificate, email: str, now: datetime) -> AdminCertificate:
    revoker = session.get(User, certificate.revoked_by) if certificate.revoked_by else None
    return AdminCertificate(
        certificate, grouped(certificate.code), certificate.status_at(now), email, revoker.name if revoker else None
    )


def certificate_for_admin(*, session: Session, code: str, now: datetime) -> AdminCertificate:
    """Raises NotFound (certificate_not_found)."""
    found = _by_code(session, code)
    if found is None:
        raise NotFound(NOT_FOUND_MESSAGE, code="certificate_not_found")
    holder = session.get(User, found.user_id)
    return _admin_view(session, found, holder.email if holder else "", now)


def search(
    *, session: Session, now: datetime, exam_id: str | None = None, query: str = "", limit: int = 200
) -> list[AdminCertificate]:
    """Certificates newest first, of one exam when named, matching `query` when given: a code (typed as people
    type it), or part of the holder's name or email."""
    statement = select(Certificate, col(User.email)).join(User, col(User.id) == col(Certificate.user_id))
    if exam_id:
        statement = statement.where(col(Certificate.exam_id) == exam_id)
    text = query.strip()[:200]
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        matches: list[ColumnElement[bool]] = [
            func.lower(col(Certificate.holder_name)).like(pattern, escape="\\"),
            func.lower(col(User.email)).like(pattern, escape="\\"),
        ]
        code = normalize(text)
        if code is not None:
            matches.append(col(Certificate.code) == code)
        statement = statement.where(or_(*matches))
    rows = session.execute(
        statement.order_by(col(Certificate.issued_at).desc(), col(Certificate.code)).limit(limit)
    ).all()
    return [_admin_view(session, certificate, email, now) for certificate, email in rows]


def revoke(*, session: Session, code: str, actor_id: str, reason: str, now: datetime) -> AdminCertificate:
    """Revoke a certificate, recording who, when and why. Raises InvalidInput (reason_required, reason_too_long,
    reason_invalid), NotFound (certificate_not_found), Conflict (certificate_revoked) when it was revoked
    before: the first revocation stands as recorded."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput("Give the reason for revoking the certificate.", code="reason_required")
    if len(reason) > REASON_MAX:
        raise InvalidInput(f"The reason is at most {REASON_MAX} characters.", code="reason_too_long")
    if "\x00" in reason:
        raise InvalidInput("The reason cannot contain NUL characters.", code="reason_invalid")
    found = certificate_for_admin(session=session, code=code, now=now).certificate
    changed = session.execute(
        update(Certificate)
        .where(col(Certificate.id) == found.id, col(Certificate.revoked_at).is_(None))
        .values(revoked_at=now, revoked_by=actor_id, revoked_reason=reason)
    )
    current = certificate_for_admin(session=session, code=code, now=now)
    if not getattr(changed, "rowcount", 0):
        assert current.certificate.revoked_at is not None  # only revoking sets it, and it is never cleared
        raise Conflict(
            f"The certificate was already revoked on {current.certificate.revoked_at:%Y-%m-%d %H:%M} UTC.",
            code="certificate_revoked",
        )
    return current
