"""Users and their roles. Services take the session as a keyword and never commit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import email_validator
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, or_, select, update
from sqlmodel import Session, col

from examengine.accounts.models import Credential, PasswordToken, Role, User, UserRole
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound

MAX_NAME_LENGTH = 200
PAGE_SIZE = 50
# Addresses identify people here and nothing is mailed yet; training providers give candidates addresses on
# closed domains, so the reserved names an organisation may use internally are accepted (the library documents
# removing entries from this list for exactly this).
CLOSED_DOMAINS_IN_USE = ("test", "example", "local", "home.arpa", "internal")
for _name in CLOSED_DOMAINS_IN_USE:
    if _name in email_validator.SPECIAL_USE_DOMAIN_NAMES:
        email_validator.SPECIAL_USE_DOMAIN_NAMES.remove(_name)


@dataclass(frozen=True)
class UserView:
    id: str
    email: str
    name: str
    roles: tuple[Role, ...]
    disabled: bool


@dataclass(frozen=True)
class UserPage:
    items: tuple[UserView, ...]
    next_cursor: str | None


def normalize_email(raw: str) -> str:
    """The canonical, lower-cased form of an address; raises InvalidInput with the reason."""
    candidate = (raw or "").strip()
    if not candidate:
        raise InvalidInput("An email address is required.", code="invalid_email")
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidInput(f"{candidate!r} is not a valid email address: {error}", code="invalid_email") from None
    return checked.normalized.lower()


def parse_roles(raw: Iterable[str]) -> tuple[Role, ...]:
    roles: list[Role] = []
    for value in raw:
        name = str(value).strip().lower()
        if not name:
            continue
        try:
            role = Role(name)
        except ValueError:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidInput(f"Unknown role {name!r}: use one of {allowed}.", code="invalid_role") from None
        if role not in roles:
            roles.append(role)
    if not roles:
        raise InvalidInput("Give the user at least one role.", code="invalid_role")
    return tuple(sorted(roles))


def clean_name(raw: str) -> str:
    name = " ".join((raw or "").split())
    if not name:
        raise InvalidInput("A name is required.", code="invalid_name")
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The name is too long: at most {MAX_NAME_LENGTH} characters.", code="invalid_name")
    if any(ord(ch) < 32 for ch in name):
        raise InvalidInput("The name contains control characters.", code="invalid_name")
    return name


def _view(user: User, roles: Sequence[Role]) -> UserView:
    return UserView(user.id, user.email, user.name, tuple(sorted(roles)), user.disabled_at is not None)


def _roles_by_user(session: Session, user_ids: Sequence[str]) -> dict[str, list[Role]]:
    found: dict[str, list[Role]] = {user_id: [] for user_id in user_ids}
    if user_ids:
        rows = session.execute(
            select(col(UserRole.user_id), col(UserRole.role)).where(col(UserRole.user_id).in_(user_ids))
        )
        for user_id, role in rows:
            found[user_id].append(Role(role))
    return found


def email_taken(session: Session, email: str) -> bool:
    return session.scalar(select(func.count()).select_from(User).where(col(User.email) == email)) != 0


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    roles: Iterable[str],
    password_hash: str | None = None,
    actor_id: str | None = None,
) -> UserView:
    """Create a user. Raises InvalidInput for a bad email, name or role, Conflict when the email is taken."""
    email = normalize_email(email)
    name = clean_name(name)
    parsed_roles = parse_roles(roles)
    if email_taken(session, email):
        raise Conflict(f"A user with the email {email} already exists.", code="email_taken")
    user = User(email=email, name=name, password_hash=password_hash)
    session.add(user)
    session.flush()
    session.add_all(UserRole(user_id=user.id, role=role) for role in parsed_roles)
    session.flush()
    record(
        session=session,
        kind=AuditKind.USER_CREATED,
        actor_id=actor_id,
        subject=f"user:{user.id}",
        detail={"email": email, "roles": list(parsed_roles)},
    )
    return _view(user, parsed_roles)


def get_user(*, session: Session, user_id: str) -> UserView:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    return _view(user, _roles_by_user(session, [user.id])[user.id])


def find_user_id_by_email(*, session: Session, email: str) -> str | None:
    return session.scalar(select(col(User.id)).where(col(User.email) == normalize_email(email)))


def users_by_id(*, session: Session, user_ids: Iterable[str]) -> dict[str, User]:
    """The users of these ids that exist, by id (to name the actors of a trail)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(col(User.id).in_(wanted)))}


