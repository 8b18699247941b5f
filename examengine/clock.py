"""The server's clock: the only source of `now` for decisions (the candidate's clock is never trusted)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now, as a timezone-aware UTC datetime truncated to microseconds."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """Databases hand naive datetimes back (SQLite); every stored time is UTC, so say so."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return as_utc(moment).isoformat().replace("+00:00", "Z")


def local_text(moment: datetime, zone: str = "UTC") -> str:
    """A moment as people read it, in a zone and naming it: "6 Dec 2026, 11:16 UTC" (never raw ISO). An unknown
    zone name falls back to UTC rather than failing a page."""
    try:
        tz = ZoneInfo(zone) if zone != "UTC" else UTC
    except (ValueError, KeyError):
        tz = UTC
    local = as_utc(moment).astimezone(tz)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname() or zone}"
