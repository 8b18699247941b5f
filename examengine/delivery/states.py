"""The attempt's life: one enum and one transition table. Every move goes through `transition` and leaves an event."""

from __future__ import annotations

from enum import StrEnum


class AttemptStatus(StrEnum):
    WAITING = "waiting"  # checked in; waiting for the proctor to admit them
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    SUBMITTED = "submitted"
    EXPIRED = "expired"  # submitted by the clock, finishing at the deadline
    TERMINATED = "terminated"


FINAL = frozenset({AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.TERMINATED})

TRANSITIONS: dict[AttemptStatus, frozenset[AttemptStatus]] = {
    AttemptStatus.WAITING: frozenset({AttemptStatus.IN_PROGRESS, AttemptStatus.TERMINATED}),
    AttemptStatus.IN_PROGRESS: frozenset(
        {AttemptStatus.PAUSED, AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED, AttemptStatus.TERMINATED}
    ),
    AttemptStatus.PAUSED: frozenset({AttemptStatus.IN_PROGRESS, AttemptStatus.EXPIRED, AttemptStatus.TERMINATED}),
    AttemptStatus.SUBMITTED: frozenset(),
    AttemptStatus.EXPIRED: frozenset(),
    AttemptStatus.TERMINATED: frozenset(),
}


def can_move(current: AttemptStatus, to: AttemptStatus) -> bool:
    return to in TRANSITIONS[current]
