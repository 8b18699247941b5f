from __future__ import annotations

import math
from collections.abc import Mapping

import pytest

from examengine.analysis.standard_setting import AngoffRating, HofsteeJudgement, hofstee, modified_angoff

ITEMS = ("Q1", "Q2", "Q3", "Q4")
ROUND_1 = {"J1": (0.8, 0.8, 0.8, 0.8), "J2": (0.4, 0.4, 0.4, 0.4), "J3": (0.6, 0.6, 0.6, 0.6)}
ROUND_2 = {"J1": (0.6, 0.7, 0.5, 0.8), "J2": (0.7, 0.8, 0.4, 0.9), "J3": (0.5, 0.6, 0.6, 0.7)}


def _ratings(number: int, table: Mapping[str, tuple[float, ...]]) -> list[AngoffRating]:
    return [
        AngoffRating(number, judge, item, rating)
        for judge, row in table.items()
        for item, rating in zip(ITEMS, row, strict=True)
    ]


def test_modified_angoff_worked_example() -> None:
    result = modified_angoff(_ratings(1, ROUND_1) + _ratings(2, ROUND_2))
    first, final = result.rounds
    # Round 1: every item's mean is (0.8 + 0.4 + 0.6) / 3 = 0.6 with SD sqrt((0.2² + 0.2² + 0²) / 2) = 0.2.
    # Judges' cuts 3.2, 1.6, 2.4: mean 2.4, SD sqrt((0.8² + 0.8² + 0²) / 2) = 0.8, SE 0.8 / sqrt(3) = 0.4619.
    assert [i.mean for i in first.items] == pytest.approx([0.6] * 4)
    assert [i.sd for i in first.items] == pytest.approx([0.2] * 4)
    assert first.cut == pytest.approx(2.4)
    assert first.judge_sd == pytest.approx(0.8)
    assert first.standard_error == pytest.approx(0.8 / math.sqrt(3))
    # Round 2 item means: Q1 (0.6+0.7+0.5)/3 = 0.6, Q2 (0.7+0.8+0.6)/3 = 0.7, Q3 (0.5+0.4+0.6)/3 = 0.5,
    # Q4 (0.8+0.9+0.7)/3 = 0.8; each SD sqrt((0.1² + 0.1² + 0²) / 2) = 0.1.
    assert [i.mean for i in final.items] == pytest.approx([0.6, 0.7, 0.5, 0.8])
    assert [i.sd for i in final.items] == pytest.approx([0.1] * 4)
    assert [(i.minimum, i.maximum) for i in final.items] == [(0.5, 0.7), (0.6, 0.8), (0.4, 0.6), (0.7, 0.9)]
    # Cut = 0.6 + 0.7 + 0.5 + 0.8 = 2.6 = mean of the judges' cuts 2.6, 2.8, 2.4.
    # Judges' SD = sqrt((0² + 0.2² + 0.2²) / 2) = 0.2; SE = 0.2 / sqrt(3) = 0.11547.
    assert [j.judge for j in final.judges] == ["J1", "J2", "J3"]
    assert [j.cut for j in final.judges] == pytest.approx([2.6, 2.8, 2.4])
    assert result.recommended_cut == pytest.approx(2.6)
    assert final.judge_sd == pytest.approx(0.2)
    assert final.standard_error == pytest.approx(0.11547, abs=1e-5)
    # 2.6 of 4 items = 65%; a candidate needs a whole 3 to reach it.
    assert result.recommended_cut_percent == pytest.approx(65.0)
    assert result.passing_raw_score == 3
    assert (result.n_items, result.n_judges) == (4, 3)


def test_angoff_whole_number_cut_is_not_rounded_up_by_float_error() -> None:
    # 0.7 + 0.7 + 0.6 = 2.0000000000000004 in floating point; the passing score must stay 2.
    ratings = [AngoffRating(1, "J", item, value) for item, value in zip(("a", "b", "c"), (0.7, 0.7, 0.6), strict=True)]
    assert modified_angoff(ratings).passing_raw_score == 2


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([AngoffRating(1, "J1", "Q1", 1.2)], "not a proportion"),
        ([AngoffRating(1, "J1", "Q1", 0.5), AngoffRating(1, "J1", "Q1", 0.6)], "twice"),
        (
            [AngoffRating(1, "J1", "Q1", 0.5), AngoffRating(1, "J1", "Q2", 0.5), AngoffRating(1, "J2", "Q1", 0.5)],
            "judge 'J2' on item 'Q2'",
        ),
        ([], "no Angoff ratings"),
    ],
)
def test_angoff_rejects_bad_ratings(ratings: list[AngoffRating], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        modified_angoff(ratings)


# Ten examinees on a 10-item test.
TOTALS = [2, 3, 4, 5, 5, 6, 6, 7, 8, 9]


def test_hofstee_worked_example() -> None:
    judges = [HofsteeJudgement("J1", 40, 70, 10, 50), HofsteeJudgement("J2", 50, 70, 20, 40)]
    result = hofstee(judges, TOTALS, 10)
    # Means: cut 45..70 %, fail 15..45 %. Line from (45, 45) to (70, 15): fail = 45 - 1.2 * (cut - 45).
    assert (result.min_cut, result.max_cut, result.min_fail, result.max_fail) == (45, 70, 15, 45)
    # Fail rate below each raw score s (at s * 10 %): 0,0,0,10,20,30,50,70,80,90,100.
    assert [fail for _, fail in result.curve] == [0, 0, 0, 10, 20, 30, 50, 70, 80, 90, 100]
    # Between 50 % (curve 30, line 39) and 60 % (curve 50, line 27): 30 + 2d = 39 - 1.2d, d = 9 / 3.2 = 2.8125.
    assert result.cut_percent == pytest.approx(52.8125)
    assert result.fail_rate_at_cut == pytest.approx(35.625)
    # 52.8125 % of 10 = 5.28, so a candidate needs 6; 5 of the 10 score below 6.
    assert result.passing_raw_score == 6
    assert result.observed_fail_rate == pytest.approx(50.0)
    assert result.no_intersection_reason is None


def test_hofstee_when_too_many_fail_even_at_the_lowest_acceptable_cut() -> None:
    # At 70 % (raw 7) 7 of 10 fail = 70 %, above the highest acceptable 20 %.
    result = hofstee([HofsteeJudgement("J1", 70, 90, 5, 20)], TOTALS, 10)
    assert result.cut_percent is None and result.passing_raw_score is None
    assert result.no_intersection_reason is not None
    assert "70.0% already fail" in result.no_intersection_reason


def test_hofstee_when_too_few_fail_even_at_the_highest_acceptable_cut() -> None:
    # At 20 % (raw 2) nobody fails, below the lowest acceptable 30 %.
    result = hofstee([HofsteeJudgement("J1", 10, 20, 30, 60)], TOTALS, 10)
    assert result.cut_percent is None
    assert result.no_intersection_reason is not None
    assert "only 0.0% fail" in result.no_intersection_reason


@pytest.mark.parametrize(
    "judgement",
    [
        HofsteeJudgement("J", 70, 40, 10, 30),
        HofsteeJudgement("J", 40, 70, 30, 10),
        HofsteeJudgement("J", 40, 120, 0, 5),
    ],
)
def test_hofstee_rejects_inconsistent_bounds(judgement: HofsteeJudgement) -> None:
    with pytest.raises(ValueError, match="judge 'J'"):
        hofstee([judgement], TOTALS, 10)
