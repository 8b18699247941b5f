from __future__ import annotations

import math
from collections.abc import Sequence


def mean(values: Sequence[float]) -> float:
    if not values:
        raise ValueError("mean of no values")
    return math.fsum(values) / len(values)


def variance(values: Sequence[float], *, ddof: int) -> float:
    """Variance with divisor n - ddof: ddof=0 for the population, ddof=1 for the sample (R's var/sd)."""
    if len(values) - ddof <= 0:
        raise ValueError(f"variance needs more than {ddof} values, got {len(values)}")
    centre = mean(values)
    return math.fsum((v - centre) ** 2 for v in values) / (len(values) - ddof)


def covariance(xs: Sequence[float], ys: Sequence[float], *, ddof: int) -> float:
    if len(xs) != len(ys):
        raise ValueError("covariance of sequences of different lengths")
    if len(xs) - ddof <= 0:
        raise ValueError(f"covariance needs more than {ddof} pairs, got {len(xs)}")
    mx, my = mean(xs), mean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - ddof)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r, or None where either variable is constant (r is undefined there, not zero)."""
    if len(xs) != len(ys):
        raise ValueError("correlation of sequences of different lengths")
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    return sxy / math.sqrt(sxx * syy)
