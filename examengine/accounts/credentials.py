"""Server-side sessions and API tokens: random secrets whose SHA-256 is stored, revocable at once."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, exists, insert, or_, select, update
from sqlmodel import Session, col

from examengine.accounts.models import CREDENTIAL_TABLE, Credential, CredentialKind, Role, User, UserRole
from examengine.caches import CacheKind, ProcessCaches
from examengine.clock import utcnow
from examengine.db import caches_of
from examengine.errors import Forbidden, NotAuthenticated
from examengine.ids import new_secret_token, token_digest

# Touching last_seen on every request would turn every read into a write; a minute of slack is harmless.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)


@dataclass(frozen=True)
class Principal:
    """Who is making the request, through which credential."""

    user_id: str
    email: str
    name: str
    roles: frozenset[Role]
    kind: CredentialKind
    token_hash: str
    csrf_token: str
    expires_at: datetime
    last_seen_at: datetime

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)


@dataclass(frozen=True)
class IssuedCredential:
    token: str
    expires_at: datetime
    csrf_token: str


def issue(
    *,
    session: Session,
    user_id: str,
    kind: CredentialKind,
    lifetime: timedelta,
    address: str | None = None,
    device_hash: str | None = None,
    now: datetime | None = None,
) -> IssuedCredential:
    """A new session or API token for the user; the returned token is the only copy of the secret. A web session
    may name the browser it signed in on by the hash of its device cookie."""
    now = now or utcnow()
    token = new_secret_token()
    csrf_token = secrets.token_urlsafe(32)
    expires_at = now + lifetime
    # A plain INSERT rather than the ORM's flush: once per login.
    session.connection().execute(
        insert(CREDENTIAL_TABLE).values(
            token_hash=token_digest(token),
            kind=kind,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
            address=(address or "")[:64] or None,
            device_hash=device_hash,
        )
    )
    return IssuedCredential(token, expires_at, csrf_token)


# Built once, with plain columns rather than ORM objects: every request resolves its token.
PRINCIPAL_BY_TOKEN = (
    select(
        col(Credential.revoked_at),
        col(Credential.expires_at),
        col(Credential.last_seen_at),
        col(Credential.csrf_token),
        col(User.id),
        col(User.email),
        col(User.name),
        col(User.disabled_at),
        col(UserRole.role),
    )
    .join(User, col(User.id) == col(Credential.user_id))
    .outerjoin(UserRole, col(UserRole.user_id) == col(User.id))  # one row per role: one statement, not two
    .where(col(Credential.token_hash) == bindparam("b_token_hash"), col(Credential.kind) == bindparam("b_kind"))
)
ROLES_OF = select(col(UserRole.role)).where(col(UserRole.user_id) == bindparam("b_user_id"))


def resolve(
    *,
    connection: Connection,
    token: str,
    kind: CredentialKind,
    idle_timeout: timedelta | None,
    now: datetime | None = None,
) -> Principal | None:
    """The principal behind a live token, or None if it is unknown, revoked, expired, idle too long or disabled."""
    if not token or len(token) > 200:
        return None
    return resolve_hash(connection, token_digest(token), kind, idle_timeout, now or utcnow())


def resolve_hash(
    connection: Connection, token_hash: str, kind: CredentialKind, idle_timeout: timedelta | None, now: datetime
) -> Principal | None:
    """`resolve` for a token known by its hash."""
    rows = connection.execute(PRINCIPAL_BY_TOKEN, {"b_token_hash": token_hash, "b_kind": kind}).all()
    if not rows:
        return None
    revoked_at, expires_at, last_seen_at, csrf_token, user_id, email, name, disabled_at, _ = rows[0]
    if revoked_at is not None or disabled_at is not None or expires_at <= now:
        return None
    if idle_timeout is not None and last_seen_at + idle_timeout <= now:
        return None
    roles = frozenset(Role(row.role) for row in rows if row.role is not None)
    return Principal(user_id, email, name, roles, kind, token_hash, csrf_token, expires_at, last_seen_at)


def needs_touch(*, last_seen_at: datetime, now: datetime) -> bool:
    return now - last_seen_at >= LAST_SEEN_RESOLUTION


def touch(*, connection: Connection, token_hash: str, now: datetime | None = None) -> None:
    """Record activity for the idle timeout, at most once a minute per credential: a Core unit of work of one
    prebuilt statement (an exam page asks for it about once a minute per candidate: 10,000 candidates, 160 a
    second, each an ORM unit of work of its own before)."""
    now = now or utcnow()
    connection.execute(TOUCH, {"b_hash": token_hash, "b_stale": now - LAST_SEEN_RESOLUTION, "b_now": now})


def last_seen(*, session: Session, token_hash: str) -> datetime | None:
    return session.scalar(select(col(Credential.last_seen_at)).where(col(Credential.token_hash) == token_hash))


def revoke(
    *, session: Session, token: str | None = None, token_hash: str | None = None, now: datetime | None = None
) -> bool:
    """Revoke one credential by its secret or its hash; True if a live one was revoked."""
    digest = token_hash or (token_digest(token) if token else None)
    if digest is None:
        return False
    result = session.execute(
        update(Credential)
        .where(col(Credential.token_hash) == digest, col(Credential.revoked_at).is_(None))
        .values(revoked_at=now or utcnow())
    )
    return bool(getattr(result, "rowcount", 0))


def purge_dead(*, session: Session, now: datetime | None = None, keep: timedelta = timedelta(days=1)) -> int:
    """Delete credentials that expired or were revoked more than `keep` ago; safe to run concurrently."""
    cutoff = (now or utcnow()) - keep
    result = session.execute(
        delete(Credential).where(or_(col(Credential.expires_at) < cutoff, col(Credential.revoked_at) < cutoff))
    )
    return int(getattr(result, "rowcount", 0))


# The live streams re-check the sessions behind them in batches (examengine/delivery/live_hub.py).
BATCH = 500
LIVE_AMONG = (
    select(col(Credential.token_hash))
    .join(User, col(User.id) == col(Credential.user_id))
    .where(
        col(Credential.token_hash).in_(bindparam("b_hashes", expanding=True)),
        col(Credential.kind) == CredentialKind.WEB,
        col(Credential.revoked_at).is_(None),
        col(User.disabled_at).is_(None),
        col(Credential.expires_at) > bindparam("b_now"),
        col(Credential.last_seen_at) > bindparam("b_idle_since"),
    )
)
TOUCH = (
    update(CREDENTIAL_TABLE)
    .where(CREDENTIAL_TABLE.c.token_hash == bindparam("b_hash"), CREDENTIAL_TABLE.c.last_seen_at < bindparam("b_stale"))
    .values(last_seen_at=bindparam("b_now"))
)
TOUCH_AMONG = (
    update(CREDENTIAL_TABLE)
    .where(
        CREDENTIAL_TABLE.c.token_hash.in_(bindparam("b_hashes", expanding=True)),
        CREDENTIAL_TABLE.c.last_seen_at < bindparam("b_stale"),
    )
    .values(last_seen_at=bindparam("b_now"))
)


def live_among(*, connection: Connection, token_hashes: list[str], idle_timeout: timedelta, now: datetime) -> set[str]:
    """Which of these web sessions are still signed in (not revoked, expired, idle too long or of a disabled user)."""
    alive: set[str] = set()
    for start in range(0, len(token_hashes), BATCH):
        chunk = token_hashes[start : start + BATCH]
        params = {"b_hashes": chunk, "b_now": now, "b_idle_since": now - idle_timeout}
        alive.update(str(found) for found in connection.execute(LIVE_AMONG, params).scalars())
    return alive


def touch_among(*, connection: Connection, token_hashes: list[str], now: datetime) -> None:
    """Record activity for sessions whose exam page holds a live stream open (as its polls did), once a minute."""
    for start in range(0, len(token_hashes), BATCH):
        chunk = token_hashes[start : start + BATCH]
        connection.execute(TOUCH_AMONG, {"b_hashes": chunk, "b_stale": now - LAST_SEEN_RESOLUTION, "b_now": now})


# A write that re-checks its own credential (the save: its guarded UPDATE takes effect only while the credential
# is live) may start from the principal this process resolved for the same token a moment ago, instead of a read
# of its own before the write. Nothing else trusts these entries: every other route resolves its token.
RECENT_SECONDS = 60.0
RECENT_PRINCIPALS: CacheKind[tuple[CredentialKind, str], tuple[Principal, float]] = CacheKind(
    "recent_principals", 50_000
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def recent(caches: ProcessCaches, token: str, kind: CredentialKind, now: datetime) -> Principal | None:
    """The principal this process resolved for `token` within RECENT_SECONDS, if its credential has not expired."""
    if not token or len(token) > 200:
        return None
    found = caches.of(RECENT_PRINCIPALS).get((kind, token_digest(token)))
    if found is None:
        return None
    principal, resolved_at = found
    if time.monotonic() - resolved_at > RECENT_SECONDS or principal.expires_at <= now:
        return None
    return principal


def remember(caches: ProcessCaches, principal: Principal) -> None:
    caches.of(RECENT_PRINCIPALS).put((principal.kind, principal.token_hash), (principal, time.monotonic()))


def forget(caches: ProcessCaches, kind: CredentialKind, token_hash: str) -> None:
    caches.of(RECENT_PRINCIPALS).discard((kind, token_hash))


@dataclass(frozen=True)
class CredentialCheck:
    """What a write re-checks of the credential it was sent with: still live (not revoked, expired or idle too
    long), its user not disabled and still holding `role`."""

    token_hash: str
    kind: CredentialKind
    role: Role
    idle_timeout: timedelta | None

    def parameters(self, now: datetime) -> dict[str, object]:
        return {
            "b_token_hash": self.token_hash,
            "b_kind": self.kind,
            "b_role": self.role,
            "b_now": now,
            "b_idle_cutoff": now - self.idle_timeout if self.idle_timeout is not None else EPOCH,
        }


def live_credential_clause() -> ColumnElement[bool]:
    """True while the credential of CredentialCheck.parameters is live and its user (`b_user_id`) may act: for a
    guarded write's WHERE clause."""
    credential, user, role = CREDENTIAL_TABLE.c, User.__table__.c, UserRole.__table__.c  # type: ignore[attr-defined]
    return and_(
        exists().where(
            credential.token_hash == bindparam("b_token_hash"),
            credential.kind == bindparam("b_kind"),
            credential.user_id == bindparam("b_user_id"),
            credential.revoked_at.is_(None),
            credential.expires_at > bindparam("b_now"),
            credential.last_seen_at > bindparam("b_idle_cutoff"),
        ),
        exists().where(user.id == bindparam("b_user_id"), user.disabled_at.is_(None)),
        exists().where(role.user_id == bindparam("b_user_id"), role.role == bindparam("b_role")),
    )


def ensure_live(session: Session, check: CredentialCheck | None, now: datetime) -> None:
    """For a unit of work that started from a principal its process resolved a moment ago (a `rechecked` route's
    read, or a guarded write that refused): raise NotAuthenticated when its credential is no longer live, Forbidden
    when its user lost the role (and forget the process's entry either way). Nothing to check for None."""
    if check is None:
        return
    found = resolve_hash(session.connection(), check.token_hash, check.kind, check.idle_timeout, now)
    if found is not None and check.role in found.roles:
        return
    forget(caches_of(session), check.kind, check.token_hash)
    if found is not None:
        raise Forbidden(f"This needs the {check.role.value} role.", code="role_required")
    raise NotAuthenticated("Sign in to continue.")
