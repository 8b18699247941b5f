"""Percent, scaled score and the pass decision: pure functions of the raw score and the exam version's rules.

The scale maps raw points piecewise linearly so that the raw cut lands exactly on `scale.cut`:

    raw <= raw_cut:  scaled = min + (cut - min) * raw / raw_cut          (raw_cut 0: scaled = cut)
    raw >  raw_cut:  scaled = cut + (max - cut) * (raw - raw_cut) / (max_score - raw_cut)

`raw_cut` is the cut score in raw points: `value` for a raw cut, `value / 100 * max_score` for a percent cut.
With a scaled cut score, or none, nothing anchors the cut in raw points and the scale is one straight line
from (0, min) to (max_score, max).

Pass/fail compares the unrounded value (raw, percent or scaled, as the cut score says) with `>=`; a margin of
1e-9 absorbs binary floating-point noise, so a score that is the cut in exact arithmetic passes. Rounding
happens once, when a score is reported: `report_scaled` rounds half up to an integer (499.5 -> 500), and
`report_decimal` (raw points, percent) half up to two decimals, both after dropping noise below 1e-9.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from examengine.exams.definition import CutScore, ExamDefinition, Scale

NOISE = 1e-9


@dataclass(frozen=True)
class Grade:
    percent: float
    scaled_score: float | None  # unrounded
    passed: bool | None  # None when the exam has no cut score


def percent(raw: float, max_score: float) -> float:
    return raw * 100 / max_score if max_score > 0 else 0.0


def raw_cut(cut_score: CutScore | None, max_score: float) -> float | None:
    """The cut in raw points, or None when the cut is set on the scale (or there is none)."""
    if cut_score is None or cut_score.type == "scaled":
        return None
    return cut_score.value if cut_score.type == "raw" else cut_score.value * max_score / 100


def scaled(raw: float, max_score: float, scale: Scale, cut_in_raw: float | None) -> float:
    """The unrounded scaled score (see the module's formula)."""
    if cut_in_raw is None:
        if max_score <= 0:
            return scale.min
        return scale.min + (scale.max - scale.min) * raw / max_score
    if raw <= cut_in_raw:
        if cut_in_raw <= 0:
            return scale.cut
        return scale.min + (scale.cut - scale.min) * raw / cut_in_raw
    return scale.cut + (scale.max - scale.cut) * (raw - cut_in_raw) / (max_score - cut_in_raw)


def grade(raw: float, max_score: float, definition: ExamDefinition) -> Grade:
    """Percent, scaled score and pass/fail of a complete raw total under the exam version's cut score and scale."""
    cut_score, scale = definition.cut_score, definition.scale
    cut_in_raw = raw_cut(cut_score, max_score)
    share = percent(raw, max_score)
    scaled_score = None if scale is None else scaled(raw, max_score, scale, cut_in_raw)
    if cut_score is None:
        return Grade(share, scaled_score, None)
    if cut_score.type == "raw":
        measured = raw
    elif cut_score.type == "percent":
        measured = share
    else:
        assert scaled_score is not None  # the definition refuses a scaled cut without a scale
        measured = scaled_score
    return Grade(share, scaled_score, measured >= cut_score.value - NOISE)


def _denoised(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal("1e-9"), rounding=ROUND_HALF_EVEN)


def report_scaled(value: float) -> int:
    """The scaled score as reported: half up (away from zero) to an integer."""
    return int(_denoised(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def report_decimal(value: float) -> float:
    """Raw points or a percent as reported: half up to two decimals."""
    return float(_denoised(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
