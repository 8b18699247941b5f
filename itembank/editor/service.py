"""Saving what the editor wrote: a new item, or a new draft version of one (approved versions stay as they are)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.errors import Conflict
from itembank.authoring import VersionView, create_version, load_item
from itembank.formats.common import ImportedItem, ImportResult
from itembank.formats.native_compile import compile_item
from itembank.formats.native_kinds import NativeItem
from itembank.importing import ImportedRef, import_items

EDITOR = "the item editor"


def create_item(*, session: Session, native: Mapping[str, Any], actor_id: str) -> ImportedRef:
    """Store a validated native item (from `native_from_form`) as a new item with a first draft version."""
    item = NativeItem.model_validate(native)
    result = ImportResult(items=[ImportedItem(content=compile_item(item), metadata=item.metadata, file=EDITOR)])
    created = import_items(session=session, result=result, actor_id=actor_id).imported[0]
    _audit(session, actor_id, created.item_id, 1, "written in the item editor")
    return created


def save_version(
    *, session: Session, item_id: str, native: Mapping[str, Any], base_version: int | None, actor_id: str
) -> VersionView:
    """A new draft version holding `native`, as the YAML editor's save makes one. Raises Conflict when a version was
    saved after `base_version`, the one the author opened (their form would silently undo it)."""
    latest = load_item(session, item_id).latest_version
    if base_version is not None and base_version != latest:
        raise Conflict(
            f"Version {latest} was saved after you opened version {base_version}. Your changes are kept below: "
            f"open version {latest} in another tab, copy what you need, and save again.",
            code="version_conflict",
        )
    metadata = NativeItem.model_validate(native).metadata
    changes = {
        "native": dict(native),
        "domain": metadata.domain,
        "tags": list(metadata.tags),
        "enemy_groups": list(metadata.enemy_groups),
        "language": metadata.language,
        "expected_seconds": metadata.expected_seconds,
        "source": metadata.source,
    }
    view = create_version(session=session, item_id=item_id, changes=changes, actor_id=actor_id)
    _audit(session, actor_id, item_id, view.version, f"edited in the item editor from version {latest}")
    return view


def _audit(session: Session, actor_id: str, item_id: str, version: int, comment: str) -> None:
    """A version the editor saved enters the workflow as a draft: recorded as the review moves are."""
    detail = {"from": None, "to": "draft", "comment": comment}
    record(
        session=session,
        kind=AuditKind.ITEM_TRANSITION,
        actor_id=actor_id,
        subject=f"item:{item_id}/{version}",
        detail=detail,
    )
