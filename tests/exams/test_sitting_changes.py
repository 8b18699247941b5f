"""The sitting-change services on both engines: an attempt's deadline never passes the sitting's close, so a new
close is refused before the latest running deadline and accepted from it on (the boundary itself included); a
later close lets a clock the old close capped run to its own limit; a paused, untimed or waiting attempt counts as
its ledger says; enrolment stops at the capacity."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from examengine.delivery import attempt_view, attempts, sitting_changes, start
from examengine.errors import Conflict, InvalidInput
from examengine.exams import sittings
from examengine.exams.form_inputs import FormInputs, assemble_form, form_document, new_seed
from examengine.exams.sittings import EnrollmentRequest, SittingStatus
from examengine.scoring import retake
from tests.exams.conftest import Loft


def _close(loft: Loft, sitting_id: str, closes_at: datetime) -> sittings.SittingView:
    return loft.call(sitting_changes.update_sitting, sitting_id=sitting_id, actor_id=loft.admin.id, closes_at=closes_at)


def test_a_close_before_the_latest_running_deadline_is_refused_and_from_it_accepted(loft: Loft) -> None:
    exam_id = loft.exam()  # 60 minutes; the sitting closes in two hours
    sitting_id = loft.sitting(exam_id, who=loft.candidates[:2])
    first = loft.start(sitting_id, loft.candidates[0])
    deadline = loft.attempt(first).deadline_at
    assert deadline is not None
    with pytest.raises(Conflict) as cut:
        _close(loft, sitting_id, deadline - timedelta(seconds=1))
    assert cut.value.code == "would_cut_attempt" and cut.value.details["running"] == 1
    view = _close(loft, sitting_id, deadline)
    assert view.closes_at == deadline
    stored = loft.attempt(first)
    assert stored.window_closes_at == deadline and stored.deadline_at == deadline


def test_a_later_close_lets_a_capped_clock_run_to_its_own_limit(loft: Loft) -> None:
    exam_id = loft.exam()
    opens_at = datetime.now(UTC) - timedelta(minutes=1)
    view = loft.call(
        sittings.create_sitting,
        exam_id=exam_id,
        opens_at=opens_at,
        closes_at=opens_at + timedelta(minutes=31),  # caps the 60 minutes at about 30
        proctor_ids=[],
        candidates=[EnrollmentRequest(loft.candidates[0].id)],
        actor_id=loft.admin.id,
    )
    attempt_id = loft.start(view.sitting_id, loft.candidates[0])
    capped = loft.attempt(attempt_id)
    assert capped.deadline_at == view.closes_at
    _close(loft, view.sitting_id, opens_at + timedelta(hours=3))
    freed = loft.attempt(attempt_id)
    assert capped.started_at is not None and freed.deadline_at == capped.started_at + timedelta(minutes=60)


def test_a_paused_attempt_keeps_its_stopped_time_and_an_untimed_one_runs_to_the_close(loft: Loft) -> None:
    untimed = loft.exam(time_limit_minutes=None)
    sitting_id = loft.sitting(untimed, who=loft.candidates[:1])
    loft.start(sitting_id, loft.candidates[0])
    with pytest.raises(Conflict):  # an untimed attempt runs until the close: any earlier close cuts it
        _close(loft, sitting_id, datetime.now(UTC) + timedelta(hours=1))

    timed = loft.exam()
    other = loft.sitting(timed, who=loft.candidates[1:2])
    attempt_id = loft.start(other, loft.candidates[1])
    now = datetime.now(UTC)
    loft.call(attempts.pause, attempt_id=attempt_id, actor_id=loft.admin.id, reason="fire alarm", now=now)
    later = now + timedelta(minutes=30)  # thirty minutes paused: the deadline has moved by as much
    with pytest.raises(Conflict):
        loft.call(
            sitting_changes.update_sitting,
            sitting_id=other,
            actor_id=loft.admin.id,
            closes_at=now + timedelta(minutes=80),
            now=later,
        )


def test_enrolment_stops_at_the_capacity_and_a_cancelled_sitting_refuses_every_change(loft: Loft) -> None:
    exam_id = loft.exam()
    sitting_id = loft.sitting(exam_id, opens_in=timedelta(days=1), who=loft.candidates[:1])
    loft.call(sitting_changes.update_sitting, sitting_id=sitting_id, actor_id=loft.admin.id, capacity=2)
    enrol = EnrollmentRequest(loft.candidates[1].id)
    view = loft.call(sitting_changes.enrol_candidate, sitting_id=sitting_id, actor_id=loft.admin.id, request=enrol)
    assert len(view.candidates) == 2 and view.status == SittingStatus.SCHEDULED
    with pytest.raises(Conflict) as full:
        loft.call(
            sitting_changes.enrol_candidate,
            sitting_id=sitting_id,
            actor_id=loft.admin.id,
            request=EnrollmentRequest(loft.candidates[2].id),
        )
    assert full.value.code == "sitting_full"
    with pytest.raises(InvalidInput):
        loft.call(sitting_changes.cancel_sitting, sitting_id=sitting_id, actor_id=loft.admin.id, reason=" ")
    cancelled = loft.call(
        sitting_changes.cancel_sitting, sitting_id=sitting_id, actor_id=loft.admin.id, reason="no room"
    )
    assert cancelled.status == SittingStatus.CANCELLED and cancelled.cancel_reason == "no room"
    with pytest.raises(Conflict) as again:
        loft.call(
            sitting_changes.remove_candidate,
            sitting_id=sitting_id,
            user_id=loft.candidates[0].id,
            actor_id=loft.admin.id,
        )
    assert again.value.code == "sitting_cancelled"


def _plan_then(loft: Loft, sitting_id: str, change: Callable[[], object], *, who: int = 0) -> start.StartPlan:
    """A start's plan read, then `change` committed before the start writes its attempt (the race of a start with
    an admin's change, made deterministic)."""
    plan = loft.call(
        start._plan,
        write=False,
        sitting_id=sitting_id,
        user_id=loft.candidates[who].id,
        now=datetime.now(UTC),
        eligible=retake.eligibility,
    )
    assert isinstance(plan, start.StartPlan)
    change()
    return plan


