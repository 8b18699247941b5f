"""Credential schemes (API.md "Schemes (admin)"): creating one with its exams and first handbook, reading them, and
publishing new handbook versions (programs.scheme_views reads them). `scheme_by_code`, `scheme_of_exam` and
`current_handbook` are what other program slices use to find a scheme."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams.models import Exam
from examengine.programs import scheme_rules as rules
from examengine.programs.models import Scheme, SchemeExam, SchemeHandbook


def scheme_by_code(session: Session, code: str) -> Scheme:
    """The scheme with this code; NotFound (`scheme_not_found`) otherwise."""
    found = session.scalar(select(Scheme).where(col(Scheme.code) == code))
    if found is None:
        raise NotFound(f"There is no scheme with the code {code[:40]!r}.", code="scheme_not_found")
    return found


def scheme_of_exam(session: Session, exam_id: str) -> Scheme | None:
    """The scheme an exam belongs to, or None for an exam outside every scheme (it behaves as it always did)."""
    return session.scalar(
        select(Scheme)
        .join(SchemeExam, col(SchemeExam.scheme_id) == col(Scheme.id))
        .where(col(SchemeExam.exam_id) == exam_id)
    )


def current_handbook(session: Session, scheme_id: str) -> SchemeHandbook | None:
    """The newest handbook version of a scheme: the one applicants acknowledge."""
    return session.scalar(
        select(SchemeHandbook)
        .where(col(SchemeHandbook.scheme_id) == scheme_id)
        .order_by(col(SchemeHandbook.published_at).desc(), col(SchemeHandbook.version).desc())
        .limit(1)
    )


def _checked_exams(session: Session, exam_ids: tuple[str, ...]) -> list[str]:
    wanted = list(dict.fromkeys(exam_ids))
    if not wanted:
        return []
    known = set(session.scalars(select(col(Exam.id)).where(col(Exam.id).in_(wanted))))
    unknown = [exam_id for exam_id in wanted if exam_id not in known]
    if unknown:
        raise InvalidInput(
            f"exam_ids: there is no exam {', '.join(unknown)}.",
            code="unknown_exam",
            details={"field": "exam_ids", "exam_ids": unknown},
        )
    taken = session.execute(
        select(col(SchemeExam.exam_id), col(Scheme.code))
        .join(Scheme, col(Scheme.id) == col(SchemeExam.scheme_id))
        .where(col(SchemeExam.exam_id).in_(wanted))
    ).all()
    if taken:
        listed = ", ".join(f"{exam_id} (in {code})" for exam_id, code in taken)
        raise Conflict(
            f"An exam belongs to at most one scheme: {listed}.",
            code="exam_in_scheme",
            details={"field": "exam_ids", "exam_ids": [exam_id for exam_id, _ in taken]},
        )
    return wanted


def _refuse_taken(session: Session, code: str, exam_ids: tuple[str, ...]) -> list[str]:
    """The exams to store, once neither the code nor any exam is taken (Conflict otherwise)."""
    if session.scalar(select(col(Scheme.id)).where(col(Scheme.code) == code)) is not None:
        raise Conflict(f"A scheme with the code {code} exists.", code="scheme_code_taken", details={"field": "code"})
    return _checked_exams(session, exam_ids)


def _optional_duration(name: str, text: str | None) -> str | None:
    return None if text is None else rules.checked_duration(name, text)


def _checked_scheme(scheme: rules.SchemeInput, *, actor_id: str | None, now: datetime) -> Scheme:
    """The scheme to store, every field checked by its kind's rules (nothing read from the database)."""
    kind = rules.checked_kind(scheme.kind)
    designation = (scheme.designation or "").strip() or None
    if designation is not None:
        designation = rules.checked_text("designation", designation, limit=40)
    rules.check_kind_rules(scheme, kind)
    if not 1 <= scheme.attempts_per_authorization <= rules.MAX_ATTEMPTS:
        raise rules.refuse(
            "attempts_per_authorization", f"between 1 and {rules.MAX_ATTEMPTS} attempts.", "invalid_attempts"
        )
    course_title, course_url = rules.checked_course(scheme.course) if scheme.course else (None, None)
    return Scheme(
        code=rules.checked_code("code", scheme.code),
        title=rules.checked_text("title", scheme.title, limit=300),
        kind=kind,
        designation=designation,
        course_title=course_title,
        course_url=course_url,
        pathways=rules.checked_pathways(scheme.pathways),
        attempts_per_authorization=scheme.attempts_per_authorization,
        recertification=rules.checked_recertification(scheme.recertification) if scheme.recertification else None,
        appeal_period=rules.checked_duration("appeal_period", scheme.appeal_period),
        authorization_period=_optional_duration("authorization_period", scheme.authorization_period),
        cycle=_optional_duration("cycle", scheme.cycle),
        grace_period=_optional_duration("grace_period", scheme.grace_period),
        reinstatement_period=_optional_duration("reinstatement_period", scheme.reinstatement_period),
        created_at=now,
        created_by=actor_id,
    )


