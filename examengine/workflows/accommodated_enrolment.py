"""Enrolment with the accommodations a candidate was granted: the admin's doors (scheduling a sitting with
candidates, enrolling one, a CSV of candidates) enrol through here, so an approved accommodation request applies to
every enrolment after its approval in the scheme's exams (API.md "Accommodation requests"). exams and delivery know
nothing of programs: this layer reads the grant and hands them plain numbers.

When the admin also gives a time multiplier or extra minutes, the larger of the two applies, each on its own: an
admin can add time on the day (a broken arm) but never silently take away time a reviewer granted. The grant's
other needs are never copied into the enrolment's reason, which proctors' views may show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlmodel import Session

from examengine.delivery import sitting_changes
from examengine.exams import sittings
from examengine.exams.sittings import EnrollmentRequest, SittingView
from examengine.programs.granted import granted_for_exam


def with_grant(session: Session, exam_id: str, request: EnrollmentRequest) -> EnrollmentRequest:
    """The enrolment with the candidate's granted extra time for the exam's scheme, the larger value applying."""
    in_range = 1.0 <= request.time_multiplier <= 4.0 and 0 <= request.extra_minutes <= 600
    granted = granted_for_exam(session=session, user_id=request.user_id, exam_id=exam_id) if in_range else None
    if granted is None:  # out of range: left as given, for the enrolment's own check to refuse
        return request
    return replace(
        request,
        time_multiplier=max(request.time_multiplier, granted.time_multiplier),
        extra_minutes=max(request.extra_minutes, granted.extra_minutes),
    )


def create_sitting(
    *, session: Session, exam_id: str, candidates: Sequence[EnrollmentRequest], **sitting: Any
) -> SittingView:
    """exams.sittings.create_sitting with each candidate's grant applied; raises as it does."""
    granted = [with_grant(session, exam_id, candidate) for candidate in candidates]
    return sittings.create_sitting(session=session, exam_id=exam_id, candidates=granted, **sitting)


def enrol_candidate(
    *, session: Session, sitting_id: str, actor_id: str, request: EnrollmentRequest, now: datetime | None = None
) -> SittingView:
    """delivery.sitting_changes.enrol_candidate with the candidate's grant applied; raises as it does."""
    exam_id = sittings.load_sitting(session, sitting_id).exam_id
    return sitting_changes.enrol_candidate(
        session=session,
        sitting_id=sitting_id,
        actor_id=actor_id,
        request=with_grant(session, exam_id, request),
        now=now,
    )
