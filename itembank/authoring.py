"""Items and their versions: reading them, writing a new draft version, previewing and checking a key.

Every version is stored through `version_values`, where author markup is cleaned. Services take the session as a
keyword and never commit; errors are examengine's domain errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import (
    select,
    update,
)
from sqlmodel import Session, col

from examengine.clock import utcnow
from examengine.errors import Conflict, InvalidInput, NotFound
from itembank import scoring
from itembank.cleaning import clean_content
from itembank.content import ItemContent, ItemMetadata, content_from_json, content_to_json
from itembank.formats.native import item_from_dict, validation_message
from itembank.keycheck import unreadable
from itembank.models import (
    Item,
    ItemStatus,
    ItemTransition,
    ItemVersion,
    ItemVersionTag,
)
from itembank.runnable import processing_problems
from itembank.search import ENEMY, TAG, index_text

_TAGS = re.compile(r"<[^>]+>")


_SPACES = re.compile(r"\s+")


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


def plain_text(content: ItemContent) -> str:
    """What the text search looks in: the item's identifier (its code when it was created with one), title, stem,
    prompts and options, without markup, lower-cased."""
    parts = [content.identifier, content.title, content.stem]
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


def version_values(
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


def version_view(item: Item, row: ItemVersion) -> VersionView:
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


def load_item(session: Session, item_id: str) -> Item:
    item = session.get(Item, item_id) if len(item_id) <= 32 else None
    if item is None:
        raise NotFound("No such item.", code="item_not_found")
    return item


def load_version(session: Session, item_id: str, version: int) -> ItemVersion:
    row = session.get(ItemVersion, (item_id, version))
    if row is None:
        raise NotFound(f"The item has no version {version}.", code="version_not_found")
    return row


def get_item(*, session: Session, item_id: str) -> ItemDetail:
    item = load_item(session, item_id)
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
        tuple(version_view(item, r) for r in rows),
        tuple(TransitionView(h.version, h.from_status, h.to_status, h.actor_id, h.at, h.comment) for h in history),
    )


def get_version(*, session: Session, item_id: str, version: int) -> VersionView:
    return version_view(load_item(session, item_id), load_version(session, item_id, version))


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
    item = load_item(session, item_id)
    latest = load_version(session, item_id, item.latest_version)
    content = changed_content(content_from_json(latest.content), changes)
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
    values, label_values = version_values(item_id, item.number, new_number, content, metadata, actor_id, utcnow())
    row = ItemVersion(**values)
    session.add(row)
    session.flush()
    session.add_all([ItemVersionTag(**label) for label in label_values])
    index_text(session, [values])
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
    return version_view(item, row)


def changed_content(content: ItemContent, changes: Mapping[str, Any]) -> ItemContent:
    try:
        if "content" in changes:
            edited = content_from_json(dict(changes["content"]))
            problems = processing_problems(edited)
            if problems:
                raise InvalidInput(f"The item cannot be scored: {'; '.join(problems)}.", code="invalid_content")
            return edited
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
    except ValidationError as error:
        raise InvalidInput(
            f"The item content is not valid: {validation_message(error)}", code="invalid_content"
        ) from None
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"The item content is not valid: {error}", code="invalid_content") from None
    return content


def content_for_preview(source: Mapping[str, Any], *, native: bool) -> ItemContent:
    """Compile an edited item without storing it (raises InvalidInput saying what is wrong)."""
    return changed_content(content_from_json({"identifier": "preview"}), {"native" if native else "content": source})


def single_response_identifier(content: ItemContent) -> str:
    if len(content.responses) != 1:
        names = [r.identifier for r in content.responses]
        example = ", ".join(f'"{name}": …' for name in names[:2])
        raise InvalidInput(
            f"This item has {len(names)} responses ({', '.join(names) or 'none'}): give a value for each, keyed by "
            f"its identifier, like {{{example}}}.",
            code="responses_required",
            details={"field": "responses", "identifiers": names},
        )
    return content.responses[0].identifier


def score_preview(*, session: Session, item_id: str, version: int, responses: Mapping[str, Any]) -> scoring.ScoreResult:
    """Score responses against a version's key, as an author checks it (raises InvalidInput for bad values)."""
    content = content_from_json(load_version(session, item_id, version).content)
    unknown = sorted(set(responses) - {r.identifier for r in content.responses})
    if unknown:
        raise InvalidInput(f"The item has no response {', '.join(unknown)}.", code="unknown_response")
    problems = unreadable(content, responses)
    if problems:
        raise InvalidInput(
            f"That response cannot be read, so it was not scored: {'; '.join(problems)}.",
            code="unreadable_response",
            details={"problems": problems},
        )
    try:
        return scoring.score(content, responses)
    except (ValueError, TypeError) as error:
        raise InvalidInput(f"That response cannot be scored: {error}", code="unscorable_response") from None
