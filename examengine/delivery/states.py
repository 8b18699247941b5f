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


class TerminationDecision(StrEnum):
    """An admin's decision about a terminated attempt; until one is recorded the candidate is held (no new attempt
    at the exam). Not a status: the attempt stays terminated, and this says what its termination means.
    - uphold: the termination and its consequence stand: the attempt counts as used, with no result; the retake
      rules apply normally afterwards.
    - allow_retake: the candidate may start a new attempt now: the terminated attempt counts towards no retake rule
      (not max attempts, not a period, no wait after it).
    - void: the attempt is annulled: it counts towards nothing, has no result and no certificate; the normal retake
      rules apply to the candidate's other attempts (a wait after an earlier fail still runs)."""

    UPHOLD = "uphold"
    ALLOW_RETAKE = "allow_retake"
    VOID = "void"


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
