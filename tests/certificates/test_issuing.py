"""Issuing: a certificate exists for an attempt exactly when its passing result is visible to its candidate."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update
from sqlmodel import Session

from examengine import organisation
from examengine.accounts.models import User
from examengine.certificates import issuing
from examengine.certificates.codes import ALPHABET, LENGTH
from examengine.certificates.models import Certificate, CertificateStatus
from examengine.marking.slot_scores import mark_slot
from examengine.scoring.release import release_results
from tests.certificates.conftest import FAILING, issue, passed_attempt
from tests.scoring.conftest import PERFECT, Program

SECOND = timedelta(seconds=1)


def certificate_count(program: Program) -> int:
    return int(program.call(lambda *, session: session.scalar(select(func.count()).select_from(Certificate))))


def sweep(program: Program, now: datetime, **kwargs: object) -> int:
    return program.call(issuing.issue_due, now=now, **kwargs)


def test_a_pass_released_at_once_is_certified_once_with_what_it_certifies(program: Program) -> None:
    attempt_id = passed_attempt(program, who=1)
    completed = program.score(attempt_id).completed_at
    assert completed is not None
    first = issue(program, attempt_id)
    assert first is not None
    assert (first.attempt_id, first.user_id, first.exam_version) == (attempt_id, program.candidates[1].id, 1)
    assert (first.holder_name, first.credential, first.exam_code) == ("Candidate 1", "Scoring", "SCORE-1")
    assert first.issued_at == completed  # the moment the pass became visible, whoever issues it
    assert first.expires_at is None and first.revoked_at is None
    assert len(first.code) == LENGTH and set(first.code) <= set(ALPHABET)
    again = issue(program, attempt_id, datetime.now(UTC) + timedelta(days=1))
    assert again is not None and (again.id, again.code, again.issued_at) == (first.id, first.code, first.issued_at)
    assert sweep(program, datetime.now(UTC)) == 0
    assert certificate_count(program) == 1


def test_no_certificate_for_a_fail_an_unscored_attempt_or_an_unknown_one(program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    failed = program.take(sitting_id, program.candidates[0], FAILING)
    unscored = program.take(sitting_id, program.candidates[1], PERFECT, score=False)
    assert program.score(failed).passed is False
    assert issue(program, failed) is None
    assert issue(program, unscored) is None
    assert issue(program, "0" * 32) is None and issue(program, "x" * 40) is None
    assert sweep(program, datetime.now(UTC) + timedelta(days=400)) == 0
    assert certificate_count(program) == 0


def test_an_exam_without_a_cut_score_certifies_nothing(program: Program) -> None:
    attempt_id = passed_attempt(program, cut_score=None, scale=None)
    assert program.score(attempt_id).passed is None
    assert issue(program, attempt_id) is None


def test_manual_release_certifies_at_the_release_not_before(program: Program) -> None:
    exam_id, sitting_id = program.exam(essay=False, result_release="manual")
    passed = program.take(sitting_id, program.candidates[0], PERFECT)
    failed = program.take(sitting_id, program.candidates[1], FAILING)
    much_later = datetime.now(UTC) + timedelta(days=90)
    assert issue(program, passed, much_later) is None
    assert sweep(program, much_later) == 0
    released_at = datetime.now(UTC) + timedelta(hours=1)
    program.call(release_results, exam_id=exam_id, version=1, actor_id=program.admin.id, now=released_at)
    assert sweep(program, released_at - SECOND) == 0  # a release is not visible before its moment
    assert sweep(program, released_at, exam_id=exam_id) == 1
    certificate = issue(program, passed, released_at)
    assert certificate is not None and certificate.issued_at == released_at
    assert issue(program, failed, released_at) is None
    assert certificate_count(program) == 1


def test_a_release_date_certifies_through_the_sweep_from_that_date(program: Program) -> None:
    release_at = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    _, sitting_id = program.exam(essay=False, result_release="on_date", release_at=release_at.isoformat())
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    assert sweep(program, release_at - SECOND) == 0
    assert issue(program, attempt_id, release_at - SECOND) is None
    assert sweep(program, release_at + timedelta(hours=5)) == 1
    certificate = issue(program, attempt_id)
    assert certificate is not None and certificate.issued_at == release_at


def test_a_pass_waiting_for_marking_is_certified_once_marked(program: Program) -> None:
    _, sitting_id = program.exam(result_release="after_marking")
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    assert issue(program, attempt_id) is None
    assert sweep(program, datetime.now(UTC)) == 0
    marked_at = datetime.now(UTC)
    essay = program.slot_of(attempt_id, "essay")
    program.call(mark_slot, attempt_id=attempt_id, slot=essay, score=1, marker_id=program.admin.id, now=marked_at)
    assert sweep(program, marked_at) == 1  # 7 of 10: exactly the cut
    certificate = issue(program, attempt_id)
    assert certificate is not None and certificate.issued_at == marked_at


def test_a_validity_period_sets_the_expiry(program: Program) -> None:
    attempt_id = passed_attempt(program, certificate_valid_days=365)
    certificate = issue(program, attempt_id)
    assert certificate is not None and certificate.expires_at == certificate.issued_at + timedelta(days=365)
    assert certificate.status_at(certificate.expires_at - SECOND) == CertificateStatus.VALID
    assert certificate.status_at(certificate.expires_at) == CertificateStatus.EXPIRED


def test_the_holder_name_is_kept_as_issued(program: Program) -> None:
    attempt_id = passed_attempt(program)
    issued = issue(program, attempt_id)
    assert issued is not None

    def rename(*, session: Session) -> None:
        session.execute(update(User).where(User.id == program.candidates[0].id).values(name="Someone Else"))  # type: ignore[arg-type]

    program.call(rename)
    again = issue(program, attempt_id)
    assert again is not None and again.holder_name == "Candidate 0"


def test_the_issuer_name_is_kept_as_issued(program: Program) -> None:
    changes = organisation.IdentityChanges("Northwind Board", "", "#0b57a4", "UTC", "", "")
    program.call(organisation.change, actor_id=program.admin.id, changes=changes, now=datetime.now(UTC))
    issued = issue(program, passed_attempt(program))
    assert issued is not None and issued.issuer_name == "Northwind Board"
    renamed = replace(changes, name="Southwind Board")
    program.call(organisation.change, actor_id=program.admin.id, changes=renamed, now=datetime.now(UTC))
    again = issue(program, issued.attempt_id)
    assert again is not None and again.issuer_name == "Northwind Board"


def test_two_paths_racing_issue_one_certificate(program: Program) -> None:
    attempt_ids = [passed_attempt(program, who=n) for n in range(3)]
    now = datetime.now(UTC)
    found: list[object] = []

    def by_attempt() -> None:
        found.extend(program.call(issuing.issue_if_due, attempt_id=a, now=now) for a in attempt_ids)

    def by_sweep() -> None:
        found.append(program.call(issuing.issue_due, now=now))

    runners = [threading.Thread(target=target) for target in (by_attempt, by_sweep, by_attempt)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    certificates = [c for c in found if isinstance(c, Certificate)]
    assert len(certificates) == 6
    assert len({c.id for c in certificates}) == 3 and certificate_count(program) == 3
