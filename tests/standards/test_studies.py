"""Standard setting studies through the real services: rounds, judges' access, Angoff and Hofstee results."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.standards import results
from examengine.standards import service as standards
from examengine.standards.models import Method, Study, StudyStatus
from tests.analysis.seeding import build_program, fixed_exam, take_fixed
from tests.scoring.conftest import Program

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def program(services: Services, make_user: Callable[..., UserView]) -> Program:
    return build_program(services, make_user)


def _study(program: Program, method: Method) -> tuple[str, Study]:
    exam_id, sitting_id = fixed_exam(program)
    take_fixed(program, sitting_id)
    study = program.call(
        standards.create_study,
        exam_id=exam_id,
        version=1,
        method=method,
        title="Panel 1",
        actor_id=program.admin.id,
        now=NOW,
    )
    for email in ("c1@example.org", "author@example.org"):
        program.call(standards.add_judge, study_id=study.id, email=email, actor_id=program.admin.id, now=NOW)
    return sitting_id, study


def _advance(program: Program, study: Study, action: str) -> Study:
    return program.call(standards.advance, study_id=study.id, action=action, actor_id=program.admin.id, now=NOW)


def _outcome(program: Program, study_id: str) -> results.AngoffOutcome:
    def read(**kwargs: object) -> results.AngoffOutcome:
        session = kwargs["session"]
        study = standards.get_study(session=session, study_id=study_id)  # type: ignore[arg-type]
        items = standards.study_items(session=session, study=study)  # type: ignore[arg-type]
        return results.angoff_outcome(study, standards.angoff_rows(session=session, study_id=study_id), items)  # type: ignore[arg-type]

    return program.call(read)


def test_an_angoff_study_over_two_rounds(program: Program) -> None:
    _, study = _study(program, Method.ANGOFF)
    cara = program.candidates[0]
    author_id = next(u.id for u in program.call(standards.judges, study_id=study.id) if u.id != cara.id)
    items = [program.items[n] for n in ("s1", "s2", "s3")]
    with pytest.raises(Conflict):  # no round open yet
        program.call(standards.rate_angoff, study_id=study.id, user_id=cara.id, ratings={items[0]: 0.5}, now=NOW)
    _advance(program, study, "open")
    first = {cara.id: (0.6, 0.5, 0.4), author_id: (0.8, 0.7, 0.6)}
    for judge, values in first.items():
        ratings = dict(zip(items, values, strict=True))
        program.call(standards.rate_angoff, study_id=study.id, user_id=judge, ratings=ratings, now=NOW)
    assert _outcome(program, study.id).result is None  # round 1 is still open: nothing is final
    _advance(program, study, "close")
    result = _outcome(program, study.id).result
    assert result is not None
    # cuts per judge 1.5 and 2.1; the recommended cut is the sum of item means 0.7 + 0.6 + 0.5
    assert result.recommended_cut == pytest.approx(1.8)
    assert sorted(j.cut for j in result.final.judges) == pytest.approx([1.5, 2.1])
    assert result.final.judge_sd == pytest.approx(0.6 / 2**0.5)
    assert result.final.standard_error == pytest.approx(0.3)
    _advance(program, study, "open")
    program.call(
        standards.rate_angoff,
        study_id=study.id,
        user_id=cara.id,
        ratings=dict(zip(items, (0.7, 0.6, 0.5), strict=True)),
        now=NOW,
    )
    # the second judge rates only two items: they are left out of round 2
    program.call(
        standards.rate_angoff, study_id=study.id, user_id=author_id, ratings={items[0]: 0.9, items[1]: 0.9}, now=NOW
    )
    _advance(program, study, "close")
    outcome = _outcome(program, study.id)
    assert outcome.result is not None and outcome.result.final.round == 2
    assert outcome.result.recommended_cut == pytest.approx(1.8) and outcome.left_out[2] == (author_id,)
    finished = _advance(program, study, "finish")
    assert finished.status == StudyStatus.CLOSED
    with pytest.raises(Conflict):
        _advance(program, study, "open")


def test_only_judges_may_rate_and_ratings_are_checked(program: Program) -> None:
    _, study = _study(program, Method.ANGOFF)
    _advance(program, study, "open")
    outsider = program.candidates[1]
    s1 = program.items["s1"]
    with pytest.raises(NotFound):
        program.call(standards.rate_angoff, study_id=study.id, user_id=outsider.id, ratings={s1: 0.5}, now=NOW)
    with pytest.raises(NotFound):
        program.call(standards.judge_study, study_id=study.id, user_id=outsider.id)
    judge = program.candidates[0]
    for ratings in ({s1: 1.5}, {s1: -0.1}, {program.items["m1"]: 0.5}):
        with pytest.raises(InvalidInput):
            program.call(standards.rate_angoff, study_id=study.id, user_id=judge.id, ratings=ratings, now=NOW)
    with pytest.raises(InvalidInput):
        program.call(
            standards.rate_hofstee,
            study_id=study.id,
            user_id=judge.id,
            answers={"min_cut": 50, "max_cut": 70, "min_fail": 10, "max_fail": 30},
            now=NOW,
        )


def test_study_setup_is_checked(program: Program) -> None:
    exam_id, _ = fixed_exam(program)
    with pytest.raises(NotFound):
        program.call(
            standards.create_study,
            exam_id=exam_id,
            version=5,
            method=Method.ANGOFF,
            title="x",
            actor_id=program.admin.id,
            now=NOW,
        )
    study = program.call(
        standards.create_study,
        exam_id=exam_id,
        version=1,
        method=Method.ANGOFF,
        title="x",
        actor_id=program.admin.id,
        now=NOW,
    )
    with pytest.raises(Conflict):  # no judges yet
        _advance(program, study, "open")
    with pytest.raises(InvalidInput):
        program.call(
            standards.add_judge, study_id=study.id, email="nobody@example.org", actor_id=program.admin.id, now=NOW
        )
    program.call(standards.add_judge, study_id=study.id, email="C1@example.org", actor_id=program.admin.id, now=NOW)
    with pytest.raises(Conflict):
        program.call(standards.add_judge, study_id=study.id, email="c1@example.org", actor_id=program.admin.id, now=NOW)
    with pytest.raises(InvalidInput):
        _advance(program, study, "jump")


def test_a_hofstee_study_finds_the_cut_on_the_observed_scores(program: Program) -> None:
    _, study = _study(program, Method.HOFSTEE)
    _advance(program, study, "open")
    judge_ids = [u.id for u in program.call(standards.judges, study_id=study.id)]
    for judge in judge_ids:
        program.call(
            standards.rate_hofstee,
            study_id=study.id,
            user_id=judge,
            answers={"min_cut": 40.0, "max_cut": 80.0, "min_fail": 20.0, "max_fail": 80.0},
            now=NOW,
        )
    _advance(program, study, "close")

    def read(**kwargs: object) -> results.HofsteeOutcome:
        session = kwargs["session"]
        current = standards.get_study(session=session, study_id=study.id)  # type: ignore[arg-type]
        return results.hofstee_outcome(
            current,
            standards.hofstee_rows(session=session, study_id=study.id),  # type: ignore[arg-type]
            standards.observed_percents(session=session, study=current),  # type: ignore[arg-type]
        )

    outcome = program.call(read)
    # percents 100, 66.7, 33.3, 33.3, 0: the fail curve is 20% from 1% to 33%, 60% to 67%, 80% to 100%; the
    # judges' line falls from (40, 80) to (80, 20); they cross where 60 = 80 - 1.5 (x - 40), at x = 53.3%
    assert outcome.result is not None and outcome.observed == 5 and outcome.judges == 2
    assert outcome.result.cut_percent == pytest.approx(40 + 40 / 3)
    assert outcome.result.fail_rate_at_cut == pytest.approx(60.0)
