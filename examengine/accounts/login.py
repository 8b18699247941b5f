"""Logging in: throttle check, password verification off the event loop, then one write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlmodel import Session, col

from examengine.accounts import credentials, service, throttle
from examengine.accounts.models import CredentialKind, Role, User
from examengine.accounts.passwords import Passwords
from examengine.audit.kinds import AuditKind
from examengine.audit.refusals import record_anonymous_refusal
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.db import Database
from examengine.errors import InvalidInput, NotAuthenticated
from examengine.ids import token_digest
from examengine.settings import ThrottleLimits


@dataclass(frozen=True)
class LoginResult:
    user: service.UserView
    credential: credentials.IssuedCredential
    device_token: str | None


@dataclass(frozen=True)
class _Candidate:
    user: service.UserView | None
    password_hash: str | None
    trusted: bool

    @property
    def user_id(self) -> str | None:
        return self.user.id if self.user else None


# Built once, plain columns: read for every login before the password is checked.
ENABLED_USER_BY_EMAIL = select(col(User.id), col(User.email), col(User.name), col(User.password_hash)).where(
    col(User.email) == bindparam("b_email"), col(User.disabled_at).is_(None)
)


def _prepare(
    *,
    session: Session,
    email: str,
    keys: throttle.ThrottleKeys,
    device_token: str | None,
    limits: ThrottleLimits,
    now: datetime,
) -> _Candidate:
    row = session.connection().execute(ENABLED_USER_BY_EMAIL, {"b_email": email}).first()
    user = None
    if row is not None:
        roles = session.connection().execute(credentials.ROLES_OF, {"b_user_id": row.id}).scalars()
        user = service.UserView(row.id, row.email, row.name, tuple(sorted(Role(r) for r in roles)), False)
    trusted = throttle.is_trusted_device(session=session, device_token=device_token, user_id=user.id if user else None)
    throttle.check(session=session, keys=keys, trusted=trusted, limits=limits, now=now)
    return _Candidate(user, row.password_hash if row else None, trusted)


def _fail(
    *,
    session: Session,
    keys: throttle.ThrottleKeys,
    trusted: bool,
    limits: ThrottleLimits,
    now: datetime,
    email: str,
    user_id: str | None,
    address: str,
) -> None:
    throttle.record_failure(session=session, keys=keys, trusted=trusted, limits=limits, now=now)
    subject = f"user:{user_id}" if user_id else f"email:{email}"
    detail = {"email": email}
    record_anonymous_refusal(
        session=session, kind=AuditKind.LOGIN_FAILED, subject=subject, address=address, detail=detail, at=now
    )


def _succeed(
    *,
    session: Session,
    user: service.UserView,
    kind: CredentialKind,
    lifetime: timedelta,
    address: str,
    verified_hash: str | None,
    new_hash: str | None,
    trusted: bool,
    presented_hash: str | None,
    now: datetime,
) -> LoginResult:
    # The password may have changed since it was verified (the change ends every session): the user's row is
    # locked, so a change either waits for this credential and ends it, or has committed and refuses this login.
    current = session.scalar(select(col(User.password_hash)).where(col(User.id) == user.id).with_for_update())
    if current != verified_hash:
        raise NotAuthenticated("The email address or password is not right.", code="invalid_credentials")
    if new_hash:
        service.set_password_hash(session=session, user_id=user.id, password_hash=new_hash)
    # The browser's identity for the device lock: the device cookie it proved it holds for this user, or the new one
    # it is given now (a cookie of another user, or a made-up one, is replaced, never adopted).
    device_token: str | None = None
    browser = presented_hash
    if not trusted:
        device_token = throttle.trust_device(session=session, user_id=user.id)
        browser = token_digest(device_token)
    issued = credentials.issue(
        session=session,
        user_id=user.id,
        kind=kind,
        lifetime=lifetime,
        address=address,
        device_hash=browser if kind == CredentialKind.WEB else None,
        now=now,
    )
    detail = {"address": address, "credential": kind.value}
    record(session=session, kind=AuditKind.LOGIN_SUCCEEDED, actor_id=user.id, subject=f"user:{user.id}", detail=detail)
    return LoginResult(user, issued, device_token)


async def log_in(
    db: Database,
    passwords: Passwords,
    limits: ThrottleLimits,
    *,
    email: str,
    password: str,
    address: str,
    device_token: str | None,
    kind: CredentialKind,
    lifetime: timedelta,
) -> LoginResult:
    """Verify a password and issue a credential.

    Raises Throttled when over a failed-login budget, NotAuthenticated for a wrong email or password (the same
    message and the same cost either way), InvalidInput when a field is missing.
    """
    if not email or not password:
        raise InvalidInput("Enter your email address and password.", code="missing_credentials")
    now = utcnow()
    # No account's email holds a NUL (creation refuses it) and PostgreSQL text cannot: such a login just fails.
    email = email.replace("\x00", "\ufffd")
    try:
        email = service.normalize_email(email)
    except InvalidInput:
        email = email.strip().lower()[:320]
    device_hash = token_digest(device_token) if device_token and len(device_token) <= 200 else None
    keys = throttle.keys_for(email, address, device_hash)
    candidate = await db.read(_prepare, email=email, keys=keys, device_token=device_token, limits=limits, now=now)
    verification = await passwords.verify_off_loop(candidate.password_hash, password)
    if not verification.ok or candidate.user is None:
        await db.run(
            _fail,
            keys=keys,
            trusted=candidate.trusted,
            limits=limits,
            now=now,
            email=email,
            user_id=candidate.user_id,
            address=address,
        )
        raise NotAuthenticated("The email address or password is not right.", code="invalid_credentials")
    new_hash = await passwords.rehash_off_loop(password) if verification.needs_rehash else None
    return await db.run(
        _succeed,
        user=candidate.user,
        kind=kind,
        lifetime=lifetime,
        address=address,
        verified_hash=candidate.password_hash,
        new_hash=new_hash,
        trusted=candidate.trusted,
        presented_hash=device_hash,
        now=now,
    )


def _checked_hash(
    *, session: Session, user_id: str, keys: throttle.ThrottleKeys, limits: ThrottleLimits, now: datetime
) -> str | None:
    throttle.check(session=session, keys=keys, trusted=False, limits=limits, now=now)
    return session.scalar(select(col(User.password_hash)).where(col(User.id) == user_id))


async def change_own_password(
    db: Database,
    passwords: Passwords,
    limits: ThrottleLimits,
    *,
    user_id: str,
    email: str,
    address: str,
    current: str,
    new: str,
    keep_token_hash: str,
) -> int:
    """The signed-in user's own change: the current password must be right (NotAuthenticated otherwise; a wrong one
    counts against the same budget as a failed login, Throttled beyond it), the new one must meet the policy
    (InvalidInput). Every other session and token of theirs ends; the one making the change stays. Returns how
    many ended."""
    if not current or not new:
        raise InvalidInput("Enter your current password and the new one.", code="missing_credentials")
    now = utcnow()
    keys = throttle.keys_for(email, address, None)
    stored = await db.read(_checked_hash, user_id=user_id, keys=keys, limits=limits, now=now)
    if not (await passwords.verify_off_loop(stored, current)).ok:
        await db.run(
            _fail, keys=keys, trusted=False, limits=limits, now=now, email=email, user_id=user_id, address=address
        )
        raise NotAuthenticated("The current password is not right.", code="invalid_credentials")
    new_hash = await passwords.hash_off_loop(new)
    ended: int = await db.run(
        service.change_password,
        user_id=user_id,
        password_hash=new_hash,
        actor_id=user_id,
        keep_token_hash=keep_token_hash,
    )
    return ended
