"""Reviewing the fixed forms of an exam version before candidates sit them.

Forms A, B, … are assembled exactly as delivery assembles them (exams.form_inputs, the same seed per form), so what
the admin reviews is what candidates get, down to the option order. A review is recorded against a fingerprint of
the form: if the form ever came out differently (the assembler changed), the review no longer counts.

Policy: only a published version's forms can be marked reviewed (a draft's forms change with the bank until its
item versions are pinned). Scheduling a sitting is not refused for unreviewed forms (the API contract of
POST /api/v1/sittings stays as it is, and a review may still happen before the window opens); the admin pages warn
wherever the sitting is scheduled and the exam is shown.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, ForeignKey, ForeignKeyConstraint, String, select
from sqlmodel import Field, Session, SQLModel, col

from examengine.accounts.models import User
from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import local_text, utcnow
from examengine.db import UTCDateTime, caches_of
from examengine.errors import Conflict, InvalidInput
from examengine.exams import service as exams
from examengine.exams.form_document import FormDocument
from examengine.exams.form_inputs import FORM_NAMES, FormInputs, assemble_form, fixed_form_seed, form_document
from examengine.exams.form_keys import slot_key
from examengine.exams.models import ExamStatus
from itembank.models import ItemVersion

MAX_NOTE = 1000


class FixedFormReview(SQLModel, table=True):
    """Who reviewed which fixed form of a published exam version, when, and the form they saw (its fingerprint)."""

    __tablename__ = "fixed_form_review"
    __table_args__ = (
        ForeignKeyConstraint(
            ["exam_id", "exam_version"], ["exam_version.exam_id", "exam_version.version"], ondelete="CASCADE"
        ),
    )

    exam_id: str = Field(primary_key=True, max_length=32)
    exam_version: int = Field(primary_key=True)
    form_index: int = Field(primary_key=True)
    fingerprint: str = Field(max_length=64)
    reviewed_by: str | None = Field(
        default=None, sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="SET NULL"), nullable=True)
    )
    reviewed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    note: str = Field(default="", max_length=MAX_NOTE)


@dataclass(frozen=True)
class FormSlot:
    number: int
    item_id: str
    version: int
    title: str
    domain: str | None
    points: float
    difficulty: float | None
    key: tuple[str, ...]


@dataclass(frozen=True)
class FormSummary:
    items: int
    points: float
    mean_difficulty: float | None  # mean p-value of the items that have one
    with_difficulty: int
    domains: dict[str, int]


@dataclass(frozen=True)
class ReviewMark:
    reviewer: str
    reviewed_at: datetime
    note: str
    current: bool  # the form is still the one that was reviewed


@dataclass(frozen=True)
class FixedForm:
    index: int
    name: str
    fingerprint: str
    sections: tuple[tuple[str, tuple[FormSlot, ...]], ...]
    summary: FormSummary
    review: ReviewMark | None

    @property
    def reviewed(self) -> bool:
        return self.review is not None and self.review.current


@dataclass(frozen=True)
class FormsReport:
    view: exams.ExamVersionView
    forms: tuple[FixedForm, ...]
    shortfalls: tuple[str, ...]  # a draft whose pool cannot fill the blueprint has no forms yet
    domains: tuple[str, ...]  # every domain on any form, for comparing them
    overlap: dict[tuple[int, int], int]  # items two forms share

    @property
    def reviewable(self) -> bool:
        return self.view.status == ExamStatus.PUBLISHED and bool(self.forms)

    @property
    def unreviewed(self) -> tuple[str, ...]:
        return tuple(form.name for form in self.forms if not form.reviewed)


def _fingerprint(document: FormDocument) -> str:
    return hashlib.sha256(json.dumps(document.shape(), sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _summary(slots: list[FormSlot]) -> FormSummary:
    rated = [s.difficulty for s in slots if s.difficulty is not None]
    domains: dict[str, int] = {}
    for slot in slots:
        domains[slot.domain or "(none)"] = domains.get(slot.domain or "(none)", 0) + 1
    return FormSummary(
        len(slots),
        sum(s.points for s in slots),
        round(sum(rated) / len(rated), 3) if rated else None,
        len(rated),
        dict(sorted(domains.items())),
    )


def _reviews(session: Session, exam_id: str, version: int) -> dict[int, tuple[FixedFormReview, str]]:
    rows = session.execute(
        select(FixedFormReview, col(User.name))
        .outerjoin(User, col(User.id) == col(FixedFormReview.reviewed_by))
        .where(col(FixedFormReview.exam_id) == exam_id, col(FixedFormReview.exam_version) == version)
    ).all()
    return {row.form_index: (row, name or "a deleted user") for row, name in rows}


def _form(session: Session, view: exams.ExamVersionView, pools: list[exams.RulePool], index: int) -> FixedForm:
    inputs = FormInputs(view.definition, pools, fixed_form=index)
    seed = fixed_form_seed(view.exam_id, view.version, index)
    form = assemble_form(inputs, seed, caches_of(session))
    document = form_document(session=session, inputs=inputs, form=form, seed=seed)
    all_slots: list[FormSlot] = []
    sections = []
    for section in document.sections:
        slots = []
        for number in section.slots:
            entry = document.slots[number]
            row = session.get(ItemVersion, (entry.item_id, entry.version))
            assert row is not None  # pinned and approved versions are never deleted
            key = slot_key(session, entry.item_id, entry.version, entry.option_orders)
            slots.append(
                FormSlot(
                    number,
                    row.item_id,
                    row.version,
                    row.title or row.item_id,
                    row.domain,
                    row.max_score,
                    row.p_value,
                    key,
                )
            )
        sections.append((section.title, tuple(slots)))
        all_slots += slots
    return FixedForm(index, FORM_NAMES[index], _fingerprint(document), tuple(sections), _summary(all_slots), None)


def fixed_forms(*, session: Session, exam_id: str, version: int) -> FormsReport:
    """Forms A, B, … of a fixed-forms exam version as candidates will get them, with their summaries and reviews.
    Raises NotFound, or Conflict for a LOFT exam (it has no fixed forms)."""
    view = exams.get_version(session=session, exam_id=exam_id, version=version)
    if view.definition.assembly != "fixed":
        raise Conflict(f"{view.code} assembles a form per attempt (LOFT): it has no fixed forms.", code="not_fixed")
    if view.status == ExamStatus.DRAFT:
        pools = exams.build_pools(session=session, definition=view.definition)
    else:
        pools = exams.pinned_pools(session=session, exam_id=exam_id, version=version)
    missing = exams.shortfalls(view.definition, pools)
    if missing:
        return FormsReport(view, (), tuple(m["message"] for m in missing), (), {})
    reviews = _reviews(session, exam_id, version)
    forms = []
    for index in range(view.definition.forms):
        form = _form(session, view, pools, index)
        found = reviews.get(index)
        if found is not None:
            row, reviewer = found
            mark = ReviewMark(reviewer, row.reviewed_at, row.note, row.fingerprint == form.fingerprint)
            form = FixedForm(form.index, form.name, form.fingerprint, form.sections, form.summary, mark)
        forms.append(form)
    items = [{s.item_id for _, slots in f.sections for s in slots} for f in forms]
    overlap = {(a, b): len(items[a] & items[b]) for a in range(len(forms)) for b in range(a + 1, len(forms))}
    domains = tuple(sorted({d for f in forms for d in f.summary.domains}))
    return FormsReport(view, tuple(forms), (), domains, overlap)


def mark_reviewed(
    *,
    session: Session,
    exam_id: str,
    version: int,
    form_name: str,
    fingerprint: str,
    note: str,
    actor_id: str | None,
    now: datetime | None = None,
) -> FixedForm:
    """Record that the actor reviewed a fixed form of a published version, as it was shown (`fingerprint`).
    Raises InvalidInput (no such form, note too long), Conflict (not published, already reviewed, or the form is
    not the one shown), NotFound."""
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"The note is at most {MAX_NOTE} characters.", code="note_too_long")
    report = fixed_forms(session=session, exam_id=exam_id, version=version)
    if report.view.status != ExamStatus.PUBLISHED:
        raise Conflict(
            f"Version {version} is {report.view.status.value}: only the forms of a published version are reviewed "
            "(a draft's forms change with the bank until publishing pins its items).",
            code="not_published",
        )
    form = next((f for f in report.forms if f.name == form_name), None)
    if form is None:
        raise InvalidInput(f"{report.view.code} version {version} has no form {form_name!r}.", code="no_such_form")
    if form.fingerprint != fingerprint:
        raise Conflict(f"Form {form.name} is not the form you were shown: reload and review it again.", code="stale")
    if form.reviewed and form.review is not None:
        raise Conflict(
            f"Form {form.name} was reviewed by {form.review.reviewer} at {local_text(form.review.reviewed_at)}.",
            code="already_reviewed",
        )
    at = now or utcnow()
    row = session.get(FixedFormReview, (exam_id, version, form.index))
    if row is None:
        row = FixedFormReview(exam_id=exam_id, exam_version=version, form_index=form.index, fingerprint=fingerprint)
        session.add(row)
    row.fingerprint, row.reviewed_by, row.reviewed_at, row.note = fingerprint, actor_id, at, note.strip()
    record(
        session=session,
        kind=AuditKind.FIXED_FORM_REVIEWED,
        actor_id=actor_id,
        subject=f"exam:{exam_id}/{version}/form:{form.name}",
        detail={"fingerprint": fingerprint, "note": note.strip()},
        at=at,
    )
    session.flush()
    return form
