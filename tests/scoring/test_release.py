"""Result release: what the candidate sees under each `result_release`, the admin's release, the admin's view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from examengine.delivery import attempts, termination
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.marking.slot_scores import mark_slot
from examengine.scoring.release import (
    CandidateResult,
    ResultWithheld,
    ScoreScale,
    Subscore,
    Withheld,
    release_results,
    result_for_admin,
    result_for_candidate,
)
from examengine.scoring.wording import moment_text
from tests.scoring.conftest import PERFECT, Program

SECOND = timedelta(seconds=1)


def seen(program: Program, attempt_id: str, now: datetime, who: int = 0) -> CandidateResult | ResultWithheld:
    user_id = program.candidates[who].id
    return program.call(result_for_candidate, attempt_id=attempt_id, user_id=user_id, now=now)


def test_immediate_release_shows_the_reported_result_to_its_candidate_only(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], {"q1": "A"})
    completed = program.score(attempt_id).completed_at
    assert completed is not None
    assert seen(program, attempt_id, completed) == CandidateResult(
        attempt_id=attempt_id,
        raw_score=1.0,
        max_score=6.0,
        percent=16.67,
        scaled_score=271,  # 200 + 300 * 1 / 4.2 = 271.43 (raw cut: 70 % of 6)
        passed=False,
        domains=(Subscore("D1", 1.0, 3.0, 33.33, 0, "D1"), Subscore("D2", 0.0, 3.0, 0.0, 0, "D2")),
        released_at=completed,
        scale=ScoreScale(200, 800, 500, "scaled"),  # a percent cut lands on the scale's cut
    )
    with pytest.raises(NotFound):
        seen(program, attempt_id, completed, who=1)
    running = program.begin(sitting_id, program.candidates[1], {})
    with pytest.raises(Conflict) as still_open:
        seen(program, running, completed, who=1)
    assert still_open.value.code == "attempt_not_finished"


def test_a_result_waiting_for_marking_is_withheld_until_marked(program: Program) -> None:
    for release in ("immediate", "after_marking"):
        _, sitting_id = program.exam(result_release=release)
        attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
        now = datetime.now(UTC) + timedelta(minutes=5)
        withheld = seen(program, attempt_id, now)
        assert isinstance(withheld, ResultWithheld) and withheld.received_at is not None
        assert "marked by a person" in withheld.message
        essay = program.slot_of(attempt_id, "essay")
        program.call(mark_slot, attempt_id=attempt_id, slot=essay, score=2, marker_id=program.admin.id, now=now)
        assert isinstance(seen(program, attempt_id, now - SECOND), ResultWithheld)
        shown = seen(program, attempt_id, now)
        assert isinstance(shown, CandidateResult)
        assert (shown.raw_score, shown.max_score, shown.passed, shown.released_at) == (8.0, 10.0, True, now)


def test_a_finished_attempt_not_yet_scored_is_only_received(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT, score=False)
    withheld = seen(program, attempt_id, datetime.now(UTC))
    assert isinstance(withheld, ResultWithheld)
    assert withheld.message == "Your attempt was received. Your result is not ready yet."


def test_on_date_releases_at_release_at(program: Program) -> None:
    release_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    _, sitting_id = program.exam(essay=False, result_release="on_date", release_at=release_at.isoformat())
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    before = seen(program, attempt_id, release_at - SECOND)
    assert isinstance(before, ResultWithheld)
    assert before.message.endswith(f"Results are released on {moment_text(release_at)}.")
    at = seen(program, attempt_id, release_at)
    assert isinstance(at, CandidateResult) and at.released_at == release_at and at.scaled_score == 800
    assert isinstance(seen(program, attempt_id, release_at + SECOND), CandidateResult)


def test_on_date_in_the_past_releases_when_scored(program: Program) -> None:
    _, sitting_id = program.exam(essay=False, result_release="on_date", release_at="2020-01-01T00:00:00Z")
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    shown = seen(program, attempt_id, datetime.now(UTC))
    assert isinstance(shown, CandidateResult) and shown.released_at == program.score(attempt_id).completed_at


def test_manual_release_by_version_or_by_sitting(program: Program) -> None:
    exam_id, first_sitting = program.exam(essay=False, result_release="manual")
    first = program.take(first_sitting, program.candidates[0], PERFECT)
    later = datetime.now(UTC) + timedelta(days=30)
    withheld = seen(program, first, later)
    assert isinstance(withheld, ResultWithheld) and "when the exam's results are published" in withheld.message

    def release(now: datetime, **scope: object) -> int:
        return program.call(release_results, exam_id=exam_id, actor_id=program.admin.id, now=now, **scope)

    released_at = datetime.now(UTC) + timedelta(hours=1)
    assert release(released_at, version=1) == 1
    assert release(released_at + timedelta(hours=1), version=1) == 0  # the first release time stands
    assert isinstance(seen(program, first, released_at - SECOND), ResultWithheld)
    shown = seen(program, first, released_at)
    assert isinstance(shown, CandidateResult) and shown.released_at == released_at

    another_exams_sitting = program.exam(essay=False)[1]
    with pytest.raises(NotFound):
        release(released_at, sitting_id=another_exams_sitting)
    with pytest.raises(NotFound):
        release(released_at, version=9)
    for scope in ({}, {"version": 1, "sitting_id": first_sitting}):
        with pytest.raises(InvalidInput):
            release(released_at, **scope)


def test_release_by_sitting_leaves_other_sittings_withheld(program: Program) -> None:
    exam_id, morning = program.exam(essay=False, result_release="manual")
    afternoon = program.sitting(exam_id)
    early = program.take(morning, program.candidates[0], PERFECT)
    late = program.take(afternoon, program.candidates[1], PERFECT)
    now = datetime.now(UTC) + timedelta(hours=1)
    released = program.call(release_results, exam_id=exam_id, sitting_id=afternoon, actor_id=program.admin.id, now=now)
    assert released == 1
    assert isinstance(seen(program, late, now, who=1), CandidateResult)
    assert isinstance(seen(program, early, now), ResultWithheld)


def test_the_admin_always_sees_the_full_result(program: Program) -> None:
    _, sitting_id = program.exam(result_release="manual")
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    full = program.call(result_for_admin, attempt_id=attempt_id)
    assert (full.result.status, full.released_at, full.percent, full.scaled_score) == (
        "pending_marking",
        None,
        None,
        None,
    )
    assert [s.name for s in full.sections] == ["Knowledge", "Writing"]
    assert full.sections[1] == Subscore("Writing", 2.0, 6.0, 33.33, 1)
    assert len(full.slots) == 5 and sum(s.pending for s in full.slots) == 1
    essay = program.slot_of(attempt_id, "essay")
    now = datetime.now(UTC)
    program.call(mark_slot, attempt_id=attempt_id, slot=essay, score=4, marker_id=program.admin.id, now=now)
    full = program.call(result_for_admin, attempt_id=attempt_id)
    assert (full.result.raw_score, full.percent, full.scaled_score, full.result.passed) == (10.0, 100.0, 800, True)
    assert full.released_at is None  # manual: nobody has released it
    unscored = program.take(sitting_id, program.candidates[1], PERFECT, score=False)
    with pytest.raises(NotFound) as missing:
        program.call(result_for_admin, attempt_id=unscored)
    assert missing.value.code == "result_not_found"


def test_domains_carry_the_blueprint_names_and_the_scale_explains_the_score(program: Program) -> None:
    named = [{"code": "D1", "name": "Hazard identification"}, {"code": "D2", "name": "Safe handling"}]
    _, sitting_id = program.exam(essay=False, domains=named)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    shown = seen(program, attempt_id, datetime.now(UTC))
    assert isinstance(shown, CandidateResult)
    assert [(d.name, d.code) for d in shown.domains] == [("Hazard identification", "D1"), ("Safe handling", "D2")]
    full = program.call(result_for_admin, attempt_id=attempt_id)
    assert [d.name for d in full.domains] == ["Hazard identification", "Safe handling"]
    assert [s.name for s in full.sections] == ["Knowledge", "Writing"]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ScoreScale(200, 800, 500, "scaled")),
        ({"cut_score": {"type": "raw", "value": 3}}, ScoreScale(200, 800, 500, "scaled")),
        ({"cut_score": {"type": "scaled", "value": 550}}, ScoreScale(200, 800, 550, "scaled")),
        ({"cut_score": None}, ScoreScale(200, 800, None, None)),
        ({"scale": None}, ScoreScale(None, None, 70, "percent")),
        ({"scale": None, "cut_score": {"type": "raw", "value": 4}}, ScoreScale(None, None, 4, "raw")),
        ({"scale": None, "cut_score": None}, ScoreScale(None, None, None, None)),
    ],
)
def test_the_scale_names_the_passing_score_where_the_score_is_reported(
    program: Program, changes: dict[str, object], expected: ScoreScale
) -> None:
    _, sitting_id = program.exam(essay=False, **changes)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    shown = seen(program, attempt_id, datetime.now(UTC))
    assert isinstance(shown, CandidateResult) and shown.scale == expected


def test_a_domain_named_twice_is_refused() -> None:
    body = {"code": "X", "title": "X", "sections": [{"title": "A", "draw": [{"domain": "D1", "count": 1}]}]}
    with pytest.raises(InvalidInput):
        exams.parse_definition({**body, "domains": [{"code": "D1", "name": "a"}, {"code": "D1", "name": "b"}]})
    with pytest.raises(InvalidInput):
        exams.parse_definition({**body, "domains": [{"code": "D1", "name": ""}]})
    assert exams.parse_definition({**body, "domains": [{"code": "D1", "name": "One"}]}).domain_name("D1") == "One"


def test_what_happens_next_names_why_no_result_is_shown(program: Program) -> None:
    _, sitting_id = program.exam(result_release="manual")
    marking = program.take(sitting_id, program.candidates[0], PERFECT)
    withheld = seen(program, marking, datetime.now(UTC))
    assert isinstance(withheld, ResultWithheld) and withheld.reason == Withheld.AWAITING_MARKING
    unscored = program.take(sitting_id, program.candidates[1], PERFECT, score=False)
    withheld = seen(program, unscored, datetime.now(UTC), who=1)
    assert isinstance(withheld, ResultWithheld) and withheld.reason == Withheld.NOT_SCORED


def test_a_terminated_attempt_never_shows_a_result_and_says_it_is_held(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.begin(sitting_id, program.candidates[0], PERFECT)
    program.call(attempts.terminate, attempt_id=attempt_id, actor_id=program.admin.id, reason="phone")
    program.score(attempt_id, include_terminated=True)  # scored (immediate release), yet held
    later = datetime.now(UTC) + timedelta(days=1)
    held = seen(program, attempt_id, later)
    assert isinstance(held, ResultWithheld) and held.reason == Withheld.TERMINATION_PENDING
    assert "held until an administrator decides" in held.message
    program.call(
        termination.decide,
        attempt_id=attempt_id,
        decision="uphold",
        reason="phone seen",
        actor_id=program.admin.id,
        now=later,
    )
    upheld = seen(program, attempt_id, later)
    assert isinstance(upheld, ResultWithheld) and upheld.reason == Withheld.NO_RESULT
    assert "has no result" in upheld.next_step
