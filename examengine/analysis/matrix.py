"""The response matrix: examinees by items, each cell a raw response, a score, or missing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

Score = float | None
ScoreRows = tuple[tuple[Score, ...], ...]

# Spellings of "no answer" that every loader accepts, whatever the caller's own codes are.
ALWAYS_MISSING = frozenset({"", "NA", "N/A", "NaN", "nan"})


class MatrixError(ValueError):
    """Bad response or key data. `line` is the 1-based line of the file at fault, where there is one."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        where = ", ".join(part for part in (source, f"line {line}" if line is not None else None) if part)
        super().__init__(f"{where}: {message}" if where else message)


class MissingRule(StrEnum):
    """How an unanswered cell counts."""

    WRONG = "wrong"
    EXCLUDE = "exclude"

    @property
    def statement(self) -> str:
        if self is MissingRule.WRONG:
            return (
                "Missing answers are scored as wrong (0): every statistic uses all examinees. "
                "Option proportions are shares of all examinees, so they and the omit rate add up to 1."
            )
        return (
            "Missing answers are excluded: an item's n, p-value and correlations use only the examinees who "
            "answered it (totals still count a missing answer as 0); alpha uses pairwise-complete covariances. "
            "Option proportions are shares of all examinees, so they and the omit rate add up to 1."
        )


@dataclass(frozen=True)
class ResponseMatrix:
    """Raw responses, examinees by items. With a key each cell is an option id scored 1 when it equals the key;
    without one each cell must already be a number (0/1, or points for polytomous items).

    `line_numbers` holds each examinee's line in the source file, so scoring errors can point at it.
    `option_ids` is the full option set shared by all items, where it is known (so an option nobody chose shows
    up with a proportion of 0); otherwise an item's options are the responses seen for it plus its key.
    """

    item_ids: tuple[str, ...]
    responses: tuple[tuple[str | None, ...], ...]
    key: tuple[str, ...] | None = None
    item_versions: tuple[int | None, ...] | None = None
    option_ids: tuple[str, ...] | None = None
    line_numbers: tuple[int, ...] | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        width = len(self.item_ids)
        if width == 0:
            raise MatrixError("no items", source=self.source)
        if len(set(self.item_ids)) != width:
            duplicates = sorted({i for i in self.item_ids if self.item_ids.count(i) > 1})
            raise MatrixError(f"duplicate item ids: {', '.join(duplicates)}", source=self.source)
        for row_index, row in enumerate(self.responses):
            if len(row) != width:
                raise MatrixError(
                    f"examinee row has {len(row)} cells but there are {width} items",
                    source=self.source,
                    line=self.line_of(row_index),
                )
        if self.key is not None and len(self.key) != width:
            raise MatrixError(f"the key has {len(self.key)} entries but there are {width} items", source=self.source)
        if self.item_versions is not None and len(self.item_versions) != width:
            raise MatrixError("item_versions must have one entry per item", source=self.source)
        if self.line_numbers is not None and len(self.line_numbers) != len(self.responses):
            raise MatrixError("line_numbers must have one entry per examinee", source=self.source)

    @property
    def n_examinees(self) -> int:
        return len(self.responses)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def line_of(self, row_index: int) -> int | None:
        return self.line_numbers[row_index] if self.line_numbers is not None else None

    def version_of(self, item_index: int) -> int | None:
        return self.item_versions[item_index] if self.item_versions is not None else None

    def options_of(self, item_index: int) -> tuple[str, ...]:
        """The item's option ids: the shared set where known, else its key and observed responses, in order."""
        if self.option_ids is not None:
            seen = list(self.option_ids)
        else:
            seen = [self.key[item_index]] if self.key is not None else []
        for row in self.responses:
            cell = row[item_index]
            if cell is not None and cell not in seen:
                seen.append(cell)
        return tuple(sorted(seen, key=_option_sort_key))

    def scored(self) -> ScoreRows:
        """Scores per examinee and item, None where missing. Raises MatrixError naming the line and item of a
        cell that is not a number when there is no key."""
        if self.key is not None:
            key = self.key
            return tuple(
                tuple(None if cell is None else (1.0 if cell == key[j] else 0.0) for j, cell in enumerate(row))
                for row in self.responses
            )
        return tuple(
            tuple(self._number(cell, row_index, j) for j, cell in enumerate(row))
            for row_index, row in enumerate(self.responses)
        )

    def _number(self, cell: str | None, row_index: int, item_index: int) -> Score:
        if cell is None:
            return None
        try:
            value = float(cell)
        except ValueError:
            value = math.nan
        if not math.isfinite(value):
            raise MatrixError(
                f"item {self.item_ids[item_index]!r} has {cell!r}, but without a key every answer must be a "
                "score such as 0 or 1 (give a key to score option letters, or add the code to the missing codes)",
                source=self.source,
                line=self.line_of(row_index),
            )
        return value


def fill_missing(scores: ScoreRows, value: float = 0.0) -> tuple[tuple[float, ...], ...]:
    return tuple(tuple(value if cell is None else cell for cell in row) for row in scores)


def is_dichotomous(scores: Sequence[Sequence[Score]]) -> bool:
    return all(cell in (0.0, 1.0) for row in scores for cell in row if cell is not None)


def _option_sort_key(option: str) -> tuple[int, float, str]:
    # Numeric codes sort as numbers (2 before 10); letters alphabetically after them.
    try:
        return (0, float(option), option)
    except ValueError:
        return (1, 0.0, option)
