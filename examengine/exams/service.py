"""Exams: drafts, versions, publishing with pinned item versions and a feasibility check.

Services take the session as a keyword and never commit.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, bindparam, func, select, update
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.caches import CacheKind
from examengine.clock import utcnow
from examengine.db import caches_of
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams.definition import DrawRule, ExamDefinition
from examengine.exams.models import Exam, ExamPoolEntry, ExamStatus, ExamVersion
from itembank.models import ItemStatus, ItemVersion, ItemVersionTag


@dataclass(frozen=True)
class ExamVersionView:
    exam_id: str
    code: str
    version: int
    status: ExamStatus
    title: str
    definition: ExamDefinition
    created_at: datetime
    published_at: datetime | None


@dataclass(frozen=True)
class PoolItemRow:
    """A pinned item version with what assembly needs to know about it."""

    item_id: str
    version: int
    domain: str | None
    tags: tuple[str, ...]
    enemy_groups: tuple[str, ...]
    points: float
    difficulty: float | None


@dataclass(frozen=True)
class RulePool:
    section: int
    rule: int  # -1: the section's fixed items
    description: str
    needed: int
    items: tuple[PoolItemRow, ...]


def parse_definition(raw: Mapping[str, Any]) -> ExamDefinition:
    """Validate a blueprint; raises InvalidInput naming each problem."""
    try:
        return ExamDefinition.model_validate(dict(raw))
    except ValidationError as error:
        problems = [
            {"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
            for e in error.errors(include_url=False, include_input=False)
        ]
        first = problems[0]
        raise InvalidInput(
            f"{first['field']}: {first['message']}", code="invalid_exam", details={"problems": problems}
        ) from None


def _definition_json(definition: ExamDefinition) -> dict[str, Any]:
    return definition.model_dump(mode="json")


PUBLISHED_DEFINITIONS: CacheKind[tuple[str, int, datetime | None], ExamDefinition] = CacheKind(
    "published definitions", 2_000
)


def _definition(session: Session, row: ExamVersion) -> ExamDefinition:
    """The version's definition. A version past draft never changes (and the model is frozen), so it is parsed
    once per process: starts, submits and scoring each read it. The key holds the publishing time, so that a
    publication rolled back (and the draft edited afterwards) never finds what was cached for it."""
    if row.status == ExamStatus.DRAFT:
        return ExamDefinition.model_validate(row.definition)
    key = (row.exam_id, row.version, row.published_at)
    cache = caches_of(session).of(PUBLISHED_DEFINITIONS)
    found = cache.get(key)
    if found is None:
        found = ExamDefinition.model_validate(row.definition)
        cache.put(key, found)
    return found


def _view(session: Session, exam: Exam, row: ExamVersion) -> ExamVersionView:
    return ExamVersionView(
        exam.id,
        exam.code,
        row.version,
        ExamStatus(row.status),
        row.title,
        _definition(session, row),
        row.created_at,
        row.published_at,
    )


def create_exam(*, session: Session, definition: ExamDefinition, actor_id: str | None) -> ExamVersionView:
    """A new exam with its first draft version. Raises Conflict when the code is taken."""
    code = definition.code.upper()
    if session.scalar(select(func.count()).select_from(Exam).where(col(Exam.code) == code)):
        raise Conflict(f"An exam with the code {code} exists: add a version to it instead.", code="exam_code_taken")
    exam = Exam(code=code, created_by=actor_id)
    session.add(exam)
    session.flush()
    row = ExamVersion(
        exam_id=exam.id,
        version=1,
        status=ExamStatus.DRAFT,
        title=definition.title,
        definition=_definition_json(definition),
        created_by=actor_id,
    )
    session.add(row)
    session.flush()
    return _view(session, exam, row)


def _exam(session: Session, exam_id: str) -> Exam:
    exam = session.get(Exam, exam_id) if len(exam_id) <= 32 else None
    if exam is None:
        raise NotFound("No such exam.", code="exam_not_found")
    return exam


def _version(session: Session, exam_id: str, version: int) -> ExamVersion:
    row = session.get(ExamVersion, (exam_id, version))
    if row is None:
        raise NotFound(f"The exam has no version {version}.", code="exam_version_not_found")
    return row


def new_version(*, session: Session, exam_id: str, definition: ExamDefinition, actor_id: str | None) -> ExamVersionView:
    """A new draft version of an exam (its code cannot change). Raises Conflict if a draft already exists."""
    exam = _exam(session, exam_id)
    if definition.code.upper() != exam.code:
        raise InvalidInput(f"The code of exam {exam.code} cannot change.", code="exam_code_fixed")
    latest = _version(session, exam_id, exam.latest_version)
    if latest.status == ExamStatus.DRAFT:
        raise Conflict(f"Version {latest.version} is still a draft: publish or change it first.", code="draft_exists")
    number = exam.latest_version + 1
    claimed = session.execute(
        update(Exam)
        .where(col(Exam.id) == exam_id, col(Exam.latest_version) == exam.latest_version)
        .values(latest_version=number)
    )
    if not getattr(claimed, "rowcount", 0):
        raise Conflict("Someone else added a version just now; reload and try again.", code="version_conflict")
    row = ExamVersion(
        exam_id=exam_id,
        version=number,
        status=ExamStatus.DRAFT,
        title=definition.title,
        definition=_definition_json(definition),
        created_by=actor_id,
    )
    session.add(row)
    session.flush()
    session.refresh(exam)
    return _view(session, exam, row)


def get_version(*, session: Session, exam_id: str, version: int | None = None) -> ExamVersionView:
    exam = _exam(session, exam_id)
    return _view(session, exam, _version(session, exam_id, version or exam.latest_version))


# Built once: the facts that say whether a version's definition is already parsed in this process.
VERSION_STATE = select(col(ExamVersion.status), col(ExamVersion.published_at)).where(
    col(ExamVersion.exam_id) == bindparam("b_exam_id"), col(ExamVersion.version) == bindparam("b_version")
)


def definition_of(*, session: Session, exam_id: str, version: int) -> ExamDefinition:
    """A version's definition: for a published one already parsed in this process, two plain columns are read
    instead of the version row with its whole definition (every start and submit asks)."""
    state = session.connection().execute(VERSION_STATE, {"b_exam_id": exam_id, "b_version": version}).first()
    if state is not None and state.status != ExamStatus.DRAFT:
        found = caches_of(session).of(PUBLISHED_DEFINITIONS).get((exam_id, version, state.published_at))
        if found is not None:
            return found
    return get_version(session=session, exam_id=exam_id, version=version).definition


def latest_published(*, session: Session, exam_id: str) -> ExamVersionView:
    exam = _exam(session, exam_id)
    row = session.scalars(
        select(ExamVersion)
        .where(col(ExamVersion.exam_id) == exam_id, col(ExamVersion.status) == ExamStatus.PUBLISHED)
        .order_by(col(ExamVersion.version).desc())
        .limit(1)
    ).first()
    if row is None:
        raise Conflict(f"Exam {exam.code} has no published version yet: publish it first.", code="exam_not_published")
    return _view(session, exam, row)


def list_exams(*, session: Session) -> list[ExamVersionView]:
    rows = session.execute(
        select(Exam, ExamVersion)
        .join(
            ExamVersion,
            and_(col(ExamVersion.exam_id) == col(Exam.id), col(ExamVersion.version) == col(Exam.latest_version)),
        )
        .order_by(col(Exam.code))
    ).all()
    return [_view(session, exam, row) for exam, row in rows]


def _pool_row(row: ItemVersion) -> PoolItemRow:
    return PoolItemRow(
        row.item_id,
        row.version,
        row.domain,
        tuple(row.tags),
        tuple(row.enemy_groups),
        row.max_score,
        row.p_value,
    )


def _approved_for_rule(session: Session, rule: DrawRule) -> list[PoolItemRow]:
    """The newest approved version of every item that a draw rule can draw from."""
    query = select(ItemVersion).where(col(ItemVersion.status) == ItemStatus.APPROVED)
    if rule.domain:
        query = query.where(col(ItemVersion.domain) == rule.domain)
    if rule.tag:
        query = query.where(
            select(col(ItemVersionTag.label))
            .where(
                col(ItemVersionTag.item_id) == col(ItemVersion.item_id),
                col(ItemVersionTag.version) == col(ItemVersion.version),
                col(ItemVersionTag.kind) == "tag",
                col(ItemVersionTag.label) == rule.tag,
            )
            .exists()
        )
    newest: dict[str, ItemVersion] = {}
    for row in session.scalars(query.order_by(col(ItemVersion.item_id), col(ItemVersion.version))):
        newest[row.item_id] = row
    return [_pool_row(row) for row in newest.values()]


def build_pools(*, session: Session, definition: ExamDefinition) -> list[RulePool]:
    """The item versions each section's fixed items and draw rules would pin, from the approved bank now."""
    pools: list[RulePool] = []
    for s_index, section in enumerate(definition.sections):
        if section.items:
            fixed = []
            for ref in section.items:
                row = session.get(ItemVersion, (ref.item_id, ref.version))
                if row is not None and row.status == ItemStatus.APPROVED:
                    fixed.append(_pool_row(row))
            pools.append(
                RulePool(s_index, -1, f"the fixed items of section {section.title!r}", len(section.items), tuple(fixed))
            )
        for r_index, rule in enumerate(section.draw):
            pools.append(
                RulePool(s_index, r_index, rule.describe(), rule.count, tuple(_approved_for_rule(session, rule)))
            )
    return pools


