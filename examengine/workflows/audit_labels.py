"""The audit log as people read it: each record's kind as a label, its subject and the ids in its detail as the
names of the users, exams, sittings and attempts they are, and its times in words. The record itself (what the
hash chain seals and the CSV exports) is untouched; this only reads what the ids name now."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts import service as accounts
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.clock import local_text
from examengine.delivery.models import Attempt
from examengine.exams.models import Exam, Sitting
from examengine.programs.appeal_models import Appeal
from examengine.programs.booking_models import Booking
from examengine.programs.models import AccommodationRequest, Application, Scheme
from itembank.models import Item

ID = re.compile(r"\b[0-9a-f]{32}\b")
ISO_MOMENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)?$")
LABELS: dict[str, str] = {
    AuditKind.ACCESS_DENIED: "Access refused",
    AuditKind.REFUSALS_SUMMARIZED: "Refusals summarised",
    AuditKind.PASSWORD_SET: "Password set",
    AuditKind.ITEM_TRANSITION: "Item status changed",
    AuditKind.EXAM_DRAFT_CHANGED: "Exam draft changed",
    AuditKind.PROCTOR_ACTION: "Proctor action",
    AuditKind.ATTEMPT_EVENTS_PURGED: "Attempt events purged",
    # programs: appeals
    AuditKind.APPEAL_FILED: "Appeal filed",
    AuditKind.APPEAL_ASSIGNED: "Appeal assigned to a reviewer",
    AuditKind.APPEAL_DECIDED: "Appeal decided",
    # programs: applications
    AuditKind.APPLICATION_SUBMITTED: "Eligibility application submitted",
    AuditKind.APPLICATION_DECIDED: "Eligibility application decided",
    AuditKind.APPLICATION_WITHDRAWN: "Eligibility application withdrawn",
    # programs: schemes
    AuditKind.SCHEME_CREATED: "Credential scheme created",
    AuditKind.HANDBOOK_PUBLISHED: "Candidate handbook published",
    # programs: credentials
    AuditKind.CE_RECORDED: "Continuing education recorded",
    # programs: accommodations
    AuditKind.ACCOMMODATION_REQUESTED: "Accommodation requested",
    AuditKind.ACCOMMODATION_DECIDED: "Accommodation request decided",
    AuditKind.INCIDENT_DECIDED: "Incident decided",  # programs: reports
}


@dataclass(frozen=True)
class DetailLine:
    label: str
    text: str


@dataclass(frozen=True)
class LabelledRecord:
    kind_label: str
    subject_label: str
    detail: tuple[DetailLine, ...]


PROGRAM_RECORDS: tuple[tuple[str, Any, Any], ...] = (
    ("application", Application, Application.user_id),
    ("accommodation request", AccommodationRequest, AccommodationRequest.user_id),
    ("seat booking", Booking, Booking.user_id),
    ("appeal", Appeal, Appeal.appellant_id),
)


def kind_label(kind: str) -> str:
    return LABELS.get(kind, kind.replace("_", " ").capitalize())


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    """What each id names, for the ids that are users, exams, items, sittings or attempts."""
    names = {u.id: f"{u.name} <{u.email}>" for u in accounts.users_by_id(session=session, user_ids=ids).values()}
    exams = {row.id: row.code for row in session.scalars(select(Exam).where(col(Exam.id).in_(ids)))}
    names |= exams
    names |= {item.id: item.code for item in session.scalars(select(Item).where(col(Item.id).in_(ids)))}
    # programs: schemes
    names |= {row.id: f"scheme {row.code}" for row in session.scalars(select(Scheme).where(col(Scheme.id).in_(ids)))}
    for sitting in session.scalars(select(Sitting).where(col(Sitting.id).in_(ids))):
        code = exams.get(sitting.exam_id) or session.scalar(
            select(col(Exam.code)).where(col(Exam.id) == sitting.exam_id)
        )
        names[sitting.id] = (
            f"{sitting.title or 'sitting'} of {code} ({local_text(sitting.opens_at, sitting.time_zone)})"
        )
    for attempt_id, user_id in session.execute(
        select(col(Attempt.id), col(Attempt.user_id)).where(col(Attempt.id).in_(ids))
    ).all():
        names[attempt_id] = f"attempt of {names.get(user_id) or _one_name(session, user_id)}"
    for label, model, person in PROGRAM_RECORDS:  # a program's records read as whose they are
        for record_id, user_id in session.execute(select(model.id, person).where(col(model.id).in_(ids))).all():
            names[record_id] = f"{label} of {names.get(user_id) or _one_name(session, user_id)}"
    return names


def _one_name(session: Session, user_id: str) -> str:
    found = accounts.users_by_id(session=session, user_ids=[user_id]).get(user_id)
    return found.name if found else "a removed user"


def _text(value: Any, names: dict[str, str]) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_text(value['from'], names)} → {_text(value['to'], names)}"
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {_text(v, names)}" for key, v in value.items())
    if isinstance(value, list):
        return ", ".join(_text(v, names) for v in value) or "none"
    if value is None:
        return "none"
    if isinstance(value, str) and ISO_MOMENT.match(value):
        return local_text(datetime.fromisoformat(value.replace("Z", "+00:00")))
    return ID.sub(lambda found: names.get(found.group(0), found.group(0)), str(value))


def _ids(records: Iterable[AuditRecord]) -> set[str]:
    found: set[str] = set()
    for r in records:
        found |= set(ID.findall(r.subject)) | set(ID.findall(repr(r.detail)))
    return found


def labelled(*, session: Session, records: Sequence[AuditRecord]) -> list[LabelledRecord]:
    """Each record as the audit page shows it."""
    names = _names(session, _ids(records))
    return [
        LabelledRecord(
            kind_label(r.kind),
            ID.sub(lambda found: names.get(found.group(0), found.group(0)), r.subject.replace(":", ": ", 1)),
            tuple(DetailLine(key.replace("_", " "), _text(value, names)) for key, value in sorted(r.detail.items())),
        )
        for r in records
    ]