def active_proctors(*, session: Session) -> list[User]:
    """The enabled users who hold the proctor role, by name (those a sitting may be given)."""
    return list(
        session.scalars(
            select(User)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(col(UserRole.role) == Role.PROCTOR, col(User.disabled_at).is_(None))
            .order_by(col(User.name))
        )
    )


def list_users(
    *,
    session: Session,
    role: str | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> UserPage:
    """Users ordered by email, `limit` at a time; `cursor` is the last email of the previous page."""
    query = select(User).order_by(col(User.email)).limit(limit + 1)
    if role:
        query = query.where(
            col(User.id).in_(select(col(UserRole.user_id)).where(col(UserRole.role) == parse_roles([role])[0]))
        )
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(or_(func.lower(col(User.email)).like(pattern), func.lower(col(User.name)).like(pattern)))
    if cursor:
        query = query.where(col(User.email) > cursor)
    users = list(session.scalars(query))
    more = len(users) > limit
    users = users[:limit]
    roles = _roles_by_user(session, [u.id for u in users])
    items = tuple(_view(u, roles[u.id]) for u in users)
    return UserPage(items, users[-1].email if more else None)


def set_roles(*, session: Session, user_id: str, roles: Iterable[str], actor_id: str | None = None) -> UserView:
    """Replace the user's roles. Raises Conflict (own_admin_role) when an admin would remove their own admin role,
    InvalidInput for an unknown role, NotFound for an unknown user."""
    roles = list(roles)
    if user_id == actor_id and Role.ADMIN.value not in roles:
        raise Conflict("You cannot remove your own admin role.", code="own_admin_role")
    parsed = parse_roles(roles)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    before = sorted(_roles_by_user(session, [user_id])[user_id])
    session.execute(delete(UserRole).where(col(UserRole.user_id) == user_id))
    session.add_all(UserRole(user_id=user_id, role=role) for role in parsed)
    session.flush()
    record(
        session=session,
        kind=AuditKind.ROLE_CHANGED,
        actor_id=actor_id,
        subject=f"user:{user_id}",
        detail={"from": before, "to": list(parsed)},
    )
    return _view(user, parsed)


def set_password_hash(*, session: Session, user_id: str, password_hash: str) -> None:
    """Store a new hash of the same password (a rehash at login). A new password goes through change_password."""
    result = session.execute(update(User).where(col(User.id) == user_id).values(password_hash=password_hash))
    if not getattr(result, "rowcount", 0):
        raise NotFound("No such user.", code="user_not_found")


def change_password(
    *,
    session: Session,
    user_id: str,
    password_hash: str,
    actor_id: str | None,
    keep_token_hash: str | None = None,
    via: str | None = None,
    now: datetime | None = None,
) -> int:
    """Store the user's new password (own change, reset, or set by an admin or at the command line) and end every
    session and API token of theirs but `keep_token_hash` (the session making an own change), and every unused
    set-your-password link (`via` names the link used, if any); audited. Returns how many sessions and tokens were
    ended. Raises NotFound for an unknown user."""
    now = now or utcnow()
    set_password_hash(session=session, user_id=user_id, password_hash=password_hash)
    live = (col(Credential.user_id) == user_id, col(Credential.revoked_at).is_(None))
    others = (col(Credential.token_hash) != keep_token_hash,) if keep_token_hash else ()
    ended = session.execute(update(Credential).where(*live, *others).values(revoked_at=now))
    count = int(getattr(ended, "rowcount", 0))
    session.execute(
        update(PasswordToken)
        .where(col(PasswordToken.user_id) == user_id, col(PasswordToken.used_at).is_(None))
        .values(used_at=now)
    )
    detail: dict[str, object] = {"own": actor_id == user_id, "ended_credentials": count}
    if via:
        detail["via"] = via
    record(
        session=session,
        kind=AuditKind.PASSWORD_SET,
        actor_id=actor_id,
        subject=f"user:{user_id}",
        detail=detail,
        at=now,
    )
    return count


def set_disabled(
    *, session: Session, user_id: str, disabled: bool, now: datetime | None = None, actor_id: str | None = None
) -> UserView:
    """Disable (ending every session and token of the user at once) or enable an account."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    now = now or utcnow()
    user.disabled_at = now if disabled else None
    if disabled:
        session.execute(
            update(Credential)
            .where(col(Credential.user_id) == user_id, col(Credential.revoked_at).is_(None))
            .values(revoked_at=now)
        )
    session.flush()
    kind = AuditKind.USER_DISABLED if disabled else AuditKind.USER_ENABLED
    record(session=session, kind=kind, actor_id=actor_id, subject=f"user:{user_id}", at=now)
    return get_user(session=session, user_id=user_id)