PINNED_POOLS: CacheKind[tuple[str, int], list[RulePool]] = CacheKind("pinned pools", 64)
_PINNED_LOADING = threading.Lock()


def pinned_pools(*, session: Session, exam_id: str, version: int) -> list[RulePool]:
    """The pools a published version pinned, as assembly needs them. A published version never changes, so the
    pools are kept per process: the start of an attempt does not reload the bank."""
    cache = caches_of(session).of(PINNED_POOLS)
    cached = cache.get((exam_id, version))
    if cached is not None:
        return cached
    with _PINNED_LOADING:  # one load at a time: a burst of starts must not each read a large pool at once
        cached = cache.get((exam_id, version))
        if cached is not None:
            return cached
        return _load_pinned_pools(session, exam_id, version)


def _load_pinned_pools(session: Session, exam_id: str, version: int) -> list[RulePool]:
    view = get_version(session=session, exam_id=exam_id, version=version)
    if view.status == ExamStatus.DRAFT:
        raise Conflict("This exam version is not published.", code="exam_not_published")
    entries = session.execute(
        select(
            col(ExamPoolEntry.section),
            col(ExamPoolEntry.rule),
            col(ItemVersion.item_id),
            col(ItemVersion.version),
            col(ItemVersion.domain),
            col(ItemVersion.tags),
            col(ItemVersion.enemy_groups),
            col(ItemVersion.max_score),
            col(ItemVersion.p_value),
        )
        .join(
            ItemVersion,
            and_(
                col(ItemVersion.item_id) == col(ExamPoolEntry.item_id),
                col(ItemVersion.version) == col(ExamPoolEntry.item_version),
            ),
        )
        .where(col(ExamPoolEntry.exam_id) == exam_id, col(ExamPoolEntry.exam_version) == version)
        .order_by(col(ExamPoolEntry.section), col(ExamPoolEntry.rule), col(ExamPoolEntry.item_id))
    ).all()
    by_rule: dict[tuple[int, int], list[PoolItemRow]] = {}
    for section, rule, item_id, item_version, domain, tags, enemies, points, p_value in entries:
        by_rule.setdefault((section, rule), []).append(
            PoolItemRow(item_id, item_version, domain, tuple(tags), tuple(enemies), points, p_value)
        )
    pools = []
    for s_index, section_plan in enumerate(view.definition.sections):
        if section_plan.items:
            listed = {(ref.item_id, ref.version): n for n, ref in enumerate(section_plan.items)}
            fixed = sorted(by_rule.get((s_index, -1), ()), key=lambda row: listed.get((row.item_id, row.version), 0))
            pools.append(
                RulePool(
                    s_index,
                    -1,
                    f"the fixed items of section {section_plan.title!r}",
                    len(section_plan.items),
                    tuple(fixed),
                )
            )
        for r_index, rule_plan in enumerate(section_plan.draw):
            pools.append(
                RulePool(
                    s_index, r_index, rule_plan.describe(), rule_plan.count, tuple(by_rule.get((s_index, r_index), ()))
                )
            )
    caches_of(session).of(PINNED_POOLS).put((exam_id, version), pools)
    return pools


