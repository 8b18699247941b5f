"""Empirical option curves: the share choosing each option in groups of examinees ranked by total score."""

from __future__ import annotations

from dataclasses import dataclass

from examengine.analysis.stats import Analysis

OMIT = "(omit)"


@dataclass(frozen=True)
class ScoreGroup:
    lowest_total: float
    highest_total: float
    size: int
    proportions: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class OptionCurves:
    item_id: str
    key: str | None
    options: tuple[str, ...]
    groups: tuple[ScoreGroup, ...]


def option_curves(analysis: Analysis, item_id: str, *, groups: int = 5) -> OptionCurves:
    """Examinees ranked by total score are cut into `groups` groups as equal in size as the ranks allow
    (quintiles by default; tied totals may fall on both sides of a boundary), and each group's share choosing
    each option, and omitting, is given. Raises KeyError for an unknown item and ValueError when the analysis
    has no key (there are no options then) or there are fewer examinees than groups."""
    matrix = analysis.matrix
    if item_id not in matrix.item_ids:
        raise KeyError(f"no item {item_id!r} in this analysis")
    if matrix.key is None:
        raise ValueError("option curves need raw option responses and a key")
    if groups < 1 or matrix.n_examinees < groups:
        raise ValueError(f"cannot split {matrix.n_examinees} examinees into {groups} groups")
    j = matrix.item_ids.index(item_id)
    options = matrix.options_of(j)
    shown = (*options, OMIT) if any(row[j] is None for row in matrix.responses) else options
    order = sorted(range(matrix.n_examinees), key=lambda index: analysis.totals[index])
    result = []
    for g in range(groups):
        members = order[g * len(order) // groups : (g + 1) * len(order) // groups]
        answers = [matrix.responses[index][j] for index in members]
        totals = [analysis.totals[index] for index in members]
        result.append(
            ScoreGroup(
                lowest_total=min(totals),
                highest_total=max(totals),
                size=len(members),
                proportions=tuple(
                    (option, sum(1 for a in answers if (a is None if option == OMIT else a == option)) / len(answers))
                    for option in shown
                ),
            )
        )
    return OptionCurves(item_id=item_id, key=matrix.key[j], options=shown, groups=tuple(result))
