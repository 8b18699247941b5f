"""Reading credentials: one by its number (the holder and admins; anyone else is told it does not exist), a
holder's list, an admin's search, and a credential's history. Status is computed at `now` (credential_status)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from examengine.accounts.credentials import Principal
from examengine.accounts.models import Role
from examengine.errors import Forbidden, NotFound
from examengine.programs.credential_models import CredentialAward
from examengine.programs.credential_status import CredentialStatus, grace_ends, status_at
from examengine.programs.models import (
    CredentialEvent,
    CredentialEventKind,
    ProgramCredential,
    Scheme,
    SchemeKind,
)

PAGE_SIZE = 50
KIND_WORDS = {
    SchemeKind.CERTIFICATION: "Certification",
    SchemeKind.ASSESSMENT_BASED_CERTIFICATE: "Assessment-based certificate",
    SchemeKind.CERTIFICATE_OF_ATTENDANCE: "Certificate of attendance",
}


@dataclass(frozen=True)
class CredentialView:
    credential_id: str
    number: str
    scheme_code: str
    scheme_title: str
    kind: SchemeKind
    holder_id: str
    holder_name: str
    status: CredentialStatus
    granted_at: datetime
    cycle_starts: datetime
    valid_until: datetime | None
    grace_ends: datetime | None
    attempt_id: str | None
    event: str | None  # a certificate of attendance: the event attended
    attended_on: date | None  # a certificate of attendance: the day (kept as its cycle_starts)

    @property
    def kind_words(self) -> str:
        return KIND_WORDS[self.kind]


@dataclass(frozen=True)
class CredentialPage:
    items: tuple[CredentialView, ...]
    next_cursor: str | None  # the last credential's number: the next page starts after it


def view_of(credential: ProgramCredential, scheme: Scheme, now: datetime) -> CredentialView:
    attendance = scheme.kind == SchemeKind.CERTIFICATE_OF_ATTENDANCE
    return CredentialView(
        credential.id,
        credential.number,
        scheme.code,
        scheme.title,
        SchemeKind(scheme.kind),
        credential.user_id,
        credential.holder_name,
        status_at(credential, scheme, now),
        credential.granted_at,
        credential.cycle_starts,
        credential.valid_until,
        grace_ends(credential, scheme),
        credential.attempt_id,
        credential.event,
        credential.cycle_starts.date() if attendance else None,
    )


def credential_with_scheme(session: Session, number: str, *, lock: bool = False) -> tuple[ProgramCredential, Scheme]:
    """The credential with this number (case-insensitive) and its scheme; raises NotFound (credential_not_found)."""
    if "\x00" in number:  # no number holds one, and PostgreSQL text cannot
        raise NotFound("No credential has this number.", code="credential_not_found")
    query = select(ProgramCredential).where(col(ProgramCredential.number) == number.strip().upper()[:60])
    if lock:
        query = query.with_for_update()
    credential = session.scalars(query.execution_options(populate_existing=True)).first()
    if credential is None:
        raise NotFound("No credential has this number.", code="credential_not_found")
    scheme = session.get(Scheme, credential.scheme_id)
    assert scheme is not None  # foreign key, cascade
    return credential, scheme


def credential_by_number(session: Session, number: str, *, lock: bool = False) -> ProgramCredential:
    """The credential with this number (for the incidents and appeals slices: an appeal's subject is a number);
    raises NotFound (credential_not_found)."""
    return credential_with_scheme(session, number, lock=lock)[0]


def credential_of_attempt(session: Session, attempt_id: str) -> ProgramCredential | None:
    """The credential a passing attempt awarded or renewed (None: it did neither, or its exam is in no scheme)."""
    return session.scalars(
        select(ProgramCredential)
        .join(CredentialAward, col(CredentialAward.credential_id) == col(ProgramCredential.id))
        .where(
            col(CredentialAward.attempt_id) == attempt_id,
            col(CredentialAward.outcome).in_(("awarded", "renewed", "recertified")),
        )
    ).first()


def latest_pass(*, session: Session, number: str) -> str | None:
    """The attempt whose certificate prints the credential's current cycle best: the newest pass that awarded,
    renewed or recertified it (None for a certificate of attendance)."""
    credential = credential_by_number(session, number)
    newest = session.scalars(
        select(col(CredentialAward.attempt_id))
        .where(
            col(CredentialAward.credential_id) == credential.id,
            col(CredentialAward.outcome).in_(("awarded", "renewed", "recertified")),
        )
        .order_by(col(CredentialAward.at).desc())
        .limit(1)
    ).first()
    return newest or credential.attempt_id


def visible_credential(*, session: Session, number: str, who: Principal) -> tuple[ProgramCredential, Scheme]:
    """The credential, for its holder or an admin; anyone else gets the same NotFound as for a missing number."""
    credential, scheme = credential_with_scheme(session, number)
    if credential.user_id != who.user_id and Role.ADMIN not in who.roles:
        raise NotFound("No credential has this number.", code="credential_not_found")
    return credential, scheme


def get_credential(*, session: Session, number: str, who: Principal, now: datetime) -> CredentialView:
    return view_of(*visible_credential(session=session, number=number, who=who), now)


def list_credentials(
    *,
    session: Session,
    now: datetime,
    user_id: str | None = None,
    search: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> CredentialPage:
    """Credentials by number, descending (the newest of a scheme first): one holder's, or (admins) those whose
    number or holder name contains `search`; a page starts after the `cursor` number."""
    query = select(ProgramCredential, Scheme).join(Scheme, col(Scheme.id) == col(ProgramCredential.scheme_id))
    if user_id is not None:
        query = query.where(col(ProgramCredential.user_id) == user_id)
    if search:
        pattern = f"%{search.strip().lower()[:100]}%"
        query = query.where(
            or_(
                func.lower(col(ProgramCredential.number)).like(pattern),
                func.lower(col(ProgramCredential.holder_name)).like(pattern),
            )
        )
    if cursor:
        query = query.where(col(ProgramCredential.number) < cursor)
    order = col(ProgramCredential.number).desc()
    rows = session.execute(query.order_by(order).limit(limit + 1)).all()
    items = tuple(view_of(credential, scheme, now) for credential, scheme in rows[:limit])
    return CredentialPage(items, items[-1].number if len(rows) > limit and items else None)


def credentials_for(
    *,
    session: Session,
    who: Principal,
    now: datetime,
    mine: bool = False,
    user_id: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> CredentialPage:
    """`mine` (or anyone but an admin): the principal's own credentials; an admin's `user_id`: that holder's; an
    admin with neither: every credential. Raises Forbidden (not_your_credentials) for someone else's `user_id`."""
    admin = Role.ADMIN in who.roles
    if user_id and user_id != who.user_id and not admin:
        raise Forbidden("Only admins list other people's credentials.", code="not_your_credentials")
    holder = who.user_id if mine or not admin else user_id
    return list_credentials(session=session, now=now, user_id=holder, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class HistoryLine:
    kind: CredentialEventKind
    at: datetime
    actor_id: str | None
    reason: str | None
    detail: dict[str, object]


def history(*, session: Session, credential_id: str) -> list[HistoryLine]:
    events = session.scalars(
        select(CredentialEvent)
        .where(col(CredentialEvent.credential_id) == credential_id)
        .order_by(col(CredentialEvent.at), col(CredentialEvent.id))
    )
    return [HistoryLine(CredentialEventKind(e.kind), e.at, e.actor_id, e.reason, dict(e.detail)) for e in events]
