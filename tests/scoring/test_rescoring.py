"""Rescoring an exam version: each decision's before/after numbers by hand, records, the pass/fail list,
determinism (scoring again from the stored answers gives the same numbers) and refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlmodel import Session

from examengine.errors import InvalidInput, NotFound
from examengine.scoring.models import AttemptResult, RescoreDecision, RescoreKind, RescoreRecord, SlotScore
from examengine.scoring.rescoring import DecisionRequest, apply_rescore, preview_rescore
from itembank import authoring, workflow
from itembank.models import ItemStatus
from tests.scoring.conftest import PERFECT, Program

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
# q1 (1 point, key A) and q3 (numeric 42) decide; the exam without the essay is worth 6, cut 70% (4.2 points)
ANSWERS = [
    {**PERFECT, "q3": 41},  # candidate 0: 5/6, passes
    {**PERFECT, "q1": "B"},  # candidate 1: 5/6, passes
    {**PERFECT, "q1": "B", "q3": 41},  # candidate 2: 4/6, fails
]
BEFORE = {0: (5, 6, True), 1: (5, 6, True), 2: (4, 6, False)}
SCALED = {(4, 6): 200 + 300 * 4 / 4.2, (5, 6): 500 + 300 * 0.8 / 1.8, (6, 6): 800, (4, 5): 600, (5, 5): 800}
# decision -> {candidate: (raw, max, passed)} after, for the results that change; and who changes pass/fail
EXPECTED: dict[RescoreKind, tuple[dict[int, tuple[int, int, bool]], list[int]]] = {
    RescoreKind.CREDIT_ALL: ({1: (6, 6, True), 2: (5, 6, True)}, [2]),  # candidate 0 had q1 right already
    RescoreKind.DROP: ({0: (4, 5, True), 1: (5, 5, True), 2: (4, 5, True)}, [2]),
    RescoreKind.NEW_VERSION: ({0: (4, 6, False), 1: (6, 6, True), 2: (5, 6, True)}, [0, 2]),
}


def _corrected_q1(program: Program) -> int:
    """Version 2 of q1 with the key on B, approved."""
    q1 = program.items["q1"]
    native = {
        "id": "q1",
        "kind": "single_choice",
        "stem": "<p>q1</p>",
        "options": [{"id": "A", "text": "a"}, {"id": "B", "text": "b", "correct": True}],
        "metadata": {"domain": "D1"},
    }
    version = program.call(authoring.create_version, item_id=q1, changes={"native": native}, actor_id=None)
    for to in (ItemStatus.REVIEW, ItemStatus.APPROVED):
        program.call(workflow.transition, item_id=q1, version=version.version, to=to, actor_id=program.admin.id)
    return int(version.version)


def _sat(program: Program) -> tuple[str, list[str]]:
    exam_id, sitting_id = program.exam(essay=False)
    taken = [program.take(sitting_id, c, a) for c, a in zip(program.candidates, ANSWERS, strict=True)]
    return exam_id, taken


def _request(program: Program, kind: RescoreKind, **changes: Any) -> DecisionRequest:
    values: dict[str, Any] = {"version": 1, "item_id": program.items["q1"], "kind": kind, "reason": "key was wrong"}
    if kind == RescoreKind.NEW_VERSION and "item_version" not in changes:
        values["item_version"] = _corrected_q1(program)
    return DecisionRequest(**{**values, **changes})


@pytest.mark.parametrize("kind", list(RescoreKind))
def test_each_decision_changes_results_as_computed_by_hand(program: Program, kind: RescoreKind) -> None:
    exam_id, taken = _sat(program)
    request = _request(program, kind)
    after, flipped = EXPECTED[kind]
    preview = program.call(preview_rescore, exam_id=exam_id, request=request, now=NOW)
    who = {c.id: n for n, c in enumerate(program.candidates)}
    assert preview.results_considered == 3 and preview.decision_id is None
    found = {who[c.user_id]: (c.after["raw_score"], c.after["max_score"], c.after["passed"]) for c in preview.changes}
    assert found == after
    assert sorted(who[c.user_id] for c in preview.pass_fail_changes) == flipped
    for change in preview.changes:
        raw, maximum, _ = found[who[change.user_id]]
        assert change.after["scaled_score"] == pytest.approx(SCALED[(raw, maximum)])
        assert change.after["percent"] == pytest.approx(raw * 100 / maximum)
    assert program.call(_records) == []  # a preview writes nothing

    applied = program.call(apply_rescore, exam_id=exam_id, request=request, actor_id=program.admin.id, now=NOW)
    assert applied.changes == preview.changes and applied.decision_id is not None
    records = program.call(_records)
    assert {r.attempt_id for r in records} == {taken[n] for n in after}
    for record in records:
        n = taken.index(record.attempt_id)
        assert (record.raw_before, record.max_before, record.passed_before) == BEFORE[n]
        assert (record.raw_after, record.max_after, record.passed_after) == after[n]
        assert (record.reason, record.actor_id, record.at) == ("key was wrong", program.admin.id, NOW)
    for n, attempt_id in enumerate(taken):
        stored = program.score(attempt_id)
        assert (stored.raw_score, stored.max_score, stored.passed) == after.get(n, BEFORE[n])

    # Determinism: the same decision again changes nothing; scoring from the stored answers gives the same numbers.
    again = program.call(preview_rescore, exam_id=exam_id, request=request, now=NOW)
    assert again.changes == ()
    before = [_numbers(program.score(a)) for a in taken]
    program.call(_forget_results, attempt_ids=taken)
    assert [_numbers(program.score(a)) for a in taken] == before


def test_a_decision_applies_to_attempts_scored_later(program: Program) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    program.take(sitting_id, program.candidates[0], ANSWERS[2])
    request = _request(program, RescoreKind.DROP)
    program.call(apply_rescore, exam_id=exam_id, request=request, actor_id=program.admin.id, now=NOW)
    later = program.take(sitting_id, program.candidates[1], ANSWERS[2])
    result = program.score(later)
    assert (result.raw_score, result.max_score, result.passed) == (4, 5, True)


def test_crediting_an_essay_completes_results_waiting_for_marking(program: Program) -> None:
    exam_id, sitting_id = program.exam()
    attempt_id = program.take(sitting_id, program.candidates[0], ANSWERS[2])
    assert program.score(attempt_id).completed_at is None
    request = _request(program, RescoreKind.CREDIT_ALL, item_id=program.items["essay"])
    plan = program.call(apply_rescore, exam_id=exam_id, request=request, actor_id=program.admin.id, now=NOW)
    assert [c.after["status"] for c in plan.changes] == ["scored"]
    result = program.score(attempt_id)
    assert (result.raw_score, result.max_score, result.passed, result.completed_at) == (8, 10, True, NOW)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"item_id": "0" * 32}, "item_not_on_exam"),
        ({"reason": "  "}, "reason"),
        ({"kind": RescoreKind.NEW_VERSION, "item_version": 1}, "item_version"),  # not newer than the pinned one
        ({"kind": RescoreKind.NEW_VERSION, "item_version": 9}, "item_version"),  # no such version
        ({"kind": RescoreKind.DROP, "item_version": 2}, "item_version"),
    ],
)
def test_refusals(program: Program, changes: dict[str, Any], code: str) -> None:
    exam_id, _ = _sat(program)
    request = _request(program, changes.pop("kind", RescoreKind.CREDIT_ALL), **changes)
    with pytest.raises(InvalidInput) as refused:
        program.call(apply_rescore, exam_id=exam_id, request=request, actor_id=program.admin.id, now=NOW)
    assert refused.value.code == code
    assert program.call(_decisions) == []


def test_an_unapproved_correction_and_an_unknown_exam_are_refused(program: Program) -> None:
    exam_id, _ = _sat(program)
    draft = program.call(
        authoring.create_version, item_id=program.items["q1"], changes={"tags": ["x"]}, actor_id=program.admin.id
    )
    request = _request(program, RescoreKind.NEW_VERSION, item_version=draft.version)
    with pytest.raises(InvalidInput, match="not approved"):
        program.call(preview_rescore, exam_id=exam_id, request=request, now=NOW)
    with pytest.raises(NotFound):
        program.call(preview_rescore, exam_id="0" * 32, request=request, now=NOW)


def _numbers(result: AttemptResult) -> tuple[Any, ...]:
    return (result.raw_score, result.max_score, result.percent, result.scaled_score, result.passed)


def _records(*, session: Session) -> list[RescoreRecord]:
    return list(session.scalars(select(RescoreRecord)))


def _decisions(*, session: Session) -> list[RescoreDecision]:
    return list(session.scalars(select(RescoreDecision)))


def _forget_results(*, session: Session, attempt_ids: list[str]) -> None:
    for table in (SlotScore, AttemptResult):
        session.execute(delete(table).where(table.attempt_id.in_(attempt_ids)))  # type: ignore[attr-defined]
