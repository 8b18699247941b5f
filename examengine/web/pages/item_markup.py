"""An item's markup for the candidate's pages, made once per attempt, slot, pinned version and stored answer.

`render_item_html` is a pure function of the item's presented view (the pinned version in the attempt's own
order and identifiers, fixed when the attempt starts), the answer its controls show and whether they are
disabled: the process keeps what it made, so a page shown again with the same answer costs a lookup.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from examengine.caches import CacheKind, ProcessCaches
from examengine.delivery.answers import ItemForCandidate
from itembank.html import render_item_html

PREFIX = "r"  # the name prefix of the item form's fields
ITEM_MARKUP: CacheKind[tuple[Any, ...], Markup] = CacheKind("candidate_item_markup", 20_000)


def form_responses(item: ItemForCandidate) -> dict[str, Any]:
    """The stored answer as the item form's controls take it: {response id: value}."""
    if isinstance(item.response, dict):
        return item.response
    if item.view["interactions"] and item.response is not None:
        return {item.view["interactions"][0]["response_identifier"]: item.response}
    return {}


def item_markup(caches: ProcessCaches, attempt_id: str, item: ItemForCandidate, *, disabled: bool = False) -> Markup:
    responses = form_responses(item)
    key = (attempt_id, item.slot, item.pinned, disabled, json.dumps(responses, sort_keys=True))
    cache = caches.of(ITEM_MARKUP)
    found = cache.get(key)
    if found is None:
        found = render_item_html(item.view, responses=responses, name_prefix=PREFIX, disabled=disabled)
        cache.put(key, found)
    return found
