"""The native item kinds (single_choice, multiple_response, ...): the authoring form and its validation.

`NativeItem` is the authoring form (documented in itembank/formats/NATIVE.md); `native_compile.compile_item`
turns a validated one into ItemContent with declarations and response processing.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from itembank.content import (
    ItemMetadata,
)

NativeKind = Literal[
    "single_choice",
    "multiple_response",
    "true_false",
    "numeric",
    "short_text",
    "ordering",
    "matching",
    "inline_choice",
    "essay",
]
GAP_MARKER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}")
IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_.-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class NativeOption(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    text: str
    correct: bool = False
    weight: float | None = None
    fixed: bool = False
    feedback: str | None = None


class NativeAnswer(_Strict):
    text: str
    points: float | None = None


class NativePair(_Strict):
    left: str
    right: str


class NativeGap(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    options: list[NativeOption]


class NativeItem(_Strict):
    id: str = Field(min_length=1, max_length=200)
    kind: NativeKind
    stem: str
    title: str = ""
    points: float = Field(default=1.0, ge=0)
    options: list[NativeOption] = []
    shuffle: bool = True
    floor: float | None = 0.0
    ceiling: float | None = None
    answer: bool | float | None = None
    tolerance: float = Field(default=0.0, ge=0)
    tolerance_mode: Literal["absolute", "relative"] = "absolute"
    answers: list[NativeAnswer] = []
    case_sensitive: bool = False
    normalize_whitespace: bool = True
    pairs: list[NativePair] = []
    distractors: list[str] = []
    gaps: list[NativeGap] = []
    expected_lines: int | None = None
    word_limit: int | None = Field(default=None, ge=1)
    rubric: str = ""
    rationale: str = ""
    metadata: ItemMetadata = ItemMetadata()

    @model_validator(mode="after")
    def _kind_rules(self) -> NativeItem:
        check = _CHECKS.get(self.kind)
        if check:
            check(self)
        return self


def _check_choice(item: NativeItem) -> None:
    if len(item.options) < 2:
        raise ValueError(f"a {item.kind} item needs at least 2 options")
    if len({o.id for o in item.options}) != len(item.options):
        raise ValueError("option ids must be unique")
    if item.kind == "single_choice" and sum(o.correct for o in item.options) != 1:
        raise ValueError("a single_choice item needs exactly one option with correct: true")
    if item.kind == "multiple_response" and not any(weight(item, o) > 0 for o in item.options):
        raise ValueError("a multiple_response item needs at least one option with correct: true or a positive weight")


def _check_fields(item: NativeItem) -> None:
    if item.kind == "true_false" and not isinstance(item.answer, bool):
        raise ValueError("a true_false item needs answer: true or answer: false")
    if item.kind == "numeric" and (isinstance(item.answer, bool) or item.answer is None):
        raise ValueError("a numeric item needs a numeric answer")
    if item.kind == "short_text" and not item.answers:
        raise ValueError("a short_text item needs at least one accepted answer in answers")
    if item.kind == "ordering" and len(item.options) < 2:
        raise ValueError("an ordering item needs at least 2 options, listed in the correct order")
    if item.kind == "matching" and len(item.pairs) < 2:
        raise ValueError("a matching item needs at least 2 pairs")
    if item.kind == "inline_choice":
        markers = GAP_MARKER.findall(item.stem)
        if sorted(markers) != sorted(g.id for g in item.gaps) or not markers:
            raise ValueError("an inline_choice stem must hold one {{gap-id}} marker per entry in gaps, and no others")
        for gap in item.gaps:
            if sum(o.correct for o in gap.options) != 1:
                raise ValueError(f"gap {gap.id!r} needs exactly one option with correct: true")


_CHECKS = {
    "single_choice": _check_choice,
    "multiple_response": _check_choice,
    **dict.fromkeys(("true_false", "numeric", "short_text", "ordering", "matching", "inline_choice"), _check_fields),
}


def weight(item: NativeItem, option: NativeOption) -> float:
    """What choosing `option` is worth: its weight, else the item's points if it is correct."""
    if option.weight is not None:
        return option.weight
    return item.points if option.correct else 0.0