def _create(loft: Loft, plan: start.StartPlan) -> attempt_view.AttemptView:
    form = plan.form
    assert isinstance(form, FormInputs)
    seed = new_seed(form, plan.sitting.exam_id, plan.sitting.exam_version)
    document = loft.call(form_document, write=False, inputs=form, form=assemble_form(form, seed, None), seed=seed)
    return loft.call(start._create_assembled, plan=plan, document=document, seed=seed, now=datetime.now(UTC))


def test_a_start_planned_before_a_change_writes_against_the_sitting_as_changed(loft: Loft) -> None:
    """The start reads its plan, then writes: a close moved (or a cancellation) committed between the two is what
    the attempt is written against, never the plan's older copy of the sitting."""
    exam_id = loft.exam()
    sitting_id = loft.sitting(exam_id, who=loft.candidates[:1])
    earlier = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=20)
    plan = _plan_then(loft, sitting_id, lambda: _close(loft, sitting_id, earlier))
    assert plan.sitting.closes_at > earlier  # the plan holds the old close
    created = _create(loft, plan)
    assert loft.attempt(created.attempt_id).deadline_at == earlier

    other = loft.sitting(exam_id, who=loft.candidates[1:2])
    cancel = functools.partial(
        loft.call, sitting_changes.cancel_sitting, sitting_id=other, actor_id=loft.admin.id, reason="flood"
    )
    stale = _plan_then(loft, other, cancel, who=1)
    with pytest.raises(Conflict) as refused:
        _create(loft, stale)
    assert refused.value.code == "sitting_cancelled"