def create_scheme(*, session: Session, scheme: rules.SchemeInput, actor_id: str | None, now: datetime) -> Scheme:
    """Store a new scheme with its exams and first handbook version. Raises InvalidInput naming the field
    (a kind's rules, a duration, a code, a pathway), Conflict `scheme_code_taken` or `exam_in_scheme`."""
    stored = _checked_scheme(scheme, actor_id=actor_id, now=now)
    handbook = rules.checked_handbook(scheme.handbook)
    exam_ids = _refuse_taken(session, stored.code, scheme.exam_ids)
    try:
        with session.begin_nested():
            session.add(stored)
            session.flush()
            session.add_all(SchemeExam(exam_id=exam_id, scheme_id=stored.id) for exam_id in exam_ids)
            session.add(
                SchemeHandbook(
                    scheme_id=stored.id,
                    version=handbook.version,
                    text=handbook.text,
                    published_at=now,
                    published_by=actor_id,
                )
            )
            session.flush()
    except IntegrityError:
        # A concurrent creation took the code or an exam between the checks and the insert: say which.
        _refuse_taken(session, stored.code, scheme.exam_ids)
        raise
    record(
        session=session,
        kind=AuditKind.SCHEME_CREATED,
        actor_id=actor_id,
        subject=f"scheme:{stored.id}",
        detail={"code": stored.code, "kind": stored.kind, "exam_ids": exam_ids, "handbook_version": handbook.version},
    )
    return stored


def _version_exists(version: str) -> Conflict:
    return Conflict(
        f"Version {version} of the handbook is already published: give the new one its own version.",
        code="handbook_version_exists",
        details={"field": "version"},
    )


def publish_handbook(
    *, session: Session, code: str, handbook: rules.Handbook, actor_id: str | None, now: datetime
) -> SchemeHandbook:
    """Publish a new handbook version, which becomes current: applications submitted after it must acknowledge it.
    Raises NotFound `scheme_not_found`, InvalidInput naming the field, Conflict `handbook_version_exists`."""
    scheme = scheme_by_code(session, code)
    checked = rules.checked_handbook(handbook)
    if session.get(SchemeHandbook, (scheme.id, checked.version)) is not None:
        raise _version_exists(checked.version)
    latest = current_handbook(session, scheme.id)
    # The newest is current: a second version within the clock's resolution still comes after the first.
    published_at = max(now, latest.published_at + timedelta(microseconds=1)) if latest else now
    stored = SchemeHandbook(
        scheme_id=scheme.id,
        version=checked.version,
        text=checked.text,
        published_at=published_at,
        published_by=actor_id,
    )
    try:
        with session.begin_nested():
            session.add(stored)
            session.flush()
    except IntegrityError:
        raise _version_exists(checked.version) from None
    record(
        session=session,
        kind=AuditKind.HANDBOOK_PUBLISHED,
        actor_id=actor_id,
        subject=f"scheme:{scheme.id}",
        detail={"code": scheme.code, "version": checked.version},
    )
    return stored
