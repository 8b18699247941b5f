"""The F distribution's quantiles, for Feldt's confidence interval of alpha (the standard library has none)."""

from __future__ import annotations

import math

_EPSILON = 1e-15
_TINY = 1e-300


def regularized_incomplete_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must lie in [0, 1], got {x}")
    if x in (0.0, 1.0):
        return x
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    # The continued fraction converges fast only on this side of the mean; use the symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(x, a, b) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(1.0 - x, b, a) / b


def f_cdf(value: float, df1: float, df2: float) -> float:
    if value <= 0.0:
        return 0.0
    return regularized_incomplete_beta(df1 * value / (df1 * value + df2), df1 / 2.0, df2 / 2.0)


def f_quantile(probability: float, df1: float, df2: float) -> float:
    """The value below which the F(df1, df2) distribution has `probability` of its mass, 0 < probability < 1."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must lie strictly between 0 and 1, got {probability}")
    low, high = 0.0, 1.0
    while f_cdf(high, df1, df2) < probability:
        high *= 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if f_cdf(middle, df1, df2) < probability:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    # Lentz's method for the continued fraction of I_x(a, b) (Numerical Recipes, 6.4).
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 1000):
        m2 = 2 * m
        for numerator in (
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            step = c * d
            result *= step
        if abs(step - 1.0) < _EPSILON:
            return result
    raise ArithmeticError(f"incomplete beta did not converge for x={x}, a={a}, b={b}")
