"""Standard setting: the Modified Angoff method and the Hofstee compromise."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from examengine.analysis.numeric import mean, variance


@dataclass(frozen=True)
class AngoffRating:
    """A judge's estimate of the share of minimally competent candidates who answer the item correctly."""

    round: int
    judge: str
    item_id: str
    rating: float


@dataclass(frozen=True)
class ItemRatingSummary:
    item_id: str
    mean: float
    sd: float | None
    minimum: float
    maximum: float
    n_judges: int


@dataclass(frozen=True)
class JudgeCut:
    judge: str
    cut: float


@dataclass(frozen=True)
class AngoffRound:
    round: int
    items: tuple[ItemRatingSummary, ...]
    judges: tuple[JudgeCut, ...]
    cut: float
    judge_sd: float | None
    standard_error: float | None


@dataclass(frozen=True)
class AngoffResult:
    rounds: tuple[AngoffRound, ...]
    recommended_cut: float
    recommended_cut_percent: float
    passing_raw_score: int
    n_items: int
    n_judges: int

    @property
    def final(self) -> AngoffRound:
        return self.rounds[-1]


def modified_angoff(ratings: Sequence[AngoffRating]) -> AngoffResult:
    """Per round: each item's mean rating and its SD across judges (the feedback between rounds), each
    judge's implied cut (the sum of their ratings), the SD of those cuts (sample, n - 1) and its standard error
    SD / sqrt(judges). The recommended raw cut is the final round's sum of item means; a candidate passes with a
    raw score of at least its ceiling. Raises ValueError for a rating outside [0, 1], a repeated rating, or a
    round where some judge did not rate some item."""
    if not ratings:
        raise ValueError("no Angoff ratings")
    by_round: dict[int, dict[tuple[str, str], float]] = {}
    for rating in ratings:
        if not 0.0 <= rating.rating <= 1.0 or math.isnan(rating.rating):
            raise ValueError(
                f"round {rating.round}, judge {rating.judge!r}, item {rating.item_id!r}: rating {rating.rating} "
                "is not a proportion between 0 and 1"
            )
        cells = by_round.setdefault(rating.round, {})
        if (rating.judge, rating.item_id) in cells:
            raise ValueError(f"round {rating.round}: judge {rating.judge!r} rated item {rating.item_id!r} twice")
        cells[(rating.judge, rating.item_id)] = rating.rating
    rounds = tuple(_angoff_round(number, by_round[number]) for number in sorted(by_round))
    final = rounds[-1]
    n_items = len(final.items)
    return AngoffResult(
        rounds=rounds,
        recommended_cut=final.cut,
        recommended_cut_percent=100.0 * final.cut / n_items,
        # The small tolerance keeps a cut of exactly 14.0 (stored as 14.000000000000002) at 14.
        passing_raw_score=math.ceil(final.cut - 1e-9),
        n_items=n_items,
        n_judges=len(final.judges),
    )


def _angoff_round(number: int, cells: dict[tuple[str, str], float]) -> AngoffRound:
    judges = list(dict.fromkeys(judge for judge, _ in cells))
    items = list(dict.fromkeys(item for _, item in cells))
    absent = [(judge, item) for judge in judges for item in items if (judge, item) not in cells]
    if absent:
        listed = "; ".join(f"judge {judge!r} on item {item!r}" for judge, item in absent[:5])
        raise ValueError(f"round {number} is incomplete: {len(absent)} rating(s) missing ({listed})")
    summaries = []
    for item in items:
        values = [cells[(judge, item)] for judge in judges]
        summaries.append(
            ItemRatingSummary(
                item_id=item,
                mean=mean(values),
                sd=_sample_sd(values),
                minimum=min(values),
                maximum=max(values),
                n_judges=len(values),
            )
        )
    judge_cuts = tuple(JudgeCut(judge, math.fsum(cells[(judge, item)] for item in items)) for judge in judges)
    judge_sd = _sample_sd([judge.cut for judge in judge_cuts])
    return AngoffRound(
        round=number,
        items=tuple(summaries),
        judges=judge_cuts,
        cut=math.fsum(summary.mean for summary in summaries),
        judge_sd=judge_sd,
        standard_error=judge_sd / math.sqrt(len(judges)) if judge_sd is not None else None,
    )


def _sample_sd(values: Sequence[float]) -> float | None:
    return math.sqrt(variance(values, ddof=1)) if len(values) > 1 else None


@dataclass(frozen=True)
class HofsteeJudgement:
    """One judge's four Hofstee answers, all in percent (0-100)."""

    judge: str
    min_cut: float
    max_cut: float
    min_fail: float
    max_fail: float


@dataclass(frozen=True)
class HofsteeResult:
    min_cut: float
    max_cut: float
    min_fail: float
    max_fail: float
    max_score: int
    curve: tuple[tuple[float, float], ...]
    cut_percent: float | None
    fail_rate_at_cut: float | None
    passing_raw_score: int | None
    observed_fail_rate: float | None
    no_intersection_reason: str | None


