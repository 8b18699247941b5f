"""The time ledger: the deadline is a pure function of the attempt's recorded time facts and `now`.

Nothing here reads the clock or writes anything; callers pass `now` in.

Timed sections: when an exam gives any section a time limit, its sections are taken in order, each on its own clock
inside the overall one. A section's clock starts when the previous section closes (at its deadline, or when the
candidate finishes it early) and stops during pauses; proctor extensions and credited time given while a section is
open lengthen that section (and the exam). Because the section that is open follows from the stored facts and `now`,
a section whose time ran out is already closed for every reader, before any write records it.
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
    # Timed sections: each section's allowance (None: no limit of its own); None when sections are not timed.
    section_allowed: tuple[int | None, ...] | None = None
    section: int = 0  # the section recorded as open
    section_started_at: datetime | None = None  # when it opened (None: when the attempt started)
    section_offset_seconds: int = 0  # extension + credit + pauses already counted when it opened


@dataclass(frozen=True)
class SectionClock:
    index: int  # the open section
    started_at: datetime
    offset_seconds: int
    ends_at: datetime | None  # its own deadline (None: no limit of its own), before the exam's deadline caps it


def allowed_seconds(limit_minutes: int | None, time_multiplier: float, extra_minutes: int) -> int | None:
    if limit_minutes is None:
        return None
    return round(limit_minutes * 60 * time_multiplier) + extra_minutes * 60


def section_allowances(
    limits_minutes: list[int | None], time_multiplier: float, extra_minutes: int
) -> tuple[int | None, ...] | None:
    """Each section's allowance with the accommodation: the multiplier applies to every limit and the extra minutes
    are shared among the timed sections in proportion to their limits. None when no section has a limit."""
    timed = sum(m for m in limits_minutes if m is not None)
    if not timed:
        return None
    return tuple(
        None if m is None else round(m * 60 * time_multiplier + extra_minutes * 60 * m / timed) for m in limits_minutes
    )


def _added_seconds(ledger: TimeLedger, now: datetime) -> int:
    """Extensions, credits and pause time so far, the open pause included (it stops every clock)."""
    paused = ledger.paused_seconds
    if ledger.paused_at is not None:
        paused += max(0, int((now - ledger.paused_at).total_seconds()))
    return ledger.extension_seconds + ledger.credited_seconds + paused


def exam_deadline(ledger: TimeLedger, now: datetime) -> datetime | None:
    """When the exam's own time ends (the limit plus extensions, credits and pauses), never after the sitting
    closes. None before the attempt starts."""
    if ledger.started_at is None:
        return None
    if ledger.allowed_seconds is None:
        return ledger.window_closes_at
    budget = ledger.allowed_seconds + _added_seconds(ledger, now)
    return min(ledger.started_at + timedelta(seconds=budget), ledger.window_closes_at)


def open_section(ledger: TimeLedger, now: datetime) -> SectionClock | None:
    """The section open at `now`: the recorded one, or a later one when the recorded one's time has run out (each
    next section opening at the previous one's deadline). None when sections are not timed or before the start."""
    allowed, started = ledger.section_allowed, ledger.started_at
    if allowed is None or started is None:
        return None
    exam_ends = exam_deadline(ledger, now)
    added = _added_seconds(ledger, now)
    index = min(ledger.section, len(allowed) - 1)
    opened, offset = ledger.section_started_at or started, ledger.section_offset_seconds
    while True:
        limit = allowed[index]
        ends = None if limit is None else opened + timedelta(seconds=limit + added - offset)
        last = index + 1 >= len(allowed)
        if ends is None or ends > now or last or (exam_ends is not None and ends >= exam_ends):
            return SectionClock(index, opened, offset, ends)
        index, opened, offset = index + 1, ends, added


def deadline(ledger: TimeLedger, now: datetime) -> datetime | None:
    """When the open clock runs out: the exam's deadline, or the open timed section's when that comes first.
    None before the attempt starts."""
    exam_ends = exam_deadline(ledger, now)
    section = open_section(ledger, now)
    if exam_ends is None or section is None or section.ends_at is None:
        return exam_ends
    return min(exam_ends, section.ends_at)


def is_final_clock(ledger: TimeLedger, now: datetime) -> bool:
    """Whether the open clock running out ends the attempt (rather than moving on to the next section)."""
    section = open_section(ledger, now)
    if section is None or ledger.section_allowed is None or section.index + 1 >= len(ledger.section_allowed):
        return True
    exam_ends = exam_deadline(ledger, now)
    return section.ends_at is None or (exam_ends is not None and section.ends_at >= exam_ends)


def budget_seconds(ledger: TimeLedger, now: datetime) -> int | None:
    """The length of the open clock with what was added to it (what the 20% and 5% time warnings are shares of)."""
    section = open_section(ledger, now)
    if section is not None and section.ends_at is not None:
        return int((section.ends_at - section.started_at).total_seconds())
    if ledger.allowed_seconds is None:
        return None
    return ledger.allowed_seconds + ledger.extension_seconds + ledger.credited_seconds


def remaining_seconds(ledger: TimeLedger, now: datetime) -> int | None:
    ends = deadline(ledger, now)
    if ends is None:
        return None
    return max(0, int((ends - now).total_seconds()))
