"""Server-rendered SVG charts, readable without colour: hatching, markers, dash patterns and text labels."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from examengine.analysis.curves import OptionCurves
from examengine.analysis.flags import FlagThresholds
from examengine.analysis.standard_setting import HofsteeResult
from examengine.analysis.stats import DEFAULT_THRESHOLDS, ItemStats
from examengine.analysis.svg import DASHES, FONT, MARKERS, Plot, axes, document, esc, marker, nice_ticks, number

WIDTH, HEIGHT = 640, 400


def score_histogram_svg(
    distribution: Sequence[tuple[float, int]],
    *,
    cut_score: float | None = None,
    title: str = "Score distribution",
    element_id: str = "histogram",
) -> str:
    """Bars of examinees per total score; with a cut, the bars below it are hatched and a dashed line marks it.
    `element_id` keeps the hatch pattern's id unique when several charts share a page."""
    if not distribution:
        raise ValueError("an empty score distribution cannot be drawn")
    scores = [score for score, _ in distribution]
    peak = max(count for _, count in distribution) or 1
    plot = Plot(WIDTH, HEIGHT, min(scores) - 0.5, max(scores) + 0.5, 0, peak * 1.1)
    step = min((b - a for a, b in itertools.pairwise(scores)), default=1.0)
    bar_width = max(plot.x(step) - plot.x(0) - 2, 1)
    hatch = f"{element_id}-hatch"
    defs = (
        f'<pattern id="{esc(hatch)}" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#000000" stroke-width="2"/></pattern>'
    )
    body = axes(
        plot,
        x_ticks=[(s, number(s)) for s in _thin(scores, 20)],
        y_ticks=[(v, number(v)) for v in nice_ticks(0, peak * 1.1)],
        x_label="Total score",
        y_label="Examinees",
    )
    for score, count in distribution:
        below = cut_score is not None and score < cut_score
        fill = f"url(#{esc(hatch)})" if below else "#777777"
        top = plot.y(count)
        body.append(
            f'<rect x="{number(plot.x(score) - bar_width / 2)}" y="{number(top)}" width="{number(bar_width)}" '
            f'height="{number(plot.y(0) - top)}" fill="{fill}" stroke="#000000">'
            f"<title>{esc(f'score {number(score)}: {count} examinee(s)')}</title></rect>"
        )
    legend = "Solid bars: examinees per total score."
    if cut_score is not None:
        x = number(plot.x(math.ceil(cut_score - 1e-9) - step / 2))
        body.append(
            f'<line x1="{x}" y1="{plot.top}" x2="{x}" y2="{number(plot.y(0))}" stroke="#000000" '
            f'stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{x}" y="{plot.top - 4}" text-anchor="middle" {FONT}>{esc(f"Cut {number(cut_score)}")}</text>'
        )
        legend = f"Hatched bars fail (below the cut of {number(cut_score)}); solid bars pass."
    body.append(f'<text x="{plot.left}" y="{HEIGHT - 2}" {FONT}>{esc(legend)}</text>')
    total = sum(count for _, count in distribution)
    description = f"Histogram of {total} examinees' total scores from {number(min(scores))} to {number(max(scores))}. "
    return document(width=WIDTH, height=HEIGHT, title=title, description=description + legend, body=body, defs=defs)


def difficulty_discrimination_svg(
    items: Sequence[ItemStats],
    *,
    thresholds: FlagThresholds = DEFAULT_THRESHOLDS,
    title: str = "Item difficulty and discrimination",
) -> str:
    """One labelled marker per item: p-value across, corrected item-rest correlation up; flagged items are
    triangles, the others circles; dashed lines mark the flag thresholds."""
    plotted = [
        (item, item.p_value, item.corrected_point_biserial)
        for item in items
        if item.p_value is not None and item.corrected_point_biserial is not None
    ]
    values = [r for _, _, r in plotted]
    y_low = min([-0.2, *values])
    y_high = max([0.6, *values])
    plot = Plot(WIDTH, HEIGHT, 0.0, 1.0, math.floor(y_low * 10) / 10, math.ceil(y_high * 10) / 10, right=48)
    body = axes(
        plot,
        x_ticks=[(v / 10, number(v / 10)) for v in range(0, 11, 2)],
        y_ticks=[(v, number(v)) for v in nice_ticks(plot.y_min, plot.y_max)],
        x_label="Difficulty: p-value (proportion correct)",
        y_label="Discrimination: item-rest correlation",
    )
    for x_value, label in ((thresholds.too_hard_below, "too hard"), (thresholds.too_easy_above, "too easy")):
        x = number(plot.x(x_value))
        body.append(
            f'<line x1="{x}" y1="{plot.top}" x2="{x}" y2="{number(plot.y(plot.y_min))}" stroke="#000000" '
            f'stroke-dasharray="4 4"/><text x="{x}" y="{plot.top - 4}" text-anchor="middle" {FONT}>{label}</text>'
        )
    y = number(plot.y(thresholds.low_discrimination_below))
    body.append(
        f'<line x1="{plot.left}" y1="{y}" x2="{WIDTH - plot.right}" y2="{y}" stroke="#000000" stroke-dasharray="4 4"/>'
        f'<text x="{WIDTH - plot.right + 2}" y="{y}" dy="4" {FONT}>low r</text>'
    )
    for item, p_value, r in plotted:
        at_x, at_y = plot.x(p_value), plot.y(r)
        tip = f"{item.item_id}: p = {p_value:.2f}, r = {r:.2f}"
        body.append(marker("triangle" if item.flags else "circle", at_x, at_y, label=tip))
        body.append(f'<text x="{number(at_x + 7)}" y="{number(at_y - 6)}" {FONT}>{esc(item.item_id)}</text>')
    flagged = sum(1 for item, _, _ in plotted if item.flags)
    legend = f"Triangles: {flagged} flagged item(s); circles: the other {len(plotted) - flagged}."
    body.append(f'<text x="{plot.left}" y="{HEIGHT - 2}" {FONT}>{esc(legend)}</text>')
    description = f"Scatter plot of {len(plotted)} items. " + legend
    return document(width=WIDTH, height=HEIGHT, title=title, description=description, body=body)


