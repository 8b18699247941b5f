"""Set-your-password links, mailed: "forgot your password?" and invitations. A link is `{public url}/reset-password
?token=T`, single use, valid for a limited time; only the SHA-256 of T is stored. Every use ends every session and
API token of the user (service.change_password)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, insert, select
from sqlmodel import Session, col

from examengine import mail
from examengine.accounts import bulk_import, service, throttle
from examengine.accounts.models import PasswordToken, TokenPurpose, User
from examengine.accounts.passwords import Passwords, check_password_policy
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.db import Database, table_of
from examengine.errors import Conflict, InvalidInput, NotFound, Throttled
from examengine.ids import new_secret_token, token_digest
from examengine.settings import Settings

RESET_PATH = "/reset-password"
# The one answer to every reset request (no account is revealed by it).
REQUEST_ACCEPTED = (
    "If an account uses this address, a link to set a new password is on its way to it. "
    "The link works once and expires."
)
MAX_TOKEN_LENGTH = 200
TOKEN_TABLE = table_of(PasswordToken)
ENABLED_USER_BY_EMAIL = select(col(User.id), col(User.name)).where(
    col(User.email) == bindparam("b_email"), col(User.disabled_at).is_(None)
)


@dataclass(frozen=True)
class Invitation:
    user: service.UserView
    mail_id: str


def link(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{RESET_PATH}?token={token}"


def _store(
    *, session: Session, token: str, user_id: str, purpose: TokenPurpose, expires_at: datetime, now: datetime
) -> None:
    session.connection().execute(
        insert(TOKEN_TABLE).values(
            token_hash=token_digest(token), user_id=user_id, purpose=purpose, created_at=now, expires_at=expires_at
        )
    )


def _lenient_email(raw: str) -> str:
    """The address as accounts store it, or (no account can have it) as typed, within what the throttle keys hold."""
    raw = raw.replace("\x00", "\ufffd")  # PostgreSQL text cannot hold NUL
    try:
        return service.normalize_email(raw)
    except InvalidInput:
        return raw.strip().lower()[:320]


def request_reset(
    *, session: Session, settings: Settings, email: str, address: str, base_url: str, now: datetime | None = None
) -> tuple[str, ...]:
    """Mail a reset link to the enabled account with this address, if there is one: the caller answers the same
    either way. Every request counts against the reset budgets (per address, per account, both): Throttled beyond
    them, whatever the address. Returns the ids of the mails to send (none for an unknown address)."""
    now = now or utcnow()
    email = _lenient_email(email)
    keys = throttle.ThrottleKeys(
        pair=f"reset:{email}|{address}", address=f"reset-addr:{address}", account=f"reset:{email}", device=None
    )
    try:
        throttle.check(session=session, keys=keys, trusted=False, limits=settings.reset_throttle, now=now)
    except Throttled as refusal:
        wait = refusal.retry_after_seconds
        message = f"Too many requests for a password link. Wait {wait} seconds and try again."
        raise Throttled(message, retry_after_seconds=wait) from None
    throttle.record_failure(session=session, keys=keys, trusted=False, limits=settings.reset_throttle, now=now)
    row = session.connection().execute(ENABLED_USER_BY_EMAIL, {"b_email": email}).first()
    subject = f"user:{row.id}" if row else f"email:{email}"
    record(
        session=session,
        kind=AuditKind.PASSWORD_RESET_REQUESTED,
        actor_id=None,
        subject=subject,
        detail={"email": email, "address": address},
        at=now,
    )
    # The letter is written either way (only a known account's is stored and sent): the answer takes as long.
    token = new_secret_token()
    minutes = settings.password_reset_minutes
    letter = mail.write(
        settings,
        "password_reset",
        session=session,
        recipient=email,
        subject=f"Set a new password for {mail.organisation_name(settings, session=session)}",
        name=row.name if row else email,
        link=link(base_url, token),
        valid_for=f"{minutes} minutes" if minutes < 120 else f"{minutes // 60} hours",
    )
    if row is None:
        return ()
    _store(
        session=session,
        token=token,
        user_id=row.id,
        purpose=TokenPurpose.RESET,
        expires_at=now + timedelta(minutes=minutes),
        now=now,
    )
    return (mail.enqueue(session=session, letter=letter, now=now),)


def _mail_invitation(
    *, session: Session, settings: Settings, user: service.UserView, actor_id: str | None, base_url: str, now: datetime
) -> str:
    days = settings.invitation_days
    token = new_secret_token()
    expires_at = now + timedelta(days=days)
    _store(session=session, token=token, user_id=user.id, purpose=TokenPurpose.INVITE, expires_at=expires_at, now=now)
    organisation = mail.organisation_name(settings, session=session)
    letter = mail.write(
        settings,
        "invitation",
        session=session,
        recipient=user.email,
        subject=f"Your {organisation} account: set your password",
        name=user.name,
        link=link(base_url, token),
        valid_for=f"{days} days",
    )
    record(session=session, kind=AuditKind.USER_INVITED, actor_id=actor_id, subject=f"user:{user.id}", at=now)
    return mail.enqueue(session=session, letter=letter, now=now)


def invite(
    *,
    session: Session,
    settings: Settings,
    email: str,
    name: str,
    roles: list[str],
    actor_id: str | None,
    base_url: str,
    now: datetime | None = None,
) -> Invitation:
    """Create an account without a password and mail its holder a set-your-password link (valid for the invitation
    period). Raises as service.create_user does."""
    now = now or utcnow()
    user = service.create_user(session=session, email=email, name=name, roles=roles, actor_id=actor_id)
    mail_id = _mail_invitation(
        session=session, settings=settings, user=user, actor_id=actor_id, base_url=base_url, now=now
    )
    return Invitation(user, mail_id)


def import_and_invite(
    *,
    session: Session,
    settings: Settings,
    rows: list[bulk_import.UserRow],
    password_hashes: dict[int, str],
    actor_id: str | None,
    base_url: str,
) -> tuple[bulk_import.ImportReport, tuple[str, ...]]:
    """Bulk import (bulk_import.import_users), inviting by mail every user the file gives no password; returns the
    report and the ids of the invitations' mails."""
    now = utcnow()
    report = bulk_import.import_users(session=session, rows=rows, password_hashes=password_hashes, actor_id=actor_id)
    without = {row.email for row in rows if row.line not in password_hashes}
    mail_ids = tuple(
        _mail_invitation(session=session, settings=settings, user=user, actor_id=actor_id, base_url=base_url, now=now)
        for user in report.created
        if user.email in without
    )
    return report, mail_ids