def shortfalls(definition: ExamDefinition, pools: Sequence[RulePool]) -> list[dict[str, Any]]:
    """What keeps the pools from filling the blueprint on every form, per rule (enemy groups and items shared by
    rules taken into account)."""
    from examengine.exams.assembly.feasibility import feasibility
    from examengine.exams.forms import blueprint_and_pool

    found = feasibility(*blueprint_and_pool(definition, pools))
    return [
        {"section": f.section, "rule": f.rule, "needed": f.needed, "available": f.available, "message": f.message}
        for f in found
    ]


def publish(*, session: Session, exam_id: str, actor_id: str | None, now: datetime | None = None) -> ExamVersionView:
    """Publish the latest draft: pin the item versions behind every rule, or refuse with the shortfall per rule
    (InvalidInput with details["shortfalls"])."""
    exam = _exam(session, exam_id)
    row = _version(session, exam_id, exam.latest_version)
    if row.status != ExamStatus.DRAFT:
        raise Conflict(f"Version {row.version} is {row.status}; only a draft can be published.", code="not_a_draft")
    definition = ExamDefinition.model_validate(row.definition)
    pools = build_pools(session=session, definition=definition)
    missing = shortfalls(definition, pools)
    if missing:
        raise InvalidInput(
            "The item pool cannot fill the blueprint: " + "; ".join(m["message"] for m in missing) + ".",
            code="pool_shortfall",
            details={"shortfalls": missing},
        )
    session.add_all(
        ExamPoolEntry(
            exam_id=exam_id,
            exam_version=row.version,
            section=pool.section,
            rule=pool.rule,
            item_id=item.item_id,
            item_version=item.version,
        )
        for pool in pools
        for item in pool.items
    )
    published = session.execute(
        update(ExamVersion)
        .where(
            col(ExamVersion.exam_id) == exam_id,
            col(ExamVersion.version) == row.version,
            col(ExamVersion.status) == ExamStatus.DRAFT,
        )
        .values(status=ExamStatus.PUBLISHED, published_at=now or utcnow(), published_by=actor_id)
    )
    if not getattr(published, "rowcount", 0):
        raise Conflict("The version was published by someone else just now.", code="version_conflict")
    record(session=session, kind=AuditKind.EXAM_PUBLISHED, actor_id=actor_id, subject=f"exam:{exam_id}/{row.version}")
    session.flush()
    session.refresh(row)
    return _view(session, exam, row)
