"""Scoring finished attempts: per slot against the pinned versions, subtotals, marking, idempotence, the sweep."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from examengine.delivery import attempts
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.marking.slot_scores import mark_slot
from examengine.scoring.models import AttemptResult, ResultStatus, SlotScore
from examengine.scoring.service import score_attempt, score_finished
from tests.scoring.conftest import PERFECT, Program


def _count(*, session: Session, table: Any) -> int:
    return session.scalar(select(func.count()).select_from(table)) or 0


def _slots_by_item(program: Program, attempt_id: str) -> dict[str, SlotScore]:
    def read(*, session: Session) -> list[SlotScore]:
        return list(session.scalars(select(SlotScore).where(SlotScore.attempt_id == attempt_id)))  # type: ignore[arg-type]

    names = {item_id: name for name, item_id in program.items.items()}
    return {names[row.item_id]: row for row in program.call(read)}


def test_each_slot_is_scored_with_subscores_and_the_result_waits_for_marking(program: Program) -> None:
    _, sitting_id = program.exam()
    answers = {"q1": "A", "q2": ["A", "B", "C"], "q3": "42", "gaps": {"RESPONSE_g1": "X", "RESPONSE_g2": "X"}}
    attempt_id = program.take(sitting_id, program.candidates[0], {**answers, "essay": "My essay."})
    result = program.score(attempt_id)
    slots = _slots_by_item(program, attempt_id)
    assert {name: (s.score, s.max_score) for name, s in slots.items()} == {
        "q1": (1.0, 1.0),
        "q2": (1.0, 2.0),  # +1 -1 +1
        "q3": (1.0, 1.0),
        "gaps": (1.0, 2.0),
        "essay": (None, 4.0),
    }
    assert slots["essay"].pending and not slots["q1"].pending
    assert {s.domain for s in slots.values()} == {"D1", "D2", "D3"}
    assert (result.status, result.raw_score, result.max_score) == (ResultStatus.PENDING_MARKING, 4.0, 10.0)
    assert (result.percent, result.scaled_score, result.passed, result.completed_at) == (None, None, None, None)
    sections = result.subscores["sections"]
    assert [(s["title"], s["raw_score"], s["max_score"], s["pending"]) for s in sections] == [
        ("Knowledge", 3.0, 4.0, 0),
        ("Writing", 1.0, 6.0, 1),
    ]
    domains = result.subscores["domains"]
    assert [(d["domain"], d["raw_score"], d["max_score"]) for d in domains] == [
        ("D1", 2.0, 3.0),
        ("D2", 2.0, 3.0),
        ("D3", 0.0, 4.0),
    ]

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    essay = program.slot_of(attempt_id, "essay")
    marked = program.call(
        mark_slot, attempt_id=attempt_id, slot=essay, score=3, marker_id=program.admin.id, now=now, comment="good"
    )
    assert (marked.status, marked.raw_score, marked.percent, marked.passed) == (ResultStatus.SCORED, 7.0, 70.0, True)
    assert marked.scaled_score == 500.0 and marked.completed_at == now
    assert marked.subscores["domains"][2]["raw_score"] == 3.0
    essay_row = _slots_by_item(program, attempt_id)["essay"]
    assert (essay_row.score, essay_row.marker_id, essay_row.marked_at, essay_row.marker_comment) == (
        3.0,
        program.admin.id,
        now,
        "good",
    )


def test_marking_refuses_what_it_cannot_record(program: Program) -> None:
    _, sitting_id = program.exam()
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    essay, q1 = program.slot_of(attempt_id, "essay"), program.slot_of(attempt_id, "q1")
    now = datetime.now(UTC)

    def mark(slot: int, score: float, attempt: str = attempt_id) -> AttemptResult:
        return program.call(mark_slot, attempt_id=attempt, slot=slot, score=score, marker_id=program.admin.id, now=now)

    for score in (-1, 4.5):
        with pytest.raises(InvalidInput, match="between 0 and 4"):
            mark(essay, score)
    with pytest.raises(NotFound) as no_slot:
        mark(99, 1)
    assert no_slot.value.code == "slot_not_found"
    with pytest.raises(Conflict) as machine:
        mark(q1, 0)
    assert machine.value.code == "already_marked"
    assert mark(essay, 4).raw_score == 10.0
    assert mark(essay, 4).raw_score == 10.0  # the same mark again is harmless
    with pytest.raises(Conflict, match="already has the score 4"):
        mark(essay, 2)
    unscored = program.take(sitting_id, program.candidates[1], PERFECT, score=False)
    with pytest.raises(NotFound) as no_result:
        mark(essay, 1, unscored)
    assert no_result.value.code == "result_not_found"


def test_a_plain_value_answers_the_single_response_and_a_dict_maps_response_ids(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(
        sitting_id,
        program.candidates[0],
        {"q1": {"RESPONSE": "A"}, "q2": ["C"], "q3": 41, "gaps": {"RESPONSE_g2": "Y", "RESPONSE_nope": "X"}},
    )
    slots = _slots_by_item(program, attempt_id)
    assert {name: s.score for name, s in slots.items()} == {"q1": 1.0, "q2": 1.0, "q3": 0.0, "gaps": 1.0}
    other = program.take(sitting_id, program.candidates[1], {"gaps": "X"})
    gaps = _slots_by_item(program, other)["gaps"]
    # A single value for an item with two responses cannot be scored by machine: a person decides.
    assert gaps.pending and "single value" in gaps.outcomes["scoring_error"]
    assert program.score(other).status == ResultStatus.PENDING_MARKING


@pytest.mark.parametrize("essay", [None, "", "  \n ", {"RESPONSE": " "}])
def test_an_unanswered_form_scores_zero_and_fails_with_nothing_to_mark(program: Program, essay: Any) -> None:
    _, sitting_id = program.exam()
    attempt_id = program.take(sitting_id, program.candidates[0], {} if essay is None else {"essay": essay})
    result = program.score(attempt_id)
    assert (result.status, result.raw_score, result.max_score, result.percent) == (ResultStatus.SCORED, 0, 10, 0)
    assert (result.scaled_score, result.passed) == (200.0, False)
    blank = _slots_by_item(program, attempt_id)["essay"]
    assert (blank.score, blank.outcomes["blank"]) == (0.0, True)


def test_scoring_again_returns_the_same_result_without_new_rows(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT, score=False)
    results: list[AttemptResult] = []
    barrier = threading.Barrier(2)

    def score_in_own_unit_of_work() -> None:
        barrier.wait()
        results.append(program.score(attempt_id))

    threads = [threading.Thread(target=score_in_own_unit_of_work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    again = program.score(attempt_id)
    numbers = {(r.raw_score, r.max_score, r.percent, r.scaled_score, r.passed, r.scored_at) for r in [*results, again]}
    assert len(results) == 2 and numbers == {(6.0, 6.0, 100.0, 800.0, True, again.scored_at)}
    assert program.call(_count, table=SlotScore) == 4
    assert program.call(_count, table=AttemptResult) == 1


def test_open_and_terminated_attempts_are_not_scored_unless_asked(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    running = program.begin(sitting_id, program.candidates[0], PERFECT)
    with pytest.raises(Conflict) as still_open:
        program.score(running)
    assert still_open.value.code == "attempt_not_finished"
    program.call(attempts.terminate, attempt_id=running, actor_id=program.admin.id, reason="phone")
    with pytest.raises(Conflict) as terminated:
        program.score(running)
    assert terminated.value.code == "attempt_terminated"
    assert program.score(running, include_terminated=True).raw_score == 6.0
    with pytest.raises(NotFound):
        program.score("0" * 32)


def test_the_sweep_scores_finished_attempts_once(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    submitted = program.take(sitting_id, program.candidates[0], PERFECT, score=False)
    running = program.begin(sitting_id, program.candidates[1], {"q1": "A"})
    terminated = program.begin(sitting_id, program.candidates[2], {})
    program.call(attempts.terminate, attempt_id=terminated, actor_id=program.admin.id, reason="left the room")
    now = datetime.now(UTC)
    assert score_finished(program.services.db, now=now) == 1
    assert score_finished(program.services.db, now=now) == 0
    program.call(attempts.submit, attempt_id=running, user_id=program.candidates[1].id)
    assert score_finished(program.services.db, now=now) == 1

    def result_ids(*, session: Session) -> set[str]:
        return set(session.scalars(select(AttemptResult.attempt_id)))  # type: ignore[call-overload]

    assert program.call(result_ids) == {submitted, running}
    assert program.call(score_attempt, attempt_id=running, now=now).raw_score == 1.0
