"""Marking by people: single and double marking with hand-computed outcomes, claims, stale and repeated marks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from examengine.accounts.service import UserView
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams.definition import Marking
from examengine.marking.marks import submit_mark
from examengine.marking.queue import CLAIM_MINUTES, Claimed, claim_next, queue
from examengine.marking.rule import outcome, rounded_average
from examengine.marking.view import marking_task
from examengine.scoring.models import MarkingStage, ResultStatus
from tests.scoring.conftest import PERFECT, Program

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DOUBLE = {"double": True, "max_difference": 1, "resolution": "third_marker", "round_to": 0.5}

# (marks in stage order, policy) -> (final score, next stage); the essay is worth 4 points
OUTCOMES: list[tuple[list[float], dict[str, Any], float | None, MarkingStage | None]] = [
    ([], {}, None, MarkingStage.FIRST),
    ([3], {}, 3, None),
    ([3], DOUBLE, None, MarkingStage.SECOND),
    ([2, 3], DOUBLE, 2.5, None),  # within 1: (2 + 3) / 2
    ([2, 2.5], DOUBLE, 2.5, None),  # 2.25 half up to a multiple of 0.5
    ([2, 2.4], DOUBLE, 2.0, None),  # 2.2 to 2.0
    ([2, 3], {**DOUBLE, "round_to": 1}, 3, None),  # 2.5 half up to 3
    ([3.5, 4], DOUBLE, 4, None),  # 3.75 -> 4.0, at the maximum
    ([1, 2.5], DOUBLE, None, MarkingStage.ADJUDICATION),  # 1.5 apart: a third marker decides
    ([1, 2.5, 1.5], DOUBLE, 1.5, None),  # the third mark is final
    ([1, 4], {**DOUBLE, "resolution": "average"}, 2.5, None),  # averaged whatever the difference
    ([0, 1], {**DOUBLE, "max_difference": 0}, None, MarkingStage.ADJUDICATION),
]


@pytest.mark.parametrize(("marks", "rules", "final", "stage"), OUTCOMES)
def test_the_marking_rule(marks: list[float], rules: dict[str, Any], final: float | None, stage: Any) -> None:
    found = outcome(marks, Marking(**rules), 4)
    assert (found.final_score, found.next_stage) == (final, stage)


def test_an_average_never_exceeds_the_maximum() -> None:
    assert rounded_average(3.9, 4, 1, 4) == 4
    assert rounded_average(2.9, 3, 1, 3.5) == 3


@pytest.fixture
def markers(make_user: Callable[..., UserView]) -> list[UserView]:
    return [make_user(f"marker{n}@example.org", "marker", name=f"Marker {n}") for n in range(3)]


def _essay_attempt(program: Program, candidate: int = 0, **exam: Any) -> tuple[str, str]:
    exam_id, sitting_id = program.exam(**exam)
    attempt_id = program.take(sitting_id, program.candidates[candidate], {**PERFECT, "essay": "My <b>essay</b>"})
    return exam_id, attempt_id


def _claim(program: Program, marker: UserView, now: datetime = NOW, **where: Any) -> Claimed:
    return program.call(claim_next, marker_id=marker.id, now=now, **where)


def _mark(program: Program, marker: UserView, claimed: Claimed, score: float, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "script_id": claimed.script_id,
        "slot": claimed.slot,
        "stage": int(claimed.stage),
        "score": score,
        "marker_id": marker.id,
        "now": NOW,
        **changes,
    }
    return program.call(submit_mark, **values)


def test_single_marking_completes_the_result(program: Program, markers: list[UserView]) -> None:
    _, attempt_id = _essay_attempt(program)
    groups = program.call(queue, marker_id=markers[0].id, now=NOW)
    assert [(g.exam_code, g.waiting, g.for_you, g.by_stage) for g in groups] == [
        ("SCORE-1", 1, 1, (("first mark", 1),))
    ]
    claimed = _claim(program, markers[0])
    assert (claimed.stage, claimed.expires_at) == (MarkingStage.FIRST, NOW + timedelta(minutes=CLAIM_MINUTES))
    assert claimed.script_id.startswith("S-") and attempt_id not in claimed.script_id
    task = program.call(marking_task, script_id=claimed.script_id, slot=claimed.slot, marker_id=markers[0].id, now=NOW)
    assert (task.answer_text, task.max_score, task.stage_name) == ("My <b>essay</b>", 4.0, "first mark")
    with pytest.raises(InvalidInput, match="between 0 and 4"):
        _mark(program, markers[0], claimed, 4.5)
    recorded = _mark(program, markers[0], claimed, 1, comment="thin")
    assert (recorded.final_score, recorded.result_status) == (1, ResultStatus.SCORED)
    result = program.score(attempt_id)
    assert (result.raw_score, result.percent, result.passed) == (7.0, 70.0, True)
    assert program.call(queue, marker_id=markers[0].id, now=NOW) == []
    with pytest.raises(Conflict) as again:
        _mark(program, markers[1], claimed, 2)
    assert again.value.code == "stale_mark"


def test_double_marking_within_tolerance_averages(program: Program, markers: list[UserView]) -> None:
    _, attempt_id = _essay_attempt(program, marking=DOUBLE)
    first = _claim(program, markers[0])
    assert _mark(program, markers[0], first, 2).final_score is None
    with pytest.raises(NotFound):
        _claim(program, markers[0])  # the same marker cannot give the second mark
    with pytest.raises(Conflict) as twice:
        _mark(program, markers[0], first, 2, stage=2)
    assert twice.value.code == "already_marked_by_you"
    second = _claim(program, markers[1])
    assert (second.script_id, second.slot, second.stage) == (first.script_id, first.slot, MarkingStage.SECOND)
    blind = program.call(marking_task, script_id=second.script_id, slot=second.slot, marker_id=markers[1].id, now=NOW)
    assert blind.earlier_marks == ()
    recorded = _mark(program, markers[1], second, 3)
    assert (recorded.final_score, recorded.result_status) == (2.5, ResultStatus.SCORED)
    assert program.score(attempt_id).raw_score == 8.5  # 6 machine points + 2.5


def test_double_marking_beyond_tolerance_goes_to_a_third_marker(program: Program, markers: list[UserView]) -> None:
    _, attempt_id = _essay_attempt(program, marking=DOUBLE)
    _mark(program, markers[0], _claim(program, markers[0]), 1, comment="weak")
    assert _mark(program, markers[1], _claim(program, markers[1]), 3).final_score is None
    assert program.score(attempt_id).status == ResultStatus.PENDING_MARKING
    with pytest.raises(NotFound):
        _claim(program, markers[1])
    third = _claim(program, markers[2])
    assert third.stage == MarkingStage.ADJUDICATION
    task = program.call(marking_task, script_id=third.script_id, slot=third.slot, marker_id=markers[2].id, now=NOW)
    assert [(m.score, m.comment) for m in task.earlier_marks] == [(1, "weak"), (3, "")]
    assert _mark(program, markers[2], third, 1.5).final_score == 1.5
    assert program.score(attempt_id).raw_score == 7.5


def test_two_markers_get_different_answers_and_a_claim_expires(program: Program, markers: list[UserView]) -> None:
    _, sitting_id = program.exam()
    for candidate in program.candidates[:2]:
        program.take(sitting_id, candidate, PERFECT)
    mine = _claim(program, markers[0])
    theirs = _claim(program, markers[1])
    assert mine.script_id != theirs.script_id
    assert _claim(program, markers[0]).script_id == mine.script_id  # one's own claim comes back first
    with pytest.raises(NotFound):
        _claim(program, markers[2])  # both answers are claimed
    with pytest.raises(Conflict) as held:
        _mark(program, markers[2], mine, 1)
    assert held.value.code == "claimed_by_other"
    later = NOW + timedelta(minutes=CLAIM_MINUTES)
    taken_over = _claim(program, markers[2], now=later)
    assert (taken_over.script_id, taken_over.slot) in {(mine.script_id, mine.slot), (theirs.script_id, theirs.slot)}
    _mark(program, markers[2], taken_over, 2, now=later)
    owner = markers[0] if taken_over.script_id == mine.script_id else markers[1]
    with pytest.raises(Conflict, match="your mark was not recorded") as stale:
        _mark(program, owner, taken_over, 3, now=later)
    assert stale.value.code == "stale_mark"


def test_the_queue_filters_by_exam_and_item(program: Program, markers: list[UserView]) -> None:
    exam_id, _ = _essay_attempt(program)
    other_exam, _ = _essay_attempt(program, candidate=1)
    claimed = _claim(program, markers[0], exam_id=other_exam, item_id=program.items["essay"])
    groups = program.call(queue, marker_id=markers[1].id, now=NOW)
    assert {g.exam_id: (g.waiting, g.for_you) for g in groups} == {exam_id: (1, 1), other_exam: (1, 0)}
    with pytest.raises(NotFound):
        _claim(program, markers[1], exam_id=other_exam)
    with pytest.raises(NotFound) as unknown:
        program.call(
            submit_mark, script_id="S-NOPE", slot=claimed.slot, stage=1, score=1, marker_id=markers[0].id, now=NOW
        )
    assert unknown.value.code == "script_not_found"
