"""Item analysis from the database: hand-computed values on the seeded attempts of tests/analysis/seeding.py."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.service import UserView
from examengine.analysis import exam_charts
from examengine.analysis.bank_statistics import history, refresh_all, save_exam_statistics
from examengine.analysis.exam_analysis import analyze_exam
from examengine.analysis.exam_responses import Filters
from examengine.analysis.exam_results import ExamAnalysis
from examengine.analysis.matrix import MissingRule
from examengine.context import Services
from examengine.delivery.models import AttemptSlot
from examengine.errors import InvalidInput, NotFound
from itembank.models import ItemVersion
from tests.analysis.seeding import build_program, fixed_exam, loft_exam, take_fixed
from tests.scoring.conftest import Program


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    return build_program(services, make_user)


def analyse(program: Program, exam_id: str, rule: MissingRule = MissingRule.WRONG, **filters: object) -> ExamAnalysis:
    return program.call(analyze_exam, exam_id=exam_id, filters=Filters(**filters), missing_rule=rule)  # type: ignore[arg-type]


def by_name(program: Program, analysis: ExamAnalysis) -> dict[str, dict[str, object]]:
    names = {item_id: name for name, item_id in program.items.items()}
    return {names[item["item_id"]]: item for item in analysis.to_dict()["items"]}


def test_fixed_form_item_and_test_statistics_match_the_hand_computation(program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    analysis = analyse(program, exam_id)
    items = by_name(program, analysis)
    # s1 scores 1,1,1,0,0 against totals 3,2,1,1,0; the rest (total - s1) is 2,1,0,1,0
    assert items["s1"]["n"] == 5 and items["s1"]["p_value"] == pytest.approx(0.6)
    assert items["s1"]["point_biserial"] == pytest.approx(1.8 / math.sqrt(1.2 * 5.2))
    assert items["s1"]["corrected_point_biserial"] == pytest.approx(0.6 / math.sqrt(1.2 * 2.8))
    assert items["s1"]["options"] == pytest.approx({"A": 0.6, "B": 0.2, "C": 0.2})
    assert items["s1"]["option_point_biserials"]["B"] == pytest.approx(-0.4 / math.sqrt(0.8 * 5.2))  # type: ignore[index]
    assert items["s1"]["key"] == ["A"]
    # without s1, alpha of s2 and s3: 2 * (1 - (0.3 + 0.3) / 0.7)
    assert items["s1"]["alpha_if_deleted"] == pytest.approx(2 / 7)
    assert items["s1"]["flags"] == []
    assert items["s2"]["p_value"] == pytest.approx(0.4)
    assert items["s2"]["corrected_point_biserial"] == pytest.approx(1 / math.sqrt(2.4))
    assert items["s3"]["p_value"] == pytest.approx(0.4) and items["s3"]["omit_rate"] == pytest.approx(0.2)
    assert items["s3"]["options"] == pytest.approx({"A": 0.4, "B": 0.4, "C": 0.0})
    # s3 against the rest 2,2,1,0,0 correlates exactly 0; nobody chose C
    assert [flag["code"] for flag in items["s3"]["flags"]] == ["low_discrimination", "distractor_unused"]  # type: ignore[attr-defined]
    test = analysis.to_dict()["test"]
    assert (test["n"], test["mean"], test["n_items"], test["max_score"]) == (5, pytest.approx(1.4), 3, 3.0)
    assert test["sd"] == pytest.approx(math.sqrt(1.3))
    assert test["kr20"] == pytest.approx(6 / 13)  # 3/2 * (1 - 0.72 / 1.04)
    assert test["sem"] == pytest.approx(math.sqrt(0.7))  # sqrt(1.3) * sqrt(7/13)
    assert test["reliability_basis"] == "single_form"
    assert test["cut_score_raw"] == pytest.approx(2.1)  # 70% of 3
    assert test["distribution"] == [
        {"score": 0.0, "count": 1},
        {"score": 1.0, "count": 2},
        {"score": 2.0, "count": 1},
        {"score": 3.0, "count": 1},
    ]
    assert "counts as wrong" in analysis.to_dict()["rules"]["missing_statement"]


def test_excluding_missing_answers_leaves_the_blank_out_of_the_item_only(program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    analysis = analyse(program, exam_id, MissingRule.EXCLUDE)
    items = by_name(program, analysis)
    assert (items["s3"]["n"], items["s3"]["given"], items["s3"]["p_value"]) == (4, 5, pytest.approx(0.5))
    assert items["s3"]["options"] == pytest.approx({"A": 0.4, "B": 0.4, "C": 0.0})  # shares of those given it
    assert (items["s1"]["n"], items["s1"]["p_value"]) == (5, pytest.approx(0.6))
    assert analysis.test.mean == pytest.approx(1.4)
    assert "left out" in analysis.to_dict()["rules"]["missing_statement"]


def test_points_items_use_their_maximum_and_kr20_is_not_defined_for_them(program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program, "s1", "m1")
    answers = [{"s1": "A", "m1": ["A", "C"]}, {"s1": "B", "m1": ["A"]}, {"s1": "A", "m1": ["A", "B"]}]
    for who, given in zip(program.candidates, answers, strict=False):
        program.take(sitting_id, who, given)
    analysis = analyse(program, exam_id)
    items = by_name(program, analysis)
    assert items["m1"]["mean_score"] == pytest.approx(1.0) and items["m1"]["p_value"] == pytest.approx(0.5)
    assert items["m1"]["options"] == pytest.approx({"A": 1.0, "B": 1 / 3, "C": 1 / 3})
    assert items["m1"]["key"] == ["A", "C"]
    # item variances 1/3 and 1, total variance 4/3: alpha = 2 * (1 - (4/3) / (4/3)) = 0
    assert analysis.test.kr20 is None and analysis.test.cronbach_alpha == pytest.approx(0.0, abs=1e-12)
    assert exam_charts.curves(analysis, program.items["m1"]) is None  # several answers: no option curves
    assert "Option curves for item" in (exam_charts.curves(analysis, program.items["s1"]) or "")


def _forms(program: Program, attempt_ids: list[str]) -> dict[str, set[str]]:
    def read(*, session: Session) -> dict[str, set[str]]:
        rows = session.execute(
            select(col(AttemptSlot.attempt_id), col(AttemptSlot.item_id)).where(
                col(AttemptSlot.attempt_id).in_(attempt_ids)
            )
        ).all()
        forms: dict[str, set[str]] = {}
        for attempt_id, item_id in rows:
            forms.setdefault(attempt_id, set()).add(item_id)
        return forms

    return program.call(read)


def test_loft_items_count_only_the_attempts_given_them_and_reliability_is_per_form(program: Program) -> None:
    exam_id, sitting_id = loft_exam(program, count=2)
    strong = {"s1": "A", "s2": "A", "s3": "A"}
    weak = {"s1": "B", "s2": "B", "s3": "B"}
    attempts = [program.take(sitting_id, who, strong if n < 3 else weak) for n, who in enumerate(program.candidates)]
    forms = _forms(program, attempts)
    analysis = analyse(program, exam_id)
    items = by_name(program, analysis)
    for name in ("s1", "s2", "s3"):
        given = [a for a in attempts if program.items[name] in forms[a]]
        right = [a for a in given if attempts.index(a) < 3]
        assert items[name]["n"] == len(given)
        assert items[name]["p_value"] == (pytest.approx(len(right) / len(given)) if given else None)
        assert items[name]["alpha_if_deleted"] is None
    test = analysis.test
    distinct = {frozenset(f) for f in forms.values()}
    assert test.forms_count == len(distinct)
    if len(distinct) > 1:
        assert (test.kr20, test.cronbach_alpha, test.sem) == (None, None, None)
        assert f"{len(distinct)} different forms" in test.reliability_note
        assert test.reliability_basis in ("per_form", "none")
        assert all(form.n >= 2 for form in test.forms)
    assert test.n == 5 and test.mean == pytest.approx(4 / 5 * 2 * 3 / 4)  # three strong of five score 2


def test_a_loft_exam_that_gives_everyone_every_item_has_one_form(program: Program) -> None:
    exam_id, sitting_id = loft_exam(program, count=3)
    take_fixed(program, sitting_id)
    analysis = analyse(program, exam_id)
    assert analysis.test.reliability_basis == "single_form" and analysis.test.kr20 == pytest.approx(6 / 13)


def test_filters_by_sitting_and_date_range(program: Program) -> None:
    exam_id, first = fixed_exam(program)
    attempts = take_fixed(program, first)
    second = program.sitting(exam_id)
    late = program.take(second, program.candidates[4], {"s1": "A", "s2": "A", "s3": "A"})
    # c5 retook after failing; the retake is in the second sitting
    assert analyse(program, exam_id).test.n == 6
    assert analyse(program, exam_id, sitting_id=second).test.n == 1
    assert analyse(program, exam_id, sitting_id=first).test.n == 5
    long_ago = datetime(2026, 1, 10, 12, tzinfo=UTC)
    program.set_times(attempts[0], finished_at=long_ago)
    window: dict[str, Any] = {"since": datetime(2026, 1, 10, tzinfo=UTC), "until": datetime(2026, 1, 11, tzinfo=UTC)}
    assert analyse(program, exam_id, **window).test.n == 1
    assert analyse(program, exam_id, since=long_ago + timedelta(seconds=1)).test.n == 5
    assert late not in {
        a.attempt_id for a in analyse(program, exam_id, until=long_ago + timedelta(days=1)).responses.attempts
    }


def test_bad_filters_are_refused_and_no_attempts_give_an_empty_analysis(program: Program) -> None:
    exam_id, _ = fixed_exam(program)
    _, other_sitting = fixed_exam(program)
    empty = analyse(program, exam_id)
    assert (empty.test.n, empty.items, empty.test.kr20) == (0, (), None)
    assert "No scored attempts" in empty.test.reliability_note
    with pytest.raises(InvalidInput, match="another exam"):
        analyse(program, exam_id, sitting_id=other_sitting)
    with pytest.raises(NotFound):
        analyse(program, exam_id, sitting_id="nosuchsitting")
    with pytest.raises(NotFound):
        analyse(program, "nosuchexam")
    with pytest.raises(NotFound):
        analyse(program, exam_id, version=9)
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="empty"):
        analyse(program, exam_id, since=moment, until=moment)


def _version_row(program: Program, name: str) -> ItemVersion:
    def read(*, session: Session) -> ItemVersion:
        row = session.get(ItemVersion, (program.items[name], 1))
        assert row is not None
        return row

    return program.call(read)


def test_saving_statistics_writes_the_latest_values_and_their_history(program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    saved = program.call(save_exam_statistics, exam_id=exam_id, filters=Filters(), actor_id=program.admin.id, now=now)
    assert (saved.saved, saved.skipped) == (3, 0)
    row = _version_row(program, "s1")
    assert row.p_value == pytest.approx(0.6) and row.stats_n == 5
    assert row.discrimination == pytest.approx(0.6 / math.sqrt(1.2 * 2.8))
    assert row.stats_at is not None and row.stats_at.replace(tzinfo=UTC) == now
    # an older computation arriving late does not overwrite the newer values, but is still recorded
    older = now - timedelta(days=1)
    program.call(
        save_exam_statistics, exam_id=exam_id, filters=Filters(sitting_id=sitting_id), actor_id=None, now=older
    )
    assert _version_row(program, "s1").stats_at.replace(tzinfo=UTC) == now  # type: ignore[union-attr]
    records = program.call(history, item_id=program.items["s1"], version=1)
    assert [(r.n, r.computed_by, r.sitting_id) for r in records] == [(5, program.admin.id, None), (5, None, sitting_id)]
    assert len(program.call(refresh_all, now=now + timedelta(hours=1))) == 1
    assert _version_row(program, "s1").stats_at.replace(tzinfo=UTC) == now + timedelta(hours=1)  # type: ignore[union-attr]


def test_charts_mark_the_cut_and_flagged_items(program: Program) -> None:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    analysis = analyse(program, exam_id)
    histogram = exam_charts.histogram(analysis) or ""
    assert 'role="img"' in histogram and "Cut 2.1" in histogram
    scatter = exam_charts.scatter(analysis) or ""
    assert "Triangles: 1 flagged item(s)" in scatter
    curves = exam_charts.curves(analysis, program.items["s1"]) or ""
    assert "A (key)" in curves and 'aria-label="Option curves for item' in curves
