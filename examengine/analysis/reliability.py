"""Internal consistency: Cronbach's alpha (any item scores), KR-20 (0/1 items), alpha if an item is deleted,
Feldt's confidence interval and the standard error of measurement."""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from examengine.analysis.distributions import f_quantile
from examengine.analysis.matrix import Score
from examengine.analysis.numeric import covariance, mean, variance


class AlphaMissing(StrEnum):
    """What alpha does with missing cells: drop the examinee (psych's use="complete.obs", pingouin's
    nan_policy="listwise"), or estimate each covariance from the examinees who answered both items (psych's
    use="pairwise", pingouin's default)."""

    LISTWISE = "listwise"
    PAIRWISE = "pairwise"


@dataclass(frozen=True)
class AlphaResult:
    alpha: float | None
    alpha_if_deleted: tuple[float | None, ...]
    n: int
    k: int
    missing: AlphaMissing
    ci_level: float
    ci_lower: float | None
    ci_upper: float | None


def cronbach_alpha(
    scores: Sequence[Sequence[Score]], *, missing: AlphaMissing = AlphaMissing.LISTWISE, ci_level: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha = k/(k-1) * (1 - sum of item variances / variance of the total), from the item
    covariance matrix, with alpha for each item deleted and Feldt's interval at `ci_level`. Alpha is None
    where it is undefined (fewer than 2 items, or a total with no variance). Raises ValueError for rows of
    unequal length."""
    k = len(scores[0]) if scores else 0
    if any(len(row) != k for row in scores):
        raise ValueError("every examinee needs a score (or None) for every item")
    if missing is AlphaMissing.LISTWISE:
        complete = [[cell for cell in row if cell is not None] for row in scores if None not in row]
        n = len(complete)
        alpha, if_deleted = _alpha_complete(complete, k)
    else:
        n = sum(1 for row in scores if any(cell is not None for cell in row))
        alpha, if_deleted = _alpha_from_covariances(_pairwise_covariances(scores, k))
    lower, upper = feldt_interval(alpha, n, k, ci_level) if alpha is not None else (None, None)
    return AlphaResult(alpha, if_deleted, n, k, missing, ci_level, lower, upper)


def kr20(scores: Sequence[Sequence[float]]) -> float | None:
    """Kuder-Richardson 20 for complete 0/1 scores: k/(k-1) * (1 - sum p*q / population variance of totals).
    None where undefined. Raises ValueError for a score other than 0 or 1."""
    if not scores or len(scores[0]) < 2:
        return None
    if any(cell not in (0.0, 1.0) for row in scores for cell in row):
        raise ValueError("KR-20 needs 0/1 scores; use cronbach_alpha for other scores")
    k = len(scores[0])
    proportions = [mean([row[j] for row in scores]) for j in range(k)]
    total_variance = variance([math.fsum(row) for row in scores], ddof=0)
    if total_variance <= 0.0:
        return None
    return k / (k - 1) * (1.0 - math.fsum(p * (1.0 - p) for p in proportions) / total_variance)


def feldt_interval(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float | None, float | None]:
    """Feldt, Woodruff & Salih (1987): 1 - (1 - alpha) * F quantiles with (n-1, (n-1)(k-1)) degrees of freedom.
    (None, None) where n < 2 or k < 2."""
    if n < 2 or k < 2:
        return None, None
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - level) / 2.0
    return (
        1.0 - (1.0 - alpha) * f_quantile(1.0 - tail, df1, df2),
        1.0 - (1.0 - alpha) * f_quantile(tail, df1, df2),
    )


def standard_error_of_measurement(sd: float, reliability: float | None) -> float | None:
    """SD * sqrt(1 - reliability); None where the reliability is unknown or above 1."""
    if reliability is None or reliability > 1.0:
        return None
    return sd * math.sqrt(1.0 - reliability)


def _alpha_complete(rows: Sequence[Sequence[float]], k: int) -> tuple[float | None, tuple[float | None, ...]]:
    # With complete rows the variances suffice: O(n*k) rather than the O(n*k^2) covariance matrix.
    if k < 2 or len(rows) < 2:
        return None, tuple(None for _ in range(k))
    columns = [[row[j] for row in rows] for j in range(k)]
    totals = [math.fsum(row) for row in rows]
    item_variances = [variance(column, ddof=1) for column in columns]
    total_variance = variance(totals, ddof=1)
    alpha = _alpha(k, math.fsum(item_variances), total_variance)
    if k < 3:
        return alpha, tuple(None for _ in range(k))
    if_deleted = []
    for j, column in enumerate(columns):
        rest_variance = total_variance - 2.0 * covariance(column, totals, ddof=1) + item_variances[j]
        if_deleted.append(_alpha(k - 1, math.fsum(item_variances) - item_variances[j], rest_variance))
    return alpha, tuple(if_deleted)


def _pairwise_covariances(scores: Sequence[Sequence[Score]], k: int) -> list[list[float | None]]:
    # Each covariance uses the examinees who answered both items. Zero-filled scores times 0/1 "answered"
    # indicators turn every pairwise sum into a dot product over whole columns, which runs at C speed: this
    # is what keeps 3000 examinees x 200 items to seconds in pure Python.
    # Centring each column first (covariances do not change) keeps the sums small, so a constant item gets a
    # covariance of exactly 0 instead of rounding noise.
    answered = [[0.0 if row[j] is None else 1.0 for row in scores] for j in range(k)]
    filled = []
    for j in range(k):
        present = [cell for row in scores if (cell := row[j]) is not None]
        centre = mean(present) if present else 0.0
        filled.append([0.0 if (cell := row[j]) is None else cell - centre for row in scores])
    matrix: list[list[float | None]] = [[None] * k for _ in range(k)]
    for i in range(k):
        for j in range(i, k):
            n = sum(map(operator.mul, answered[i], answered[j]))
            if n < 2:
                continue
            sum_x = sum(map(operator.mul, filled[i], answered[j]))
            sum_y = sum(map(operator.mul, filled[j], answered[i]))
            sum_xy = sum(map(operator.mul, filled[i], filled[j]))
            matrix[i][j] = matrix[j][i] = (sum_xy - sum_x * sum_y / n) / (n - 1)
    return matrix


def _alpha_from_covariances(matrix: list[list[float | None]]) -> tuple[float | None, tuple[float | None, ...]]:
    k = len(matrix)
    if k < 2 or any(cell is None for row in matrix for cell in row):
        return None, tuple(None for _ in range(k))
    cells = [[cell for cell in row if cell is not None] for row in matrix]
    trace = math.fsum(cells[i][i] for i in range(k))
    total = math.fsum(math.fsum(row) for row in cells)
    alpha = _alpha(k, trace, total)
    if k < 3:
        return alpha, tuple(None for _ in range(k))
    return alpha, tuple(
        _alpha(k - 1, trace - cells[i][i], total - 2.0 * math.fsum(cells[i]) + cells[i][i]) for i in range(k)
    )


def _alpha(k: int, sum_item_variances: float, total_variance: float) -> float | None:
    # A total variance that is zero but for rounding (the rest of the items are constant) leaves alpha undefined.
    if total_variance <= 1e-12 * max(1.0, abs(sum_item_variances)):
        return None
    return k / (k - 1) * (1.0 - sum_item_variances / total_variance)
