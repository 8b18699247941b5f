"""The charts of an exam analysis, drawn by analysis.charts: the score distribution with the cut, difficulty against
discrimination, and the option curves of one single-answer choice item."""

from __future__ import annotations

from dataclasses import replace

from examengine.analysis.charts import difficulty_discrimination_svg, option_curves_svg, score_histogram_svg
from examengine.analysis.curves import option_curves
from examengine.analysis.exam_results import ExamAnalysis, ItemAnalysis
from examengine.analysis.matrix import ResponseMatrix
from examengine.analysis.stats import ItemStats, analyze_matrix

CURVE_GROUPS = 5


def histogram(analysis: ExamAnalysis) -> str | None:
    if not analysis.test.distribution:
        return None
    return score_histogram_svg(
        analysis.test.distribution,
        cut_score=analysis.test.cut_score_raw,
        title=f"Score distribution of {analysis.test.n} attempts",
    )


def scatter(analysis: ExamAnalysis) -> str | None:
    if not analysis.items:
        return None
    # The chart labels each point with its item_id: the item's code reads better than its opaque id.
    shown = [
        ItemStats(
            item_id=item.column.code,
            version=item.column.version,
            key=None,
            n=item.n,
            p_value=item.p_value,
            mean_score=item.mean_score,
            point_biserial=item.point_biserial,
            corrected_point_biserial=item.corrected_point_biserial,
            omit_rate=item.omit_rate or 0.0,
            alpha_if_deleted=item.alpha_if_deleted,
            options=(),
            flags=item.flags,
        )
        for item in analysis.items
    ]
    return difficulty_discrimination_svg(shown)


def has_curves(item: ItemAnalysis) -> bool:
    """Option curves need one answer per candidate: a choice item with a single key."""
    return bool(item.column.options) and len(item.column.key) == 1 and item.given > 0


def curves(analysis: ExamAnalysis, item_id: str) -> str | None:
    """The option curves of one item over the attempts given it, ranked by their raw totals; None when the item
    is not in the analysis or has no curves (see has_curves)."""
    item = analysis.item(item_id)
    if item is None or not has_curves(item):
        return None
    j = analysis.items.index(item)
    chosen, totals = [], []
    for row, total in zip(analysis.responses.cells, analysis.totals, strict=True):
        cell = row[j]
        if cell is None:
            continue
        chosen.append((cell.chosen[0] if cell.chosen and len(cell.chosen) == 1 else None,))
        totals.append(total)
    matrix = ResponseMatrix(
        item_ids=(item.column.code,),
        responses=tuple(chosen),
        key=(next(iter(item.column.key)),),
        option_ids=item.column.options,
    )
    # A one-item analysis carries the matrix option_curves reads; its groups must be ranked by the exam totals.
    one_item = replace(analyze_matrix(matrix), totals=tuple(totals))
    drawn = option_curves(one_item, item.column.code, groups=min(CURVE_GROUPS, len(totals)))
    return option_curves_svg(drawn, title=f"Option curves for item {item.column.code}")
