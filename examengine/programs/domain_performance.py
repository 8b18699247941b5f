"""A content domain's performance against the passing standard, as an official score report states it.

The passing standard is one cut on the whole test; a domain is compared with the same standard in percent
correct: `cut_percent` is the cut as a share of the points (a raw cut over the maximum, a percent cut itself, a
scaled cut through the scale's straight line from (0, min) to (maximum, max), which is where scoring.scale puts
it). A domain with `items` items and `percent` correct is
- `insufficient_items` when it has fewer than `minimum_items` items (EXAMENGINE_SCORE_REPORT_MIN_ITEMS) or no
  points to score: so few items measure too little to say anything;
- `at_or_above` when percent >= cut_percent (exactly at the cut counts as at);
- `near` when it is below the cut by less than one standard error, or exactly one: cut_percent - se <= percent;
- `below` otherwise,
where `se` is the standard error of a percent-correct score on `items` items for someone exactly at the standard,
100 * sqrt(c * (1 - c) / items) with c = cut_percent / 100 (the binomial error, as for a number-correct score).
Ten items at a 70 % cut give se = 14.49 points: 55.6 % is near, 55.5 % below. Comparisons allow 1e-9 for
floating-point noise, as the pass decision does.
"""

from __future__ import annotations

import math
from enum import StrEnum

from examengine.exams.definition import ExamDefinition

NOISE = 1e-9


class Performance(StrEnum):
    BELOW = "below"
    NEAR = "near"
    AT_OR_ABOVE = "at_or_above"
    INSUFFICIENT_ITEMS = "insufficient_items"


def cut_percent(definition: ExamDefinition, max_score: float) -> float | None:
    """The passing standard as percent of the attempt's `max_score` points; None without a cut score."""
    cut, scale = definition.cut_score, definition.scale
    if cut is None:
        return None
    if cut.type == "percent":
        return cut.value
    if cut.type == "scaled":
        assert scale is not None  # the definition refuses a scaled cut without a scale
        return (cut.value - scale.min) * 100 / (scale.max - scale.min)
    return cut.value * 100 / max_score if max_score > 0 else None


def standard_error(cut: float, items: int) -> float:
    share = min(max(cut / 100, 0.0), 1.0)
    return 100 * math.sqrt(share * (1 - share) / items)


def performance(*, percent: float | None, items: int, cut: float, minimum_items: int) -> Performance:
    """The domain's performance (see the module's docstring); `percent` None: the domain has no points."""
    if items < minimum_items or items <= 0 or percent is None:
        return Performance.INSUFFICIENT_ITEMS
    if percent >= cut - NOISE:
        return Performance.AT_OR_ABOVE
    if percent >= cut - standard_error(cut, items) - NOISE:
        return Performance.NEAR
    return Performance.BELOW