def _usable(*, session: Session, token: str, now: datetime, lock: bool = False) -> PasswordToken:
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise NotFound(_UNKNOWN, code="invalid_token")
    query = select(PasswordToken).where(col(PasswordToken.token_hash) == token_digest(token))
    found = session.scalars(query.with_for_update() if lock else query).first()
    if found is None:
        raise NotFound(_UNKNOWN, code="invalid_token")
    if found.used_at is not None:
        raise Conflict(
            "This link was already used: each link sets a password once. Ask for a new link if you need one.",
            code="token_used",
        )
    if found.expires_at <= now:
        raise Conflict("This link has expired. Ask for a new one.", code="token_expired")
    disabled = session.scalar(select(col(User.disabled_at)).where(col(User.id) == found.user_id))
    if disabled is not None:
        raise NotFound(_UNKNOWN, code="invalid_token")
    return found


_UNKNOWN = "This link is not valid: check that it was copied whole, or ask for a new one."


def check_link(*, session: Session, token: str, now: datetime | None = None) -> TokenPurpose:
    """What a live link is for; NotFound (invalid_token: unknown, or its account disabled) or Conflict (token_used,
    token_expired) otherwise."""
    return TokenPurpose(_usable(session=session, token=token, now=now or utcnow()).purpose)


def _use(*, session: Session, token: str, password_hash: str, now: datetime) -> str:
    found = _usable(session=session, token=token, now=now, lock=True)
    service.change_password(
        session=session,
        user_id=found.user_id,
        password_hash=password_hash,
        actor_id=found.user_id,
        via=TokenPurpose(found.purpose).value,
        now=now,
    )
    email = service.get_user(session=session, user_id=found.user_id).email
    throttle.forgive_account(session=session, email=email)
    return email


async def set_password_by_link(db: Database, passwords: Passwords, *, token: str, password: str) -> str:
    """Use a link: the new password must meet the policy (InvalidInput weak_password) and the link must be live
    (NotFound invalid_token, Conflict token_used or token_expired); every session and token of the user ends, and every
    other link of theirs stops working. Returns the account's email address."""
    check_password_policy(password)
    await db.read(check_link, token=token)  # before the costly hash: a made-up token costs one lookup
    password_hash = await passwords.hash_off_loop(password)
    email: str = await db.run(_use, token=token, password_hash=password_hash, now=utcnow())
    return email


def purge_dead(*, session: Session, now: datetime | None = None, keep: timedelta = timedelta(days=1)) -> int:
    """Delete the links that expired more than `keep` ago (used or not: a used one is refused as used until then)."""
    cutoff = (now or utcnow()) - keep
    result = session.execute(delete(PasswordToken).where(col(PasswordToken.expires_at) < cutoff))
    return int(getattr(result, "rowcount", 0))
