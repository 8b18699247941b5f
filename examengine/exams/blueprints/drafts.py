"""Saving a blueprint from the structured editor, and what the editor shows of the bank.

A save builds the same ExamDefinition as the YAML editor and the API (service.parse_definition) and then creates
the exam, changes its draft in place, or adds a new draft version after a published one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, select, update
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict, InvalidInput
from examengine.exams import service as exams
from examengine.exams.definition import ExamDefinition
from examengine.exams.models import Exam, ExamStatus, ExamVersion
from itembank.models import ItemStatus, ItemVersion, ItemVersionTag

MAX_CHOICES = 500


@dataclass(frozen=True)
class BankChoices:
    """The domains and tags of approved items, offered as suggestions while writing draw rules."""

    domains: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class EditTarget:
    """What saving the editor's form does to an exam: the version it starts from and what a save makes of it."""

    view: exams.ExamVersionView
    revision: str
    saves_new_version: bool  # the latest version is published or retired: a save adds a draft version


def revision_of(definition: ExamDefinition) -> str:
    """A fingerprint of a stored blueprint: a save names the one it was edited from, so a concurrent change is
    refused instead of overwritten."""
    canonical = json.dumps(definition.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


def bank_choices(*, session: Session) -> BankChoices:
    domains = session.scalars(
        select(col(ItemVersion.domain))
        .distinct()
        .where(col(ItemVersion.status) == ItemStatus.APPROVED, col(ItemVersion.domain).is_not(None))
        .order_by(col(ItemVersion.domain))
        .limit(MAX_CHOICES)
    ).all()
    tags = session.scalars(
        select(col(ItemVersionTag.label))
        .distinct()
        .join(
            ItemVersion,
            (col(ItemVersion.item_id) == col(ItemVersionTag.item_id))
            & (col(ItemVersion.version) == col(ItemVersionTag.version)),
        )
        .where(col(ItemVersionTag.kind) == "tag", col(ItemVersion.status) == ItemStatus.APPROVED)
        .order_by(col(ItemVersionTag.label))
        .limit(MAX_CHOICES)
    ).all()
    return BankChoices(tuple(d for d in domains if d), tuple(tags))


def approved_count(*, session: Session, domain: str, tag: str) -> int:
    """How many items a draw rule could draw from now: items with an approved version in the domain and/or with the
    tag (a count, so the editor asks it on every keystroke without loading the bank)."""
    query = select(func.count(distinct(col(ItemVersion.item_id)))).where(col(ItemVersion.status) == ItemStatus.APPROVED)
    if domain:
        query = query.where(col(ItemVersion.domain) == domain)
    if tag:
        query = query.join(
            ItemVersionTag,
            (col(ItemVersionTag.item_id) == col(ItemVersion.item_id))
            & (col(ItemVersionTag.version) == col(ItemVersion.version))
            & (col(ItemVersionTag.kind) == "tag")
            & (col(ItemVersionTag.label) == tag),
        )
    return int(session.scalar(query) or 0)


def fixed_item_title(*, session: Session, item_id: str, version: str) -> str | None:
    """The title of a fixed item's version when it is approved, else None."""
    if not version.isdecimal() or len(item_id) > 32 or len(version) > 9:
        return None
    row = session.get(ItemVersion, (item_id, int(version)))
    if row is None or row.status != ItemStatus.APPROVED:
        return None
    return row.title or item_id


def edit_target(*, session: Session, exam_id: str) -> EditTarget:
    view = exams.get_version(session=session, exam_id=exam_id)
    return EditTarget(view, revision_of(view.definition), view.status != ExamStatus.DRAFT)


def save_blueprint(
    *, session: Session, raw: dict[str, Any], exam_id: str | None, revision: str, actor_id: str | None
) -> exams.ExamVersionView:
    """Validate and store a blueprint: a new exam (exam_id None), the exam's draft changed in place, or a new draft
    version when the latest is published. Raises InvalidInput (with the problems per field), Conflict when the code
    is taken or the exam changed since `revision` was read, NotFound."""
    definition = exams.parse_definition(raw)
    if exam_id is None:
        return exams.create_exam(session=session, definition=definition, actor_id=actor_id)
    if len(exam_id) <= 32:
        # one save of an exam at a time, so two saves from the same page cannot both pass the revision check
        session.get(Exam, exam_id, with_for_update=True, populate_existing=True)
    target = edit_target(session=session, exam_id=exam_id)
    if target.revision != revision:
        raise Conflict(
            f"Version {target.view.version} of {target.view.code} changed since you opened it "
            "(someone else saved or published it): reload the editor and make your changes again.",
            code="version_conflict",
        )
    if definition.code.upper() != target.view.code:
        raise InvalidInput(
            f"The code of exam {target.view.code} cannot change.",
            code="exam_code_fixed",
            details={"problems": [{"field": "code", "message": f"the code stays {target.view.code}"}]},
        )
    if target.saves_new_version:
        return exams.new_version(session=session, exam_id=exam_id, definition=definition, actor_id=actor_id)
    changed = session.execute(
        update(ExamVersion)
        .where(
            col(ExamVersion.exam_id) == exam_id,
            col(ExamVersion.version) == target.view.version,
            col(ExamVersion.status) == ExamStatus.DRAFT,
        )
        .values(title=definition.title, definition=definition.model_dump(mode="json"))
    )
    if not getattr(changed, "rowcount", 0):
        raise Conflict("The draft was published by someone else just now.", code="version_conflict")
    record(
        session=session,
        kind=AuditKind.EXAM_DRAFT_CHANGED,
        actor_id=actor_id,
        subject=f"exam:{exam_id}/{target.view.version}",
        detail={"from": target.revision, "to": revision_of(definition)},
    )
    session.flush()
    session.expire_all()
    return exams.get_version(session=session, exam_id=exam_id, version=target.view.version)
