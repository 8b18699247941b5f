"""The item bank's services: import, versions, the review workflow, search, scoring preview and export.

Services take the session as a keyword and never commit; errors are examengine's domain errors.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Column as SAColumn
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    Join,
    MetaData,
    Table,
    Text,
    and_,
    func,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.errors import Conflict, Forbidden, InvalidInput, NotFound
from examengine.ids import new_id
from itembank import scoring
from itembank.cleaning import clean_content
from itembank.content import ItemContent, ItemMetadata, content_from_json, content_to_json
from itembank.formats.common import ImportProblem, ImportResult
from itembank.formats.native import item_from_dict
from itembank.media_types import EXTENSIONS, SKIPPED_PACKAGE_FILES, allowed_list, media_type
from itembank.models import (
    ALLOWED_TRANSITIONS,
    ITEM_TABLE,
    LABEL_TABLE,
    SEARCH_TABLE,
    TRANSITION_TABLE,
    VERSION_TABLE,
    Item,
    ItemStatus,
    ItemTransition,
    ItemVersion,
    ItemVersionTag,
    Media,
    item_code,
)

PAGE_SIZE = 50
TAG = "tag"
ENEMY = "enemy"
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
# Text searches at least this long use the text index (SQLite FTS5 trigrams; pg_trgm too works from 3 characters).
TRIGRAM = 3

# SQLite's FTS5 trigram table of the latest versions' search_text, rowid = item number; made by migration 0006 and
# kept by this module (import and create_version), not part of the models' metadata.
_SEARCH = Table(SEARCH_TABLE, MetaData(), SAColumn("rowid", Integer, primary_key=True), SAColumn("search_text", Text))


class ImportMode(StrEnum):
    ALL_OR_NOTHING = "all_or_nothing"
    VALID_ONLY = "valid_only"


@dataclass(frozen=True)
class ImportedRef:
    item_id: str
    version: int
    code: str


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[ImportedRef, ...]
    errors: tuple[ImportProblem, ...]
    warnings: tuple[ImportProblem, ...]


@dataclass(frozen=True)
class VersionView:
    item_id: str
    code: str
    version: int
    status: ItemStatus
    title: str
    interaction: str
    max_score: float
    human_scored: bool
    domain: str | None
    tags: tuple[str, ...]
    enemy_groups: tuple[str, ...]
    language: str | None
    expected_seconds: int | None
    source: str | None
    author_id: str | None
    created_at: datetime
    content: ItemContent
    p_value: float | None
    discrimination: float | None
    stats_n: int | None
    stats_at: datetime | None = None


@dataclass(frozen=True)
class TransitionView:
    version: int
    from_status: str | None
    to_status: str
    actor_id: str | None
    at: datetime
    comment: str


@dataclass(frozen=True)
class ItemDetail:
    item_id: str
    code: str
    source_identifier: str | None
    latest_version: int
    versions: tuple[VersionView, ...]
    history: tuple[TransitionView, ...]

    @property
    def latest(self) -> VersionView:
        return self.versions[-1]


@dataclass(frozen=True)
class ItemSummary:
    item_id: str
    code: str
    latest_version: int
    status: ItemStatus
    title: str
    interaction: str
    domain: str | None
    tags: tuple[str, ...]
    author_id: str | None


@dataclass(frozen=True)
class ItemPage:
    items: tuple[ItemSummary, ...]
    next_cursor: str | None


def problem_dict(problem: ImportProblem) -> dict[str, Any]:
    return {"file": problem.file, "line": problem.line, "item": problem.item, "message": problem.message}


def plain_text(content: ItemContent) -> str:
    """What the text search looks in: title, stem, prompts and options, without markup, lower-cased."""
    parts = [content.title, content.stem]
    for interaction in content.interactions:
        parts.extend([interaction.prompt, interaction.content])
        parts.extend(choice.html for choice in (*interaction.choices, *interaction.targets))
    return _SPACES.sub(" ", _TAGS.sub(" ", " ".join(parts))).strip().lower()[:20_000]


def _clean_labels(values: Iterable[str], what: str) -> list[str]:
    labels: list[str] = []
    for value in values:
        label = str(value).strip()
        if not label:
            continue
        if len(label) > 100 or "\x00" in label:
            raise InvalidInput(f"The {what} {label[:40]!r}… is too long or holds a NUL: at most 100 characters.")
        if label not in labels:
            labels.append(label)
    return labels


def _version_values(
    item_id: str,
    item_number: int,
    version: int,
    content: ItemContent,
    metadata: ItemMetadata,
    author_id: str | None,
    now: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The columns of a new (latest, draft) version and of its label rows.

    Every version is stored through here, whichever door it came in by (an import of any format, the API, the
    editor in any mode), so this is where author markup is cleaned for storage: nothing can bypass it."""
    content = clean_content(content)
    tags = _clean_labels(metadata.tags, "tag")
    enemies = _clean_labels(metadata.enemy_groups, "enemy group")
    row: dict[str, Any] = {
        "item_id": item_id,
        "version": version,
        "item_number": item_number,
        "is_latest": True,
        "status": ItemStatus.DRAFT.value,
        "content": content_to_json(content),
        "title": (content.title or "")[:500],
        "search_text": plain_text(content),
        "interaction": ",".join(sorted({i.kind for i in content.interactions}))[:200],
        "max_score": scoring.max_score(content),
        "human_scored": content.human_scored,
        "domain": (metadata.domain or None),
        "tags": tags,
        "enemy_groups": enemies,
        "language": metadata.language or content.language,
        "expected_seconds": metadata.expected_seconds,
        "source": metadata.source,
        "author_id": author_id,
        "created_at": now,
        "p_value": None,
        "discrimination": None,
        "stats_n": None,
        "stats_at": None,
    }
    labels = [
        {"item_id": item_id, "version": version, "kind": kind, "label": label, "item_number": item_number}
        for kind, values in ((TAG, tags), (ENEMY, enemies))
        for label in values
    ]
    return row, labels


