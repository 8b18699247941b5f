"""Exporting items: the latest versions as a QTI 3.0 content package with their media."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from sqlalchemy import (
    and_,
    select,
)
from sqlmodel import Session, col

from examengine.errors import NotFound
from itembank.content import ItemContent, content_from_json, content_to_json
from itembank.media_types import EXTENSIONS
from itembank.models import (
    Item,
    ItemStatus,
    ItemVersion,
    Media,
)


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
