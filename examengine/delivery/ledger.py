"""The time ledger: the deadline is a pure function of the attempt's recorded time facts and `now`.

Nothing here reads the clock or writes anything; callers pass `now` in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TimeLedger:
    started_at: datetime | None
    allowed_seconds: int | None  # the exam's limit with the candidate's accommodation; None: untimed
    extension_seconds: int  # proctor extensions
    credited_seconds: int  # incident time credited back
    paused_seconds: int  # closed pauses
    paused_at: datetime | None  # the open pause, if any
    window_closes_at: datetime  # the sitting's close caps everything


def allowed_seconds(limit_minutes: int | None, time_multiplier: float, extra_minutes: int) -> int | None:
    if limit_minutes is None:
        return None
    return round(limit_minutes * 60 * time_multiplier) + extra_minutes * 60


def deadline(ledger: TimeLedger, now: datetime) -> datetime | None:
    """When the attempt ends: the limit plus extensions, credits and pauses (an open pause stops the clock),
    never after the sitting closes. None before the attempt starts."""
    if ledger.started_at is None:
        return None
    if ledger.allowed_seconds is None:
        return ledger.window_closes_at
    paused = ledger.paused_seconds
    if ledger.paused_at is not None:
        paused += max(0, int((now - ledger.paused_at).total_seconds()))
    budget = ledger.allowed_seconds + ledger.extension_seconds + ledger.credited_seconds + paused
    return min(ledger.started_at + timedelta(seconds=budget), ledger.window_closes_at)


def remaining_seconds(ledger: TimeLedger, now: datetime) -> int | None:
    ends = deadline(ledger, now)
    if ends is None:
        return None
    return max(0, int((ends - now).total_seconds()))
