"""How moments are written in messages to candidates."""

from __future__ import annotations

from datetime import datetime, timedelta

from examengine.clock import as_utc


def moment_text(moment: datetime) -> str:
    """A UTC moment as a person reads it: the date alone at midnight, else the date and the minute, never
    earlier than the moment itself (seconds round up): "2026-12-07", "2026-12-07 at 10:31 UTC"."""
    moment = as_utc(moment)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    if moment.hour == 0 and moment.minute == 0:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m-%d at %H:%M UTC")