def option_curves_svg(curves: OptionCurves, *, title: str | None = None) -> str:
    """One line per option across the score groups, each with its own marker and dash pattern and a label at
    its end; the key's line is thicker and labelled "(key)"."""
    title = title or f"Option curves for item {curves.item_id}"
    count = len(curves.groups)
    plot = Plot(WIDTH, HEIGHT, 0.5, count + 0.5, 0.0, 1.0, right=96)
    body = axes(
        plot,
        x_ticks=[
            (g + 1, f"{number(group.lowest_total)}-{number(group.highest_total)}")
            for g, group in enumerate(curves.groups)
        ],
        y_ticks=[(v / 5, number(v / 5)) for v in range(6)],
        x_label="Score group (total score range, lowest to highest)",
        y_label="Proportion choosing the option",
    )
    summaries = []
    for index, option in enumerate(curves.options):
        shape, dash = MARKERS[index % len(MARKERS)], DASHES[index % len(DASHES)]
        points = [(g + 1, dict(group.proportions)[option]) for g, group in enumerate(curves.groups)]
        is_key = option == curves.key
        name = f"{option} (key)" if is_key else option
        dash_attribute = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<polyline points="{" ".join(plot.point(x, y) for x, y in points)}" fill="none" stroke="#000000" '
            f'stroke-width="{3 if is_key else 1.5}"{dash_attribute}/>'
        )
        for x, y in points:
            body.append(marker(shape, plot.x(x), plot.y(y), label=f"{name}: {y:.2f}"))
        last_x, last_y = points[-1]
        body.append(
            f'<text x="{number(plot.x(last_x) + 10)}" y="{number(plot.y(last_y))}" dy="4" {FONT}>{esc(name)}</text>'
        )
        summaries.append(f"{name} from {points[0][1]:.2f} to {points[-1][1]:.2f}")
    description = f"Share choosing each option in {count} score groups, lowest to highest: " + "; ".join(summaries)
    return document(width=WIDTH, height=HEIGHT, title=title, description=description, body=body)


def hofstee_svg(result: HofsteeResult, *, title: str = "Hofstee standard setting") -> str:
    """The observed fail-rate curve, the judges' bounds as a dotted box, their line as a dashed diagonal, and the
    crossing (the cut) as a labelled diamond, or a note that they do not cross."""
    plot = Plot(WIDTH, HEIGHT, 0.0, 100.0, 0.0, 100.0)
    body = axes(
        plot,
        x_ticks=[(v, f"{v}%") for v in range(0, 101, 20)],
        y_ticks=[(v, f"{v}%") for v in range(0, 101, 20)],
        x_label="Cut score (percent of the maximum score)",
        y_label="Examinees failing",
    )
    box_x, box_y = plot.x(result.min_cut), plot.y(result.max_fail)
    body.append(
        f'<rect x="{number(box_x)}" y="{number(box_y)}" width="{number(plot.x(result.max_cut) - box_x)}" '
        f'height="{number(plot.y(result.min_fail) - box_y)}" fill="none" stroke="#000000" stroke-dasharray="2 3">'
        "<title>the judges' acceptable cut scores and fail rates</title></rect>"
    )
    body.append(
        f'<polyline points="{" ".join(plot.point(x, y) for x, y in result.curve)}" fill="none" stroke="#000000" '
        'stroke-width="2"><title>observed: percent failing at each cut</title></polyline>'
        f'<line x1="{number(plot.x(result.min_cut))}" y1="{number(plot.y(result.max_fail))}" '
        f'x2="{number(plot.x(result.max_cut))}" y2="{number(plot.y(result.min_fail))}" stroke="#000000" '
        'stroke-width="2" stroke-dasharray="8 4"><title>judges\' line</title></line>'
    )
    if result.cut_percent is not None and result.fail_rate_at_cut is not None:
        x, y = plot.x(result.cut_percent), plot.y(result.fail_rate_at_cut)
        outcome = f"Cut {result.cut_percent:.1f}%: {result.fail_rate_at_cut:.1f}% fail"
        body.append(marker("diamond", x, y, size=6, label=outcome))
        body.append(f'<text x="{number(x + 10)}" y="{number(y - 10)}" {FONT}>{esc(outcome)}</text>')
    else:
        outcome = result.no_intersection_reason or "No cut"
        # The reason is two clauses split at its colon, so each line fits the chart's width.
        for line, clause in enumerate(outcome.split(": ", 1)):
            body.append(f'<text x="{plot.left + 8}" y="{plot.top + 16 + 16 * line}" {FONT}>{esc(clause)}</text>')
    legend = "Solid line: observed fail rate; dashed: judges' line; dotted box: judges' bounds."
    body.append(f'<text x="{plot.left}" y="{HEIGHT - 2}" {FONT}>{esc(legend)}</text>')
    return document(width=WIDTH, height=HEIGHT, title=title, description=f"{outcome}. {legend}", body=body)


def _thin(values: Sequence[float], at_most: int) -> list[float]:
    every = max(1, math.ceil(len(values) / at_most))
    return list(values[::every])
