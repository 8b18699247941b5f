"""The content of pinned item versions, parsed once per process: versions never change once pinned on a form."""

from __future__ import annotations

from sqlmodel import Session

from examengine.errors import NotFound
from itembank.content import ItemContent, content_from_json
from itembank.models import ItemVersion

_PARSED: dict[tuple[str, int], ItemContent] = {}
_PARSED_LIMIT = 20_000


def pinned_content(session: Session, item_id: str, version: int) -> ItemContent:
    """A pinned item version's content; versions never change, so parsed content is kept per process."""
    key = (item_id, version)
    found = _PARSED.get(key)
    if found is None:
        row = session.get(ItemVersion, key)
        if row is None:
            raise NotFound("The item of this slot is missing from the bank.", code="item_missing")
        found = content_from_json(row.content)
        if len(_PARSED) < _PARSED_LIMIT:
            _PARSED[key] = found
    return found


def is_parsed(item_id: str, version: int) -> bool:
    """Whether this process holds the version's parsed content (no read to present it)."""
    return (item_id, version) in _PARSED
