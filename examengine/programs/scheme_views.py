"""Reading schemes: the list a page at a time, one scheme with its exams and handbook versions, and the exams a new
scheme may take (programs.schemes writes them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.exams.models import Exam, ExamVersion
from examengine.programs import scheme_rules as rules
from examengine.programs.models import Scheme, SchemeExam, SchemeHandbook, SchemeKind
from examengine.programs.schemes import scheme_by_code

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
