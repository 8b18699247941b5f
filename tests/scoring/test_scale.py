"""Scaled scores, pass/fail and report rounding, against values computed by hand.

Scale 200..800 with the cut at 500 on a form worth 10 points:
percent cut 70 -> raw cut 7: below it 200 + 300 * raw / 7, above it 500 + 300 * (raw - 7) / 3.
"""

from __future__ import annotations

from typing import Any

import pytest

from examengine.exams.definition import ExamDefinition, Scale
from examengine.scoring.scale import grade, report_decimal, report_scaled, scaled

SCALE = Scale(min=200, max=800, cut=500)


def definition(cut_type: str | None, value: float = 0, *, with_scale: bool = True) -> ExamDefinition:
    body: dict[str, Any] = {
        "code": "S-1",
        "title": "t",
        "sections": [{"title": "A", "items": [{"item_id": "a1", "version": 1}]}],
    }
    if with_scale:
        body["scale"] = {"min": 200, "max": 800, "cut": 500}
    if cut_type:
        body["cut_score"] = {"type": cut_type, "value": value}
    return ExamDefinition.model_validate(body)


@pytest.mark.parametrize(
    ("raw", "expected_scaled", "reported", "passed"),
    [
        (0, 200.0, 200, False),
        (3.5, 350.0, 350, False),
        (6, 200 + 300 * 6 / 7, 457, False),  # 457.142...
        (6.99, 200 + 300 * 6.99 / 7, 500, False),  # 499.571... reports as 500 yet fails: the decision is unrounded
        (7, 500.0, 500, True),  # at the cut
        (7.01, 501.0, 501, True),
        (8.5, 650.0, 650, True),
        (10, 800.0, 800, True),
    ],
)
def test_percent_cut_piecewise_around_the_cut(raw: float, expected_scaled: float, reported: int, passed: bool) -> None:
    result = grade(raw, 10, definition("percent", 70))
    assert result.scaled_score == pytest.approx(expected_scaled, abs=1e-9)
    assert result.percent == pytest.approx(raw * 10)
    assert report_scaled(result.scaled_score or 0) == reported
    assert result.passed is passed


@pytest.mark.parametrize(
    ("raw", "expected_scaled", "passed"),
    [
        (5.999, 200 + 300 * 5.999 / 6, False),  # just below: 499.95
        (6, 500.0, True),  # raw cut 6: at the cut
        (6.001, 500 + 300 * 0.001 / 4, True),  # just above: 500.075
        (10, 800.0, True),
    ],
)
def test_raw_cut(raw: float, expected_scaled: float, passed: bool) -> None:
    result = grade(raw, 10, definition("raw", 6))
    assert result.scaled_score == pytest.approx(expected_scaled, abs=1e-9)
    assert result.passed is passed


@pytest.mark.parametrize(
    ("raw", "expected_scaled", "passed"),
    [
        (4.99, 499.4, False),  # no raw anchor: one line 200 + 600 * raw / 10
        (5, 500.0, True),
        (5.01, 500.6, True),
        (0, 200.0, False),
    ],
)
def test_scaled_cut_uses_one_straight_line(raw: float, expected_scaled: float, passed: bool) -> None:
    result = grade(raw, 10, definition("scaled", 500))
    assert result.scaled_score == pytest.approx(expected_scaled, abs=1e-9)
    assert result.passed is passed


def test_edges_of_the_scale() -> None:
    assert scaled(0, 10, SCALE, 0) == 500  # a cut of 0 points: nothing to scale below it
    assert scaled(10, 10, SCALE, 12) == 200 + 300 * 10 / 12  # a cut above the form's maximum is never reached
    assert grade(10, 10, definition("raw", 12)).passed is False
    assert scaled(0, 0, SCALE, None) == 200
    empty = grade(0, 0, definition("percent", 70))
    assert (empty.percent, empty.passed) == (0.0, False)
    no_cut = grade(5, 10, definition(None))
    assert (no_cut.percent, no_cut.scaled_score, no_cut.passed) == (50.0, 500.0, None)
    unscaled = grade(5, 10, definition("raw", 5, with_scale=False))
    assert (unscaled.scaled_score, unscaled.passed) == (None, True)


def test_a_score_that_is_the_cut_in_exact_arithmetic_passes_despite_float_noise() -> None:
    raw = 0.1 + 0.1 + 0.7 + 0.25  # 1.15 of 5 points is 23 %
    assert raw * 100 / 5 < 23  # 22.999999999999996 in binary floating point
    assert grade(raw, 5, definition("percent", 23)).passed is True
    assert grade(1.1499, 5, definition("percent", 23)).passed is False


@pytest.mark.parametrize(
    ("value", "integer", "two_places"),
    [
        (499.5, 500, 499.5),
        (500.5, 501, 500.5),  # half up, not to even
        (499.49999999999994, 500, 499.5),  # noise below 1e-9 is not a real difference
        (499.4999, 499, 499.5),
        (0.125, 0, 0.13),
        (2.345, 2, 2.35),
        (66.66666666666667, 67, 66.67),
        (-2.5, -3, -2.5),  # half away from zero
    ],
)
def test_report_rounding(value: float, integer: int, two_places: float) -> None:
    assert report_scaled(value) == integer
    assert report_decimal(value) == two_places
