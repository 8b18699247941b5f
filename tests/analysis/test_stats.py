from __future__ import annotations

import math

import pytest

from examengine.analysis.loaders import parse_responses, with_key
from examengine.analysis.matrix import MissingRule, ResponseMatrix
from examengine.analysis.stats import analyze_matrix

# Five examinees, key A B C, options A-D. Totals: 3, 2, 2, 1, 1.
RESPONSES = "Q1,Q2,Q3\nA,B,C\nA,B,D\nA,C,C\nB,B,\nA,D,D\n"


def _matrix() -> ResponseMatrix:
    matrix = with_key(parse_responses(RESPONSES), ("A", "B", "C"))
    return ResponseMatrix(
        item_ids=matrix.item_ids, responses=matrix.responses, key=matrix.key, option_ids=("A", "B", "C", "D")
    )


def test_item_statistics_by_hand() -> None:
    analysis = analyze_matrix(_matrix())
    q1, q2, q3 = analysis.items
    assert analysis.totals == (3, 2, 2, 1, 1)
    # Q1 scores 1,1,1,0,1 against totals 3,2,2,1,1: sxy = 0.8, sxx = 0.8, syy = 2.8, r = sqrt(0.8 / 2.8).
    assert q1.p_value == pytest.approx(0.8)
    assert q1.point_biserial == pytest.approx(math.sqrt(2 / 7))
    assert {o.option_id: o.proportion for o in q1.options} == {"A": 0.8, "B": 0.2, "C": 0.0, "D": 0.0}
    assert [(f.code, f.option_id) for f in q1.flags if f.code.startswith("distractor")] == [
        ("distractor_unused", "C"),
        ("distractor_unused", "D"),
    ]
    # Q3: one omit, scored wrong: p = 2/5, and options plus omits make up everyone.
    assert q3.n == 5
    assert q3.p_value == pytest.approx(0.4)
    assert q3.omit_rate == pytest.approx(0.2)
    assert math.fsum(o.proportion for o in q3.options) + q3.omit_rate == pytest.approx(1.0)
    # Q2 option C was chosen by examinee 3 (total 2, above the mean 1.8): a positively correlated distractor.
    assert ("distractor_positive", "C") in [(f.code, f.option_id) for f in q2.flags]


def test_excluding_missing_answers_uses_only_those_who_answered() -> None:
    q3 = analyze_matrix(_matrix(), missing_rule=MissingRule.EXCLUDE).items[2]
    assert q3.n == 4
    assert q3.p_value == pytest.approx(0.5)
    assert q3.omit_rate == pytest.approx(0.2)


def test_flags_with_plain_reasons() -> None:
    # Item 1 everyone right; item 2 only the examinee with the lowest rest score; item 3 the top half wrong.
    scores = "1,0,1\n1,0,1\n1,0,1\n1,0,0\n1,0,0\n1,1,0\n"
    items = analyze_matrix(parse_responses(scores)).items
    assert [f.code for f in items[0].flags] == ["too_easy", "no_variance"]
    assert [f.code for f in items[1].flags] == ["too_hard", "negative_discrimination"]
    assert [f.code for f in items[2].flags] == ["negative_discrimination"]
    assert "100% answered correctly" in items[0].flags[0].message
    assert "key may be wrong" in items[1].flags[1].message


def test_test_level_statistics_by_hand() -> None:
    # Totals 2, 1, 1, 0: mean 1, sample SD sqrt(2 / 3).
    test = analyze_matrix(parse_responses("1,1\n1,0\n0,1\n0,0\n")).test
    assert test.mean == pytest.approx(1.0)
    assert test.sd == pytest.approx(math.sqrt(2 / 3))
    # Two uncorrelated items: alpha = 2 * (1 - 0.5 / 0.5) = 0 and SEM = SD.
    assert test.kr20 == pytest.approx(0.0)
    assert test.sem == pytest.approx(math.sqrt(2 / 3))
    assert test.distribution == ((0.0, 1), (1.0, 2), (2.0, 1))


def test_polytomous_scores_have_alpha_but_no_kr20() -> None:
    test = analyze_matrix(parse_responses("2,3,1\n1,2,1\n0,1,0\n2,2,2\n")).test
    assert not test.dichotomous
    assert test.kr20 is None
    assert test.cronbach_alpha is not None
    assert test.sem is not None


def test_json_uses_the_public_api_field_names() -> None:
    shown = analyze_matrix(_matrix()).to_dict()
    assert set(shown["test"]) >= {"n", "mean", "sd", "kr20", "sem"}
    assert set(shown["items"][0]) >= {
        "item_id", "version", "n", "p_value", "point_biserial", "corrected_point_biserial", "options", "flags",
    }  # fmt: skip
    assert shown["items"][0]["options"] == {"A": 0.8, "B": 0.2, "C": 0.0, "D": 0.0}
    assert shown["rules"]["missing"] == "wrong"


def test_no_examinees_is_an_error() -> None:
    with pytest.raises(ValueError, match="no examinees"):
        analyze_matrix(ResponseMatrix(item_ids=("Q1",), responses=()))
