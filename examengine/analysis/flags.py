"""Rules that flag an item for review, each with a reason a subject-matter expert can read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class FlagThresholds:
    too_easy_above: float = 0.95
    too_hard_below: float = 0.20
    low_discrimination_below: float = 0.15


@dataclass(frozen=True)
class Flag:
    code: str
    message: str
    option_id: str | None = None

    def to_dict(self) -> dict[str, str]:
        shown = {"code": self.code, "message": self.message}
        return shown if self.option_id is None else {**shown, "option": self.option_id}


@dataclass(frozen=True)
class OptionEvidence:
    option_id: str
    is_key: bool
    count: int
    point_biserial: float | None


def item_flags(
    *,
    n: int,
    p_value: float | None,
    corrected_point_biserial: float | None,
    options: Sequence[OptionEvidence],
    thresholds: FlagThresholds,
) -> tuple[Flag, ...]:
    """The review flags for one item, in a fixed order. Discrimination is judged on the corrected (item-rest)
    correlation because the uncorrected one is inflated by the item's own share of the total."""
    if n == 0 or p_value is None:
        return (Flag("no_responses", "Nobody answered this item, so nothing about it can be estimated."),)
    flags = []
    if p_value > thresholds.too_easy_above:
        flags.append(
            Flag(
                "too_easy",
                f"{p_value:.0%} answered correctly (above {thresholds.too_easy_above:.0%}): "
                "the item hardly separates candidates.",
            )
        )
    if p_value < thresholds.too_hard_below:
        flags.append(
            Flag(
                "too_hard",
                f"Only {p_value:.0%} answered correctly (below {thresholds.too_hard_below:.0%}): "
                "check the key and the wording.",
            )
        )
    if corrected_point_biserial is None:
        flags.append(
            Flag("no_variance", "Every examinee scored the same on this item, so its discrimination is undefined.")
        )
    elif corrected_point_biserial < 0.0:
        flags.append(
            Flag(
                "negative_discrimination",
                f"Item-rest correlation {corrected_point_biserial:.2f}: stronger candidates did worse on this "
                "item. The key may be wrong.",
            )
        )
    elif corrected_point_biserial < thresholds.low_discrimination_below:
        flags.append(
            Flag(
                "low_discrimination",
                f"Item-rest correlation {corrected_point_biserial:.2f} (below "
                f"{thresholds.low_discrimination_below:.2f}): the item barely separates stronger from weaker "
                "candidates.",
            )
        )
    for option in options:
        if option.is_key:
            continue
        if option.count == 0:
            flags.append(
                Flag(
                    "distractor_unused",
                    f"Nobody chose option {option.option_id}: it distracts no one.",
                    option.option_id,
                )
            )
        elif option.point_biserial is not None and option.point_biserial > 0.0:
            flags.append(
                Flag(
                    "distractor_positive",
                    f"Option {option.option_id} is wrong but correlates positively with the total score "
                    f"({option.point_biserial:.2f}): stronger candidates chose it. Check whether it is also correct.",
                    option.option_id,
                )
            )
    return tuple(flags)
