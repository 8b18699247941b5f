"""Credential schemes (API.md "Schemes (admin)"): creating one with its exams and first handbook, reading them, and
publishing new handbook versions. The helpers at the end are what other program slices use to find a scheme."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams.models import Exam, ExamVersion
from examengine.programs import scheme_rules as rules
from examengine.programs.models import Scheme, SchemeExam, SchemeHandbook, SchemeKind

PAGE_SIZE = 50


@dataclass(frozen=True)
class SchemeExamRef:
    exam_id: str
    code: str
    title: str


@dataclass(frozen=True)
class HandbookVersion:
    version: str
    text: str
    published_at: datetime


@dataclass(frozen=True)
class SchemeView:
    scheme: Scheme
    exams: tuple[SchemeExamRef, ...]
    handbooks: tuple[HandbookVersion, ...]  # newest first: the first is current

    @property
    def current_handbook(self) -> HandbookVersion | None:
        return self.handbooks[0] if self.handbooks else None

    @property
    def kind_words(self) -> str:
        return rules.KIND_WORDS[SchemeKind(self.scheme.kind)]


@dataclass(frozen=True)
class SchemePage:
    items: tuple[Scheme, ...]
    next_cursor: str | None  # the last scheme's code: the next page starts after it


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
    if session.scalar(select(col(Scheme.id)).where(col(Scheme.code) == stored.code)) is not None:
        raise Conflict(
            f"A scheme with the code {stored.code} exists.", code="scheme_code_taken", details={"field": "code"}
        )
    exam_ids = _checked_exams(session, scheme.exam_ids)
    session.add(stored)
    session.flush()
    session.add_all(SchemeExam(exam_id=exam_id, scheme_id=stored.id) for exam_id in exam_ids)
    session.add(
        SchemeHandbook(
            scheme_id=stored.id, version=handbook.version, text=handbook.text, published_at=now, published_by=actor_id
        )
    )
    session.flush()
    record(
        session=session,
        kind=AuditKind.SCHEME_CREATED,
        actor_id=actor_id,
        subject=f"scheme:{stored.id}",
        detail={"code": stored.code, "kind": stored.kind, "exam_ids": exam_ids, "handbook_version": handbook.version},
    )
    return stored


def publish_handbook(
    *, session: Session, code: str, handbook: rules.Handbook, actor_id: str | None, now: datetime
) -> SchemeHandbook:
    """Publish a new handbook version, which becomes current: applications submitted after it must acknowledge it.
    Raises NotFound `scheme_not_found`, InvalidInput naming the field, Conflict `handbook_version_exists`."""
    scheme = scheme_by_code(session, code)
    checked = rules.checked_handbook(handbook)
    if session.get(SchemeHandbook, (scheme.id, checked.version)) is not None:
        raise Conflict(
            f"Version {checked.version} of the handbook is already published: give the new one its own version.",
            code="handbook_version_exists",
            details={"field": "version"},
        )
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
    session.add(stored)
    session.flush()
    record(
        session=session,
        kind=AuditKind.HANDBOOK_PUBLISHED,
        actor_id=actor_id,
        subject=f"scheme:{scheme.id}",
        detail={"code": scheme.code, "version": checked.version},
    )
    return stored


def list_schemes(*, session: Session, cursor: str | None = None, limit: int = PAGE_SIZE) -> SchemePage:
    """Every scheme by code, a page at a time."""
    query = select(Scheme).order_by(col(Scheme.code)).limit(limit + 1)
    if cursor:
        query = query.where(col(Scheme.code) > cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    items = tuple(rows[:limit])
    return SchemePage(items, items[-1].code if more and items else None)


def scheme_view(*, session: Session, code: str) -> SchemeView:
    """A scheme with its exams (code and latest title) and its handbook versions, newest first."""
    scheme = scheme_by_code(session, code)
    exams = session.execute(
        select(col(Exam.id), col(Exam.code), col(ExamVersion.title))
        .join(SchemeExam, col(SchemeExam.exam_id) == col(Exam.id))
        .join(
            ExamVersion,
            (col(ExamVersion.exam_id) == col(Exam.id)) & (col(ExamVersion.version) == col(Exam.latest_version)),
        )
        .where(col(SchemeExam.scheme_id) == scheme.id)
        .order_by(col(Exam.code))
    ).all()
    handbooks = session.scalars(
        select(SchemeHandbook)
        .where(col(SchemeHandbook.scheme_id) == scheme.id)
        .order_by(col(SchemeHandbook.published_at).desc(), col(SchemeHandbook.version).desc())
    )
    return SchemeView(
        scheme,
        tuple(SchemeExamRef(*row) for row in exams),
        tuple(HandbookVersion(h.version, h.text, h.published_at) for h in handbooks),
    )


def exam_choices(*, session: Session) -> list[tuple[SchemeExamRef, str | None]]:
    """Every exam (code, latest title) with the code of the scheme it already belongs to, for the scheme form."""
    rows = session.execute(
        select(col(Exam.id), col(Exam.code), col(ExamVersion.title), col(Scheme.code))
        .join(
            ExamVersion,
            (col(ExamVersion.exam_id) == col(Exam.id)) & (col(ExamVersion.version) == col(Exam.latest_version)),
        )
        .outerjoin(SchemeExam, col(SchemeExam.exam_id) == col(Exam.id))
        .outerjoin(Scheme, col(Scheme.id) == col(SchemeExam.scheme_id))
        .order_by(col(Exam.code))
    ).all()
    return [(SchemeExamRef(exam_id, code, title), scheme) for exam_id, code, title, scheme in rows]


def stored_fields(scheme: Scheme) -> dict[str, Any]:
    """The scheme's own facts as the contract names them (the API's full view adds exams and the handbook)."""
    course = {"title": scheme.course_title, "url": scheme.course_url} if scheme.course_title else None
    return {
        "scheme_id": scheme.id,
        "code": scheme.code,
        "title": scheme.title,
        "kind": SchemeKind(scheme.kind).value,
        "designation": scheme.designation,
        "course": course,
        "pathways": scheme.pathways,
        "authorization_period": scheme.authorization_period,
        "attempts_per_authorization": scheme.attempts_per_authorization,
        "cycle": scheme.cycle,
        "grace_period": scheme.grace_period,
        "reinstatement_period": scheme.reinstatement_period,
        "recertification": scheme.recertification,
        "appeal_period": scheme.appeal_period,
    }
