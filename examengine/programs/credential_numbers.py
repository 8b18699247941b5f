"""Credential numbers (`SAFE-2026-000123`: the scheme's code, the year of the award, a per-scheme-and-year
sequence) and status-list indexes, each taken from a counter row by one upsert that returns the new value.

The upsert takes the row's lock (PostgreSQL) or the database's write lock (SQLite) until the award commits, so
two awards at once get consecutive values, never the same one; a rolled-back award leaves a gap, never a clash.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col

from examengine.db import dialect_insert
from examengine.programs.credential_models import COUNTER_TABLE, CredentialCounter
from examengine.programs.models import Scheme

STATUS_INDEX = "status_index"
DIGITS = 6


def take(session: Session, name: str) -> int:
    """The next value of the counter `name` (1 for a new counter)."""
    upsert = (
        dialect_insert(session, COUNTER_TABLE)
        .values(name=name, last=1)
        .on_conflict_do_update(index_elements=["name"], set_={"last": col(CredentialCounter.last) + 1})
        .returning(col(CredentialCounter.last))
    )
    return int(session.execute(upsert).scalar_one())


def next_number(session: Session, scheme: Scheme, at: datetime) -> str:
    sequence = take(session, f"number:{scheme.id}:{at.year}")
    return f"{scheme.code.upper()}-{at.year}-{sequence:0{DIGITS}d}"


def next_status_index(session: Session) -> int:
    return take(session, STATUS_INDEX)