def hofstee(judgements: Sequence[HofsteeJudgement], totals: Sequence[float], max_score: int) -> HofsteeResult:
    """The Hofstee cut: the judges' mean bounds give the line from (min cut, max fail) to (max cut, min fail);
    the observed curve is the percentage of examinees scoring below each whole raw score, plotted against that
    score as a percent of `max_score` and joined by straight segments. The cut is where line and curve cross
    within [min cut, max cut]; a candidate passes with a raw score of at least the cut's ceiling, and
    `observed_fail_rate` is the share that then fails. Where they do not cross, the cut is None and
    `no_intersection_reason` says which way they miss. Raises ValueError for bounds outside [0, 100] or
    in the wrong order, no judges, no examinees, or max_score < 1."""
    if not judgements:
        raise ValueError("no Hofstee judgements")
    if not totals:
        raise ValueError("no examinee scores to draw the fail-rate curve from")
    if max_score < 1:
        raise ValueError("max_score must be at least 1")
    for j in judgements:
        values = (j.min_cut, j.max_cut, j.min_fail, j.max_fail)
        if not all(0.0 <= value <= 100.0 for value in values):
            raise ValueError(f"judge {j.judge!r}: every Hofstee answer is a percent between 0 and 100")
        if j.min_cut > j.max_cut or j.min_fail > j.max_fail:
            raise ValueError(f"judge {j.judge!r}: a minimum is above its maximum")
    min_cut = mean([j.min_cut for j in judgements])
    max_cut = mean([j.max_cut for j in judgements])
    min_fail = mean([j.min_fail for j in judgements])
    max_fail = mean([j.max_fail for j in judgements])
    curve = tuple(
        (100.0 * score / max_score, 100.0 * sum(1 for t in totals if t < score) / len(totals))
        for score in range(max_score + 1)
    )
    crossing = _crossing(curve, min_cut, max_cut, min_fail, max_fail)
    if isinstance(crossing, str):
        return HofsteeResult(min_cut, max_cut, min_fail, max_fail, max_score, curve, None, None, None, None, crossing)
    cut_percent, fail_rate = crossing
    passing = math.ceil(cut_percent * max_score / 100.0 - 1e-9)
    observed = 100.0 * sum(1 for t in totals if t < passing) / len(totals)
    return HofsteeResult(
        min_cut, max_cut, min_fail, max_fail, max_score, curve, cut_percent, fail_rate, passing, observed, None
    )


def _line(x: float, min_cut: float, max_cut: float, min_fail: float, max_fail: float) -> float:
    if max_cut == min_cut:
        return max_fail
    return max_fail + (min_fail - max_fail) * (x - min_cut) / (max_cut - min_cut)


def _curve_at(curve: tuple[tuple[float, float], ...], x: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(curve):
        if x0 <= x <= x1:
            return y0 if x1 == x0 else y0 + (y1 - y0) * (x - x0) / (x1 - x0)
    return curve[-1][1]


def _crossing(
    curve: tuple[tuple[float, float], ...], min_cut: float, max_cut: float, min_fail: float, max_fail: float
) -> tuple[float, float] | str:
    # Curve minus line never falls with x (the curve never falls, the line never rises), so it crosses zero
    # once at most; both are straight between the curve's points, so the crossing is solved exactly there.
    def gap(x: float) -> float:
        return _curve_at(curve, x) - _line(x, min_cut, max_cut, min_fail, max_fail)

    if gap(min_cut) > 0.0:
        return (
            f"At the lowest acceptable cut ({min_cut:.1f}%) {_curve_at(curve, min_cut):.1f}% already fail, more "
            f"than the highest acceptable fail rate ({max_fail:.1f}%): the judges' bounds and these results "
            "cannot be reconciled."
        )
    if min_cut == max_cut:
        at = _curve_at(curve, min_cut)
        if at < min_fail:
            return (
                f"At the only acceptable cut ({min_cut:.1f}%) {at:.1f}% fail, fewer than the lowest acceptable "
                f"fail rate ({min_fail:.1f}%)."
            )
        return min_cut, at
    if gap(max_cut) < 0.0:
        return (
            f"At the highest acceptable cut ({max_cut:.1f}%) only {_curve_at(curve, max_cut):.1f}% fail, fewer "
            f"than the lowest acceptable fail rate ({min_fail:.1f}%): the judges' bounds and these results "
            "cannot be reconciled."
        )
    xs = [min_cut, *(x for x, _ in curve if min_cut < x < max_cut), max_cut]
    for a, b in itertools.pairwise(xs):
        gap_a, gap_b = gap(a), gap(b)
        if gap_a <= 0.0 <= gap_b:
            cut = a if gap_b == gap_a else a + (b - a) * -gap_a / (gap_b - gap_a)
            return cut, _line(cut, min_cut, max_cut, min_fail, max_fail)
    raise AssertionError("a sign change between the ends implies a crossing")
