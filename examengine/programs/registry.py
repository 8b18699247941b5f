"""The public registry: anyone may look a credential up by its number, or a listed holder up by full name within a
scheme, and learn only the holder's name, the scheme, its kind, the status and the dates.

It needs no sign-in, so it is shaped against harvesting: every lookup (the registry's page, its API and a credential
number typed into /verify) counts against one budget per client address, `LIMIT` lookups in any `WINDOW_SECONDS`.
The count is a sliding window of one-second buckets kept in the login throttle's table (whose scheduled purge
forgets them). A name matches only the whole name, case-insensitively, and only holders who stay listed; a holder
who opted out is found by the exact number alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from examengine.accounts.models import LoginFailure
from examengine.db import dialect_insert
from examengine.errors import Throttled
from examengine.programs.credential_status import CredentialStatus, status_at
from examengine.programs.models import ProgramCredential, Scheme, SchemeKind

LIMIT = 30
WINDOW_SECONDS = 60
MAX_QUERY = 200


@dataclass(frozen=True)
class RegistryEntry:
    number: str
    holder_name: str
    scheme: str
    scheme_title: str
    kind: SchemeKind
    status: CredentialStatus
    granted_at: datetime
    valid_until: datetime | None


def _key(address: str) -> str:
    return f"registry:{address[:300]}"


def count_lookup(*, session: Session, address: str, now: datetime) -> None:
    """Count one lookup from `address`; raise Throttled (with the seconds until one is allowed) over the budget."""
    key = _key(address)
    bucket = now.replace(microsecond=0)
    since = bucket - timedelta(seconds=WINDOW_SECONDS - 1)
    buckets = session.execute(
        select(col(LoginFailure.window_start), col(LoginFailure.failures))
        .where(col(LoginFailure.key) == key, col(LoginFailure.window_start) >= since)
        .order_by(col(LoginFailure.window_start))
    ).all()
    total = sum(count for _, count in buckets)
    if total >= LIMIT:
        freed, retry_after = 0, WINDOW_SECONDS
        for started, count in buckets:  # wait until enough of the oldest lookups leave the window
            freed += count
            if total - freed < LIMIT:
                retry_after = max(1, math.ceil((started + timedelta(seconds=WINDOW_SECONDS) - now).total_seconds()))
                break
        raise Throttled(
            f"Too many registry searches from your address. Wait {retry_after} seconds and try again.",
            retry_after_seconds=retry_after,
        )
    session.execute(
        dialect_insert(session, LoginFailure)
        .values(key=key, window_start=bucket, failures=1)
        .on_conflict_do_update(
            index_elements=["key", "window_start"], set_={"failures": col(LoginFailure.failures) + 1}
        )
    )


def entry(credential: ProgramCredential, scheme: Scheme, now: datetime) -> RegistryEntry:
    return RegistryEntry(
        credential.number,
        credential.holder_name,
        scheme.code,
        scheme.title,
        SchemeKind(scheme.kind),
        status_at(credential, scheme, now),
        credential.granted_at,
        credential.valid_until,
    )


def _by_number(session: Session, typed: str) -> tuple[ProgramCredential, Scheme] | None:
    number = typed.strip().upper()
    if not number or len(number) > MAX_QUERY or "\x00" in number:
        return None
    found = session.execute(
        select(ProgramCredential, Scheme)
        .join(Scheme, col(Scheme.id) == col(ProgramCredential.scheme_id))
        .where(func.upper(col(ProgramCredential.number)) == number)
        .execution_options(populate_existing=True)
    ).first()
    return (found[0], found[1]) if found else None


def _by_name(session: Session, name: str, scheme_code: str) -> list[tuple[ProgramCredential, Scheme]]:
    wanted = " ".join(name.split()).lower()
    if not wanted:
        return []
    scheme = session.scalars(select(Scheme).where(col(Scheme.code) == scheme_code.strip())).first()
    if scheme is None:
        return []
    query = select(ProgramCredential).where(
        col(ProgramCredential.scheme_id) == scheme.id, col(ProgramCredential.listed).is_(True)
    )
    if wanted.isascii():  # SQLite's lower() folds ASCII only: other names are compared here, below
        query = query.where(func.lower(col(ProgramCredential.holder_name)) == wanted)
    found = session.scalars(query.order_by(col(ProgramCredential.number)).execution_options(populate_existing=True))
    return [(c, scheme) for c in found if " ".join(c.holder_name.split()).lower() == wanted]


def search(
    *,
    session: Session,
    address: str,
    now: datetime,
    number: str | None = None,
    name: str | None = None,
    scheme: str | None = None,
) -> list[RegistryEntry]:
    """Registry entries by exact credential number (any holder), or by whole name within a scheme code (listed
    holders only); nothing for neither. Counts the lookup (Throttled over the budget)."""
    count_lookup(session=session, address=address, now=now)
    if any("\x00" in (typed or "") for typed in (number, name, scheme)):
        return []  # no number, name or code holds one (and PostgreSQL text cannot)
    if number and number.strip():
        found = _by_number(session, number)
        return [entry(*found, now)] if found else []
    if name and name.strip() and scheme and scheme.strip():
        if len(name) > MAX_QUERY or len(scheme) > MAX_QUERY:
            return []
        return [entry(credential, found_scheme, now) for credential, found_scheme in _by_name(session, name, scheme)]
    return []  # neither a number nor both a name and a scheme: nothing is searched


def verify_number(*, session: Session, typed: str, address: str, now: datetime) -> RegistryEntry | None:
    """The registry entry of a credential number typed into /verify (counted as a registry lookup), or None when no
    credential has that number (the caller then tries it as a certificate code)."""
    found = _by_number(session, typed)
    if found is None:
        return None
    count_lookup(session=session, address=address, now=now)
    return entry(*found, now)


def schemes(*, session: Session) -> list[tuple[str, str]]:
    """(code, title) of every scheme, for the registry's scheme choice."""
    return [(s.code, s.title) for s in session.scalars(select(Scheme).order_by(col(Scheme.code)))]
