"""The server's clock: the only source of `now` for decisions (the candidate's clock is never trusted)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, as a timezone-aware UTC datetime truncated to microseconds."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Databases hand naive datetimes back (SQLite); every stored time is UTC, so say so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")