def _is_sqlite(session: Session) -> bool:
    return bool(session.get_bind().dialect.name == "sqlite")


def _index_text(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Put new latest versions into SQLite's text index, replacing their item's previous latest version
    (PostgreSQL's trigram index is on item_version itself)."""
    if rows and _is_sqlite(session):
        session.execute(
            insert(_SEARCH).prefix_with("OR REPLACE"),
            [{"rowid": row["item_number"], "search_text": row["search_text"]} for row in rows],
        )


def _lock_item_numbers(session: Session) -> int:
    """The next item number, with concurrent importers serialized (SQLite: BEGIN IMMEDIATE already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7301001)"))
    return int(session.scalar(select(func.coalesce(func.max(Item.number), 0))) or 0) + 1


def _media_types(media: Mapping[str, bytes]) -> dict[str, str]:
    """Package path -> content type of each file to store; InvalidInput naming every file that is no allowed media."""
    kept = {path: media_type(path) for path in media if not path.lower().endswith(SKIPPED_PACKAGE_FILES)}
    refused = sorted(path for path, kind in kept.items() if kind is None)
    if refused:
        names = ", ".join(repr(path[-200:]) for path in refused[:20])
        raise InvalidInput(
            f"The package holds files that are not media an item may use: {names}; nothing was imported. "
            f"Remove them: only {allowed_list()} files are taken (scripts, HTML, CSS and SVG never are).",
            code="unsupported_media",
            details={"files": refused[:100]},
        )
    return {path: kind for path, kind in kept.items() if kind is not None}


def _store_media(session: Session, media: Mapping[str, bytes]) -> dict[str, str]:
    """Store each file once by its SHA-256; returns package path -> the URL the content will use."""
    urls: dict[str, str] = {}
    for path, content_type in _media_types(media).items():
        data = media[path]
        digest = hashlib.sha256(data).hexdigest()
        if session.get(Media, digest) is None:
            session.add(
                Media(sha256=digest, content_type=content_type, size=len(data), data=data, original_name=path[-300:])
            )
        urls[path] = f"/media/{digest}"
    return urls


_LINKED_ATTRIBUTE = re.compile(r'(src|href|data)=\\"([^"\\]*)\\"')


def _relink(content: ItemContent, urls: Mapping[str, str]) -> ItemContent:
    if not urls:
        return content
    document = json.dumps(content_to_json(content))

    def relinked(match: re.Match[str]) -> str:
        return f'{match[1]}=\\"{urls.get(match[2], match[2])}\\"'

    # One pass over the document, whatever the number of media files (a replace per file was items x files).
    return content_from_json(json.loads(_LINKED_ATTRIBUTE.sub(relinked, document)))


def import_items(
    *,
    session: Session,
    result: ImportResult,
    mode: ImportMode = ImportMode.ALL_OR_NOTHING,
    actor_id: str | None = None,
) -> ImportReport:
    """Store what an importer read. With all_or_nothing, any error refuses the whole file (InvalidInput whose
    details hold every error) and nothing is stored; with valid_only the good items are stored and the errors
    reported."""
    errors = tuple(result.errors)
    warnings = tuple(p for p in result.problems if p.severity == "warning")
    if errors and mode == ImportMode.ALL_OR_NOTHING:
        raise InvalidInput(
            f"{len(errors)} problem(s) found; nothing was imported. Fix them, or import with valid_only.",
            code="import_rejected",
            details={"errors": [problem_dict(p) for p in errors]},
        )
    if not result.items:
        if errors:
            return ImportReport((), errors, warnings)
        raise InvalidInput("The file holds no items.", code="import_empty")
    urls = _store_media(session, result.media)
    number = _lock_item_numbers(session)
    now = utcnow()
    items: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    transitions: list[dict[str, Any]] = []
    for offset, entry in enumerate(result.items):
        item_id = new_id()
        item = {
            "id": item_id,
            "number": number + offset,
            "source_identifier": entry.content.identifier[:200],
            "latest_version": 1,
            "created_at": now,
            "created_by": actor_id,
        }
        row, row_labels = _version_values(
            item_id, number + offset, 1, _relink(entry.content, urls), entry.metadata, actor_id, now
        )
        items.append(item)
        versions.append(row)
        labels.extend(row_labels)
        transitions.append(
            {
                "item_id": item_id,
                "version": 1,
                "from_status": None,
                "to_status": ItemStatus.DRAFT.value,
                "actor_id": actor_id,
                "at": now,
                "comment": f"imported from {entry.file}"[:2000],
            }
        )
    # Core executemany, parents before children: building and flushing ORM objects cost most of an import.
    for table, batch in (
        (ITEM_TABLE, items),
        (VERSION_TABLE, versions),
        (LABEL_TABLE, labels),
        (TRANSITION_TABLE, transitions),
    ):
        if batch:
            session.execute(insert(table), batch)
    _index_text(session, versions)
    return ImportReport(tuple(ImportedRef(i["id"], 1, item_code(i["number"])) for i in items), errors, warnings)


def _view(item: Item, row: ItemVersion) -> VersionView:
    return VersionView(
        item_id=item.id,
        code=item.code,
        version=row.version,
        status=ItemStatus(row.status),
        title=row.title,
        interaction=row.interaction,
        max_score=row.max_score,
        human_scored=row.human_scored,
        domain=row.domain,
        tags=tuple(row.tags),
        enemy_groups=tuple(row.enemy_groups),
        language=row.language,
        expected_seconds=row.expected_seconds,
        source=row.source,
        author_id=row.author_id,
        created_at=row.created_at,
        content=content_from_json(row.content),
        p_value=row.p_value,
        discrimination=row.discrimination,
        stats_n=row.stats_n,
        stats_at=row.stats_at,
    )


def _item(session: Session, item_id: str) -> Item:
    item = session.get(Item, item_id) if len(item_id) <= 32 else None
    if item is None:
        raise NotFound("No such item.", code="item_not_found")
    return item


def _version(session: Session, item_id: str, version: int) -> ItemVersion:
    row = session.get(ItemVersion, (item_id, version))
    if row is None:
        raise NotFound(f"The item has no version {version}.", code="version_not_found")
    return row


def get_item(*, session: Session, item_id: str) -> ItemDetail:
    item = _item(session, item_id)
    rows = session.scalars(
        select(ItemVersion).where(col(ItemVersion.item_id) == item_id).order_by(col(ItemVersion.version))
    ).all()
    history = session.scalars(
        select(ItemTransition).where(col(ItemTransition.item_id) == item_id).order_by(col(ItemTransition.id))
    ).all()
    return ItemDetail(
        item.id,
        item.code,
        item.source_identifier,
        item.latest_version,
        tuple(_view(item, r) for r in rows),
        tuple(TransitionView(h.version, h.from_status, h.to_status, h.actor_id, h.at, h.comment) for h in history),
    )


def get_version(*, session: Session, item_id: str, version: int) -> VersionView:
    return _view(_item(session, item_id), _version(session, item_id, version))


EDITABLE_FIELDS = {
    "domain",
    "tags",
    "enemy_groups",
    "language",
    "expected_seconds",
    "source",
    "points",
    "native",
    "content",
}


def create_version(*, session: Session, item_id: str, changes: Mapping[str, Any], actor_id: str | None) -> VersionView:
    """A new draft version: the latest version with `changes` applied (metadata fields, `points` or the whole
    `native` item or QTI-model `content`). Raises InvalidInput naming a field that cannot be changed this way."""
    unknown = sorted(set(changes) - EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(
            f"These fields cannot be changed: {', '.join(unknown)}. Allowed: {', '.join(sorted(EDITABLE_FIELDS))}.",
            code="invalid_change",
        )
    if not changes:
        raise InvalidInput("Say what changes in the new version.", code="invalid_change")
    item = _item(session, item_id)
    latest = _version(session, item_id, item.latest_version)
    content = _changed_content(content_from_json(latest.content), changes)
    metadata = ItemMetadata(
        domain=changes.get("domain", latest.domain),
        tags=tuple(changes.get("tags", latest.tags)),
        enemy_groups=tuple(changes.get("enemy_groups", latest.enemy_groups)),
        language=changes.get("language", latest.language),
        expected_seconds=changes.get("expected_seconds", latest.expected_seconds),
        source=changes.get("source", latest.source),
    )
    new_number = item.latest_version + 1
    claimed = session.execute(
        update(Item)
        .where(col(Item.id) == item_id, col(Item.latest_version) == item.latest_version)
        .values(latest_version=new_number)
    )
    if not getattr(claimed, "rowcount", 0):
        raise Conflict(
            "Someone else saved a new version of this item just now; reload and try again.", code="version_conflict"
        )
    # the previous latest version stops being the latest before the new one is written (a unique partial index)
    session.execute(
        update(ItemVersion)
        .where(col(ItemVersion.item_id) == item_id, col(ItemVersion.version) == latest.version)
        .values(is_latest=False)
    )
    values, label_values = _version_values(item_id, item.number, new_number, content, metadata, actor_id, utcnow())
    row = ItemVersion(**values)
    session.add(row)
    session.flush()
    session.add_all([ItemVersionTag(**label) for label in label_values])
    _index_text(session, [values])
    session.add(
        ItemTransition(
            item_id=item_id,
            version=new_number,
            from_status=None,
            to_status=ItemStatus.DRAFT,
            actor_id=actor_id,
            comment=f"new version from version {latest.version}",
        )
    )
    session.flush()
    session.refresh(item)
    return _view(item, row)


def _changed_content(content: ItemContent, changes: Mapping[str, Any]) -> ItemContent:
    try:
        if "content" in changes:
            return content_from_json(dict(changes["content"]))
        if "native" in changes:
            return item_from_dict(dict(changes["native"]))
        if "points" in changes:
            if content.native is None:
                raise InvalidInput(
                    "Points can be changed here only on items written in the native format; edit "
                    "the item's scoring (QTI) instead.",
                    code="invalid_change",
                )
            return item_from_dict({**content.native, "points": changes["points"]})
    except (ValidationError, TypeError, ValueError) as error:
        raise InvalidInput(f"The item content is not valid: {error}", code="invalid_content") from None
    return content


def _unapproved_authors(session: Session, item_id: str, version: int) -> set[str | None]:
    """Who wrote the versions up to `version` since the item's last version that was ever approved: each of them
    wrote part of what an approval of `version` would vouch for."""
    approved_before = session.scalar(
        select(func.max(col(ItemTransition.version))).where(
            col(ItemTransition.item_id) == item_id,
            col(ItemTransition.version) < version,
            col(ItemTransition.to_status) == ItemStatus.APPROVED.value,
        )
    )
    return set(
        session.scalars(
            select(col(ItemVersion.author_id)).where(
                col(ItemVersion.item_id) == item_id,
                col(ItemVersion.version) > (approved_before or 0),
                col(ItemVersion.version) <= version,
            )
        )
    )


def transition(
    *,
    session: Session,
    item_id: str,
    version: int,
    to: ItemStatus,
    actor_id: str,
    comment: str = "",
    separation_of_duties: bool = True,
    now: datetime | None = None,
) -> VersionView:
    """Move a version along the review workflow. Raises Conflict for a move the workflow does not allow (naming
    the allowed ones) and Forbidden when an author would approve their own version."""
    item = _item(session, item_id)
    row = _version(session, item_id, version)
    current = ItemStatus(row.status)
    if to not in ALLOWED_TRANSITIONS[current]:
        allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "nothing (it is final)"
        raise Conflict(f"Version {version} is {current}; it can move to {allowed}.", code="invalid_transition")
    if (
        to == ItemStatus.APPROVED
        and separation_of_duties
        and actor_id in _unapproved_authors(session, item_id, version)
    ):
        raise Forbidden(
            "You wrote content of this version (in it or in an earlier version since the last approved one): "
            "another reviewer has to approve it.",
            code="separation_of_duties",
        )
    moved = session.execute(
        update(ItemVersion)
        .where(
            col(ItemVersion.item_id) == item_id, col(ItemVersion.version) == version, col(ItemVersion.status) == current
        )
        .values(status=to)
    )
    if not getattr(moved, "rowcount", 0):
        raise Conflict("The version changed status just now; reload and try again.", code="version_conflict")
    session.add(
        ItemTransition(
            item_id=item_id,
            version=version,
            from_status=current,
            to_status=to,
            actor_id=actor_id,
            at=now or utcnow(),
            comment=comment[:2000],
        )
    )
    record(
        session=session,
        kind=AuditKind.ITEM_TRANSITION,
        actor_id=actor_id,
        subject=f"item:{item_id}/{version}",
        detail={"from": current.value, "to": to.value, "comment": comment[:2000]},
    )
    session.flush()
    session.refresh(row)
    return _view(item, row)


def list_items(
    *,
    session: Session,
    status: str | None = None,
    domain: str | None = None,
    tag: str | None = None,
    q: str | None = None,
    author_id: str | None = None,
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> ItemPage:
    """Items by code with their latest version, filtered on that version, `limit` at a time.

    Reads only latest versions (is_latest, through partial indexes ordered by item number), driven from the most
    selective source: SQLite's trigram text index for a text of 3 or more characters, else the tag's labels,
    else the versions themselves (the planner picks the status, domain or author index)."""
    if cursor and (not cursor.isdigit() or len(cursor) > 9):
        raise InvalidInput("The cursor is not one this server gave out.", code="invalid_cursor")
    sqlite = _is_sqlite(session)
    version = VERSION_TABLE.c
    conditions: list[ColumnElement[bool]] = [_latest(sqlite)]
    source: FromClause = VERSION_TABLE
    number: ColumnElement[int] = version.item_number
    needle = q.strip().lower() if q else None
    if needle is not None and sqlite and len(needle) >= TRIGRAM:
        # the text index first (SQLite keeps a CROSS JOIN's order), in rowid = item-number order
        source = _CrossJoin(_SEARCH, VERSION_TABLE, and_(version.item_number == _SEARCH.c.rowid, _latest(sqlite)))
        number = _SEARCH.c.rowid
        conditions.append(_SEARCH.c.search_text.match('"' + needle.replace('"', '""') + '"'))
    elif tag:
        label = LABEL_TABLE.c
        source = _CrossJoin(
            LABEL_TABLE, VERSION_TABLE, and_(version.item_id == label.item_id, version.version == label.version)
        )
        number = label.item_number
        conditions += [label.kind == TAG, label.label == tag]
        tag = None
    if needle is not None:
        # also behind the text index: the index matches case-folded trigrams, this is the exact test
        conditions.append(version.search_text.like(f"%{_escape_like(needle)}%", escape="/"))
    if tag:
        conditions.append(
            select(LABEL_TABLE.c.label)
            .where(
                LABEL_TABLE.c.item_id == version.item_id,
                LABEL_TABLE.c.version == version.version,
                LABEL_TABLE.c.kind == TAG,
                LABEL_TABLE.c.label == tag,
            )
            .exists()
        )
    if status:
        conditions.append(version.status == ItemStatus(status).value)
    if domain:
        conditions.append(version.domain == domain)
    if author_id:
        conditions.append(version.author_id == author_id)
    if cursor:
        conditions.append(number > int(cursor))
    query = (
        select(
            version.item_id,
            version.item_number,
            version.version,
            version.status,
            version.title,
            version.interaction,
            version.domain,
            version.tags,
            version.author_id,
        )
        .select_from(source)
        .where(*conditions)
        .order_by(number)
        .limit(limit + 1)
    )
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    items = tuple(
        ItemSummary(
            row.item_id,
            item_code(row.item_number),
            row.version,
            ItemStatus(row.status),
            row.title,
            row.interaction,
            row.domain,
            tuple(row.tags),
            row.author_id,
        )
        for row in rows
    )
    return ItemPage(items, str(rows[-1].item_number) if more else None)


def _latest(sqlite: bool) -> ColumnElement[bool]:
    """The partial indexes' predicate, written as they are (SQLite matches it textually)."""
    if sqlite:
        return VERSION_TABLE.c.is_latest == literal_column("1")
    latest: ColumnElement[bool] = VERSION_TABLE.c.is_latest
    return latest


def _escape_like(value: str) -> str:
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_")


class _CrossJoin(Join):
    """An inner join that SQLite must run in the order written (`CROSS JOIN`); other engines see a JOIN."""

    inherit_cache = True


@compiles(_CrossJoin, "sqlite")
def _compile_cross_join(element: _CrossJoin, compiler: SQLCompiler, **kw: Any) -> str:
    kw.pop("asfrom", None)
    from_linter = kw.get("from_linter")
    if from_linter is not None:
        from_linter.edges.update(
            (left, right) for left in element.left._from_objects for right in element.right._from_objects
        )
    left = compiler.process(element.left, asfrom=True, **kw)
    right = compiler.process(element.right, asfrom=True, **kw)
    assert element.onclause is not None
    return f"{left} CROSS JOIN {right} ON {compiler.process(element.onclause, **kw)}"


def single_response_identifier(content: ItemContent) -> str:
    if len(content.responses) != 1:
        names = ", ".join(r.identifier for r in content.responses) or "none"
        raise InvalidInput(
            f"This item has several responses ({names}): send `responses` keyed by identifier.",
            code="responses_required",
        )
    return content.responses[0].identifier


def score_preview(*, session: Session, item_id: str, version: int, responses: Mapping[str, Any]) -> scoring.ScoreResult:
    """Score responses against a version's key, as an author checks it (raises InvalidInput for bad values)."""
    content = content_from_json(_version(session, item_id, version).content)
    unknown = sorted(set(responses) - {r.identifier for r in content.responses})
    if unknown:
        raise InvalidInput(f"The item has no response {', '.join(unknown)}.", code="unknown_response")
    try:
        return scoring.score(content, responses)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"That response cannot be scored: {error}", code="unscorable_response") from None


def versions_for_export(
    *, session: Session, status: str | None = None, item_ids: Sequence[str] | None = None
) -> list[ItemContent]:
    """The latest version of each selected item (by status or ids), as content to export."""
    query = (
        select(ItemVersion)
        .join(
            Item, and_(col(ItemVersion.item_id) == col(Item.id), col(ItemVersion.version) == col(Item.latest_version))
        )
        .order_by(col(Item.number))
    )
    if status:
        query = query.where(col(ItemVersion.status) == ItemStatus(status))
    if item_ids:
        query = query.where(col(Item.id).in_(list(item_ids)))
    return [content_from_json(row.content) for row in session.scalars(query)]


def get_media(*, session: Session, sha256: str) -> Media:
    media = session.get(Media, sha256) if len(sha256) == 64 else None
    if media is None:
        raise NotFound("No such file.", code="media_not_found")
    return media


_MEDIA_URL = re.compile(r"/media/([0-9a-f]{64})")


def export_package(*, session: Session, status: str | None = None, item_ids: Sequence[str] | None = None) -> bytes:
    """A QTI 3.0 content package of the selected items with their media, which imports back unchanged."""
    from itembank.formats.qti_write import export_package as write_package

    contents = versions_for_export(session=session, status=status, item_ids=item_ids)
    if not contents:
        raise NotFound("No items match that selection.", code="nothing_to_export")
    media: dict[str, bytes] = {}
    portable = []
    for content in contents:
        document = json.dumps(content_to_json(content))
        for digest in set(_MEDIA_URL.findall(document)):
            stored = session.get(Media, digest)
            if stored is None or stored.content_type not in EXTENSIONS:
                continue
            extension = EXTENSIONS.get(stored.content_type, "")
            path = f"media/{digest}{extension}"
            media[path] = stored.data
            document = document.replace(f"/media/{digest}", path)
        portable.append(content_from_json(json.loads(document)))
    return write_package(portable, media)


FORMATS = ("native", "qti", "gift", "aiken", "csv")


def read_upload(filename: str, data: bytes, fmt: str | None = None) -> ImportResult:
    """Parse an uploaded file in the named format, or the detected one; problems come back in the result."""
    from itembank.formats import aiken, csv_format, detect, gift, native, qti

    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.", code="unknown_format")
    importers: dict[str, Callable[[bytes, str], ImportResult]] = {
        "native": native.import_native,
        "qti": qti.import_package if data[:4] == b"PK\x03\x04" else qti.import_item_xml,
        "gift": gift.import_gift,
        "aiken": aiken.import_aiken,
        "csv": csv_format.import_csv,
    }
    try:
        return detect.import_file(filename, data) if fmt is None else importers[fmt](data, filename)
    except RecursionError:  # every reader limits nesting; this is the net under a reader that missed a path
        raise InvalidInput(
            f"{filename} nests its structure too deeply to read: flatten it", code="import_too_deep"
        ) from None


IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
MAX_MEDIA_BYTES = 5 * 1024 * 1024


def store_image(*, session: Session, name: str, data: bytes) -> str:
    """Store an uploaded image once by its content hash and return the URL to use in item content. Only PNG,
    JPEG, GIF and WebP are taken (recognised by their bytes, not their name): SVG can carry scripts."""
    if len(data) > MAX_MEDIA_BYTES:
        raise InvalidInput(f"The image is larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MiB.", code="media_too_large")
    content_type = next((kind for magic, kind in IMAGE_SIGNATURES.items() if data.startswith(magic)), None)
    if content_type is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        content_type = "image/webp"
    if content_type is None:
        raise InvalidInput("That file is not a PNG, JPEG, GIF or WebP image.", code="unsupported_media")
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Media, digest) is None:
        session.add(
            Media(sha256=digest, content_type=content_type, size=len(data), data=data, original_name=name[-300:])
        )
        session.flush()
    return f"/media/{digest}"


def recent_media(*, session: Session, limit: int = 50) -> list[tuple[str, str, int, str]]:
    rows = session.execute(
        select(col(Media.sha256), col(Media.original_name), col(Media.size), col(Media.content_type))
        .order_by(col(Media.created_at).desc())
        .limit(limit)
    ).all()
    return [(f"/media/{sha}", name, size, kind) for sha, name, size, kind in rows]


def content_for_preview(source: Mapping[str, Any], *, native: bool) -> ItemContent:
    """Compile an edited item without storing it (raises InvalidInput saying what is wrong)."""
    return _changed_content(content_from_json({"identifier": "preview"}), {"native" if native else "content": source})
