"""Classical item analysis of a response matrix: difficulty, discrimination, distractors, reliability."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from examengine.analysis.flags import Flag, FlagThresholds, OptionEvidence, item_flags
from examengine.analysis.matrix import MissingRule, ResponseMatrix, fill_missing, is_dichotomous
from examengine.analysis.numeric import mean, pearson, variance
from examengine.analysis.reliability import AlphaMissing, cronbach_alpha, kr20, standard_error_of_measurement

DEFAULT_THRESHOLDS = FlagThresholds()
SD_DEFINITION = "sample standard deviation (divisor n - 1), as R's sd() and psych::describe report it"
POINT_BISERIAL_DEFINITION = (
    "Pearson correlation of the item score with the total score including the item (point_biserial) and "
    "with the total of the other items (corrected_point_biserial); option point-biserials correlate choosing "
    "the option with the total score"
)


@dataclass(frozen=True)
class OptionStats:
    option_id: str
    is_key: bool
    count: int
    proportion: float
    point_biserial: float | None


@dataclass(frozen=True)
class ItemStats:
    item_id: str
    version: int | None
    key: str | None
    n: int
    p_value: float | None
    mean_score: float | None
    point_biserial: float | None
    corrected_point_biserial: float | None
    omit_rate: float
    alpha_if_deleted: float | None
    options: tuple[OptionStats, ...]
    flags: tuple[Flag, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "version": self.version,
            "n": self.n,
            "p_value": self.p_value,
            "point_biserial": self.point_biserial,
            "corrected_point_biserial": self.corrected_point_biserial,
            "options": {option.option_id: option.proportion for option in self.options},
            "flags": [flag.to_dict() for flag in self.flags],
            "key": self.key,
            "mean_score": self.mean_score,
            "omit_rate": self.omit_rate,
            "option_point_biserials": {option.option_id: option.point_biserial for option in self.options},
            "alpha_if_deleted": self.alpha_if_deleted,
        }


@dataclass(frozen=True)
class TestStats:
    n: int
    n_items: int
    mean: float | None
    sd: float | None
    kr20: float | None
    cronbach_alpha: float | None
    alpha_ci: tuple[float | None, float | None]
    alpha_ci_level: float
    alpha_n: int
    alpha_missing: AlphaMissing
    sem: float | None
    dichotomous: bool
    distribution: tuple[tuple[float, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": self.mean,
            "sd": self.sd,
            "kr20": self.kr20,
            "sem": self.sem,
            "n_items": self.n_items,
            "sd_definition": SD_DEFINITION,
            "cronbach_alpha": self.cronbach_alpha,
            "alpha_ci": {"level": self.alpha_ci_level, "lower": self.alpha_ci[0], "upper": self.alpha_ci[1]},
            "alpha_n": self.alpha_n,
            "alpha_missing": self.alpha_missing.value,
            "dichotomous": self.dichotomous,
            "distribution": [{"score": _plain_number(score), "count": count} for score, count in self.distribution],
        }


@dataclass(frozen=True)
class Analysis:
    matrix: ResponseMatrix
    missing_rule: MissingRule
    totals: tuple[float, ...]
    items: tuple[ItemStats, ...]
    test: TestStats

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.matrix.source,
            "rules": {
                "missing": self.missing_rule.value,
                "missing_statement": self.missing_rule.statement,
                "correlations": POINT_BISERIAL_DEFINITION,
                "sem": "SEM = sd * sqrt(1 - reliability), reliability being KR-20 for 0/1 items, else alpha",
            },
            "test": self.test.to_dict(),
            "items": [item.to_dict() for item in self.items],
        }


def analyze_matrix(
    matrix: ResponseMatrix,
    *,
    missing_rule: MissingRule = MissingRule.WRONG,
    thresholds: FlagThresholds = DEFAULT_THRESHOLDS,
) -> Analysis:
    """Item and test statistics for a matrix. A candidate's total counts a missing answer as 0 under either
    rule; `missing_rule` decides whether item statistics use everyone (WRONG) or only those who answered
    (EXCLUDE), and whether alpha sees zeros (WRONG) or pairwise-complete covariances (EXCLUDE).
    Raises MatrixError for an unscorable cell and ValueError for a matrix without examinees."""
    if matrix.n_examinees == 0:
        raise ValueError("no examinees to analyse")
    scores = matrix.scored()
    filled = fill_missing(scores)
    totals = tuple(math.fsum(row) for row in filled)
    dichotomous = is_dichotomous(scores)
    if missing_rule is MissingRule.WRONG:
        alpha = cronbach_alpha(filled, missing=AlphaMissing.LISTWISE)
        kr = kr20(filled) if dichotomous else None
    else:
        alpha = cronbach_alpha(scores, missing=AlphaMissing.PAIRWISE)
        # KR-20 is alpha for 0/1 items; with missing cells it is the same pairwise estimate.
        kr = alpha.alpha if dichotomous else None
    items = tuple(
        _item_stats(matrix, j, scores, totals, missing_rule, alpha.alpha_if_deleted[j], thresholds)
        for j in range(matrix.n_items)
    )
    sd = variance(totals, ddof=1) ** 0.5 if len(totals) > 1 else None
    reliability = kr if dichotomous else alpha.alpha
    test = TestStats(
        n=matrix.n_examinees,
        n_items=matrix.n_items,
        mean=mean(totals),
        sd=sd,
        kr20=kr,
        cronbach_alpha=alpha.alpha,
        alpha_ci=(alpha.ci_lower, alpha.ci_upper),
        alpha_ci_level=alpha.ci_level,
        alpha_n=alpha.n,
        alpha_missing=alpha.missing,
        sem=standard_error_of_measurement(sd, reliability) if sd is not None else None,
        dichotomous=dichotomous,
        distribution=score_distribution(totals, max_score=matrix.n_items if dichotomous else None),
    )
    return Analysis(matrix=matrix, missing_rule=missing_rule, totals=totals, items=items, test=test)


def score_distribution(totals: tuple[float, ...], *, max_score: int | None = None) -> tuple[tuple[float, int], ...]:
    """(total score, number of examinees) in score order. With `max_score` every whole score from 0 to it is
    listed, including those nobody obtained."""
    counts = Counter(totals)
    if max_score is not None:
        return tuple((float(score), counts.get(float(score), 0)) for score in range(max_score + 1))
    return tuple(sorted(counts.items()))


def _item_stats(
    matrix: ResponseMatrix,
    j: int,
    scores: tuple[tuple[float | None, ...], ...],
    totals: tuple[float, ...],
    missing_rule: MissingRule,
    alpha_if_deleted: float | None,
    thresholds: FlagThresholds,
) -> ItemStats:
    column = [row[j] for row in scores]
    omitted = sum(1 for cell in column if cell is None)
    if missing_rule is MissingRule.WRONG:
        used = [(0.0 if cell is None else cell, total) for cell, total in zip(column, totals, strict=True)]
    else:
        used = [(cell, total) for cell, total in zip(column, totals, strict=True) if cell is not None]
    item_scores = [score for score, _ in used]
    item_totals = [total for _, total in used]
    mean_score = mean(item_scores) if used else None
    top = max((cell for cell in column if cell is not None), default=0.0)
    p_value = None if mean_score is None else (mean_score / top if top > 0 else 0.0)
    corrected = pearson(item_scores, [total - score for score, total in used]) if used else None
    options = _option_stats(matrix, j, totals) if matrix.key is not None else ()
    evidence = [OptionEvidence(o.option_id, o.is_key, o.count, o.point_biserial) for o in options]
    return ItemStats(
        item_id=matrix.item_ids[j],
        version=matrix.version_of(j),
        key=matrix.key[j] if matrix.key is not None else None,
        n=len(used),
        p_value=p_value,
        mean_score=mean_score,
        point_biserial=pearson(item_scores, item_totals) if used else None,
        corrected_point_biserial=corrected,
        omit_rate=omitted / matrix.n_examinees,
        alpha_if_deleted=alpha_if_deleted,
        options=options,
        flags=item_flags(
            n=len(used),
            p_value=p_value,
            corrected_point_biserial=corrected,
            options=evidence,
            thresholds=thresholds,
        ),
    )


def _option_stats(matrix: ResponseMatrix, j: int, totals: tuple[float, ...]) -> tuple[OptionStats, ...]:
    column = [row[j] for row in matrix.responses]
    key = matrix.key[j] if matrix.key is not None else None
    result = []
    for option in matrix.options_of(j):
        chose = [1.0 if cell == option else 0.0 for cell in column]
        count = int(sum(chose))
        result.append(
            OptionStats(
                option_id=option,
                is_key=option == key,
                count=count,
                proportion=count / len(column),
                point_biserial=pearson(chose, list(totals)),
            )
        )
    return tuple(result)


def _plain_number(value: float) -> float | int:
    return int(value) if value.is_integer() else value
