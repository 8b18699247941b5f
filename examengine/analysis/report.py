"""An analysis as JSON, CSV (one row per item) or a standalone HTML report with its charts; the entry points of
`examengine analyze`."""

from __future__ import annotations

import io
import json
from collections.abc import Collection
from pathlib import Path
from typing import Literal

from examengine import csv_export
from examengine.analysis.charts import difficulty_discrimination_svg, option_curves_svg, score_histogram_svg
from examengine.analysis.curves import option_curves
from examengine.analysis.loaders import load_key, load_responses, with_key
from examengine.analysis.matrix import MissingRule
from examengine.analysis.stats import Analysis, ItemStats, analyze_matrix
from examengine.analysis.svg import esc

Format = Literal["json", "csv", "html"]
FORMATS: tuple[Format, ...] = ("json", "csv", "html")
CSV_COLUMNS = (
    "item_id",
    "version",
    "key",
    "n",
    "p_value",
    "point_biserial",
    "corrected_point_biserial",
    "omit_rate",
    "alpha_if_deleted",
    "options",
    "option_point_biserials",
    "flags",
)


def analyze_files(
    responses_path: str | Path,
    key_path: str | Path | None = None,
    *,
    missing_codes: Collection[str] = (),
    missing_rule: MissingRule = MissingRule.WRONG,
) -> Analysis:
    """Load a responses CSV (and a key, when the responses are option ids) and analyse it. Empty and NA cells
    are always missing; `missing_codes` adds codes such as "8" for omitted. Raises MatrixError, naming the file
    and line, for unreadable or inconsistent input, and OSError when a file cannot be read."""
    matrix = load_responses(responses_path, missing_codes=missing_codes)
    if key_path is not None:
        matrix = with_key(matrix, load_key(key_path, matrix.item_ids))
    return analyze_matrix(matrix, missing_rule=missing_rule)


def render(analysis: Analysis, fmt: Format, *, cut_score: float | None = None) -> str:
    """The analysis as JSON, CSV or HTML text. `cut_score` (raw) is marked on the HTML histogram.
    Raises ValueError for an unknown format."""
    if fmt == "json":
        return json.dumps(analysis.to_dict(), indent=2, allow_nan=False) + "\n"
    if fmt == "csv":
        return _csv(analysis)
    if fmt == "html":
        return _html(analysis, cut_score)
    raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")


def _csv(analysis: Analysis) -> str:
    out = io.StringIO()
    writer = csv_export.Writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in analysis.items:
        writer.writerow(
            [
                item.item_id,
                "" if item.version is None else item.version,
                item.key or "",
                item.n,
                _cell(item.p_value),
                _cell(item.point_biserial),
                _cell(item.corrected_point_biserial),
                _cell(item.omit_rate),
                _cell(item.alpha_if_deleted),
                " ".join(f"{o.option_id}={_cell(o.proportion)}" for o in item.options),
                " ".join(f"{o.option_id}={_cell(o.point_biserial)}" for o in item.options),
                "; ".join(flag.message for flag in item.flags),
            ]
        )
    return out.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _shown(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


STYLE = """
body { font-family: sans-serif; margin: 2rem; color: #000; max-width: 72rem; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #888; padding: 0.25rem 0.5rem; text-align: right; vertical-align: top; }
th:first-child, td:first-child, td.text { text-align: left; }
td.flagged { font-weight: bold; }
svg { display: block; max-width: 100%; height: auto; margin: 1rem 0; }
"""


def _html(analysis: Analysis, cut_score: float | None) -> str:
    test = analysis.test
    source = analysis.matrix.source or "responses"
    summary_rows = [
        ("Examinees", str(test.n)),
        ("Items", str(test.n_items)),
        ("Mean total score", _shown(test.mean, 2)),
        ("Standard deviation (sample, n - 1)", _shown(test.sd, 2)),
        ("KR-20" if test.dichotomous else "KR-20 (not defined: items are not all 0/1)", _shown(test.kr20)),
        ("Cronbach's alpha", _shown(test.cronbach_alpha)),
        (
            f"Alpha {test.alpha_ci_level:.0%} interval (Feldt)",
            f"{_shown(test.alpha_ci[0])} to {_shown(test.alpha_ci[1])}",
        ),
        ("Standard error of measurement", _shown(test.sem, 2)),
    ]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Item analysis: {esc(source)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Item analysis: {esc(source)}</h1>",
        f"<p>{esc(analysis.missing_rule.statement)}</p>",
        "<h2>Test</h2><table><tbody>",
        *(f"<tr><th scope='row'>{esc(name)}</th><td>{esc(value)}</td></tr>" for name, value in summary_rows),
        "</tbody></table>",
        score_histogram_svg(test.distribution, cut_score=cut_score),
        "<h2>Items</h2>",
        difficulty_discrimination_svg(analysis.items),
        _item_table(analysis.items),
    ]
    if analysis.matrix.key is not None:
        parts.append("<h2>Option curves</h2><p>Flagged items are open; select any other item to see its curves.</p>")
        for item in analysis.items:
            curves = option_curves(analysis, item.item_id, groups=min(5, analysis.matrix.n_examinees))
            opened = " open" if item.flags else ""
            parts.append(
                f"<details{opened}><summary>{esc(item.item_id)}</summary>{option_curves_svg(curves)}</details>"
            )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _item_table(items: tuple[ItemStats, ...]) -> str:
    head = (
        "<table><thead><tr><th scope='col'>Item</th><th scope='col'>Key</th><th scope='col'>n</th>"
        "<th scope='col'>p-value</th><th scope='col'>Point-biserial</th><th scope='col'>Corrected</th>"
        "<th scope='col'>Omitted</th><th scope='col'>Alpha if deleted</th><th scope='col'>Options (proportion, r)</th>"
        "<th scope='col'>Flags</th></tr></thead><tbody>"
    )
    rows = []
    for item in items:
        options = "<br>".join(
            esc(f"{o.option_id}{'*' if o.is_key else ''}: {o.proportion:.2f}, r {_shown(o.point_biserial, 2)}")
            for o in item.options
        )
        flags = "<br>".join(esc(flag.message) for flag in item.flags) or "none"
        rows.append(
            f"<tr><td>{esc(item.item_id)}</td><td>{esc(item.key or '')}</td><td>{item.n}</td>"
            f"<td>{_shown(item.p_value)}</td><td>{_shown(item.point_biserial)}</td>"
            f"<td>{_shown(item.corrected_point_biserial)}</td><td>{_shown(item.omit_rate)}</td>"
            f"<td>{_shown(item.alpha_if_deleted)}</td><td class='text'>{options}</td>"
            f"<td class='text{' flagged' if item.flags else ''}'>{flags}</td></tr>"
        )
    return head + "".join(rows) + "</tbody></table><p>* marks the key.</p>"
