"""The marking rule: from the marks a slot has, its final score or the stage that must mark it next.

- Single marking (`marking.double` false): the first mark is final.
- Double marking: a second marker, never the first, marks blind. When the two marks differ by at most
  `max_difference` the slot's score is their average rounded half up to a multiple of `round_to` (2 and 3 with
  round_to 0.5 give 2.5; with round_to 1, 3). When they differ by more, `resolution: third_marker` sends the slot
  to a third marker (adjudication) whose mark is final; `resolution: average` averages them anyway.
A final score never exceeds the slot's maximum: rounding up to a multiple stops at the maximum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from examengine.exams.definition import Marking
from examengine.scoring.models import MarkingStage


@dataclass(frozen=True)
class Outcome:
    final_score: float | None  # None: another mark is needed
    next_stage: MarkingStage | None  # the stage to mark next, while there is no final score


def rounded_average(first: float, second: float, round_to: float, maximum: float) -> float:
    """The mean of two marks, half up to a multiple of `round_to`, capped at `maximum` (decimal arithmetic, so
    2.25 rounds to 2.5 exactly)."""
    step = Decimal(repr(round_to))
    mean = (Decimal(repr(first)) + Decimal(repr(second))) / 2
    multiple = (mean / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return min(float(multiple), maximum)


def outcome(marks: Sequence[float], policy: Marking, maximum: float) -> Outcome:
    """The slot's final score from its marks in stage order, or the stage that must mark it next."""
    if not marks:
        return Outcome(None, MarkingStage.FIRST)
    if not policy.double:
        return Outcome(marks[0], None)
    if len(marks) == 1:
        return Outcome(None, MarkingStage.SECOND)
    first, second = marks[0], marks[1]
    agree = abs(first - second) <= policy.max_difference + 1e-9
    if agree or policy.resolution == "average":
        return Outcome(rounded_average(first, second, policy.round_to, maximum), None)
    if len(marks) == 2:
        return Outcome(None, MarkingStage.ADJUDICATION)
    return Outcome(marks[2], None)
