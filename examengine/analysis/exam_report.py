"""An exam analysis as CSV (one row per item version), for the API and the admin page's download."""

from __future__ import annotations

import io

from examengine import csv_export
from examengine.analysis.exam_results import ExamAnalysis

CSV_COLUMNS = (
    "item_id",
    "code",
    "version",
    "title",
    "n",
    "given",
    "p_value",
    "point_biserial",
    "corrected_point_biserial",
    "omit_rate",
    "alpha_if_deleted",
    "key",
    "options",
    "option_point_biserials",
    "flags",
)


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def analysis_csv(analysis: ExamAnalysis) -> str:
    out = io.StringIO()
    writer = csv_export.Writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in analysis.items:
        column = item.column
        writer.writerow(
            [
                column.item_id,
                column.code,
                column.version,
                column.title,
                item.n,
                item.given,
                _cell(item.p_value),
                _cell(item.point_biserial),
                _cell(item.corrected_point_biserial),
                _cell(item.omit_rate),
                _cell(item.alpha_if_deleted),
                " ".join(sorted(column.key)) if column.options else "",
                " ".join(f"{o.option_id}={_cell(o.proportion)}" for o in item.options),
                " ".join(f"{o.option_id}={_cell(o.point_biserial)}" for o in item.options),
                "; ".join(flag.message for flag in item.flags),
            ]
        )
    return out.getvalue()


def csv_filename(analysis: ExamAnalysis) -> str:
    responses = analysis.responses
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in responses.code)
    return f"item-analysis-{safe}-v{responses.version}.csv"
