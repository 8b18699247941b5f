"""The content of pinned item versions, parsed once per process: versions never change once pinned on a form."""

from __future__ import annotations

from sqlmodel import Session

from examengine.caches import CacheKind
from examengine.db import caches_of
from examengine.errors import NotFound
from itembank.content import ItemContent, content_from_json
from itembank.models import ItemVersion

PINNED_CONTENT: CacheKind[tuple[str, int], ItemContent] = CacheKind("pinned item content", 20_000)


def pinned_content(session: Session, item_id: str, version: int) -> ItemContent:
    """A pinned item version's content; versions never change, so parsed content is kept per process."""
    key = (item_id, version)
    cache = caches_of(session).of(PINNED_CONTENT)
    found = cache.get(key)
    if found is None:
        row = session.get(ItemVersion, key)
        if row is None:
            raise NotFound("The item of this slot is missing from the bank.", code="item_missing")
        found = content_from_json(row.content)
        cache.put(key, found)
    return found
