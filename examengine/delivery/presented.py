"""How an attempt presents each slot's item (see `itembank.presentation`), kept per process.

Both doors show an item and take its answers through this module, so the opaque option identifiers, the option
orders and their mapping back to authored identifiers are one thing, computed once per attempt and slot from the
attempt's stored seed and presentation key. The save path looks the mapping up here: no database read when the
candidate's item page or API item was served by this process, or when it keeps the attempt's fixed facts and the
item's parsed content (delivery.attempt_facts, exams.pinned): the usual case, even when an exam day has more slots
under way than PRESENTATIONS holds. One short read otherwise.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from examengine.caches import CacheKind, ProcessCaches
from examengine.db import caches_of
from examengine.delivery.attempt_facts import FIXED, AttemptFacts, Fixed, fixed
from examengine.delivery.models import Attempt
from examengine.errors import InvalidInput, NotFound
from examengine.exams import pinned
from examengine.ids import random_token
from itembank.content import ItemContent
from itembank.presentation import Presentation, UnknownOption, authored_response, presentation, presented_response

# (attempt, user, slot) -> how the attempt presents the slot: about a kilobyte each
PRESENTATIONS: CacheKind[tuple[str, str, int], Presentation] = CacheKind("slot presentations", 30_000)


def new_presentation_key() -> str:
    """The per-attempt secret stored in the form document: a fixed form's seed is shared by everyone on the form
    (and derivable from the exam), so the seed alone must not decide identifiers one candidate could compute."""
    return random_token(18)


def _slot_key(attempt: Attempt | AttemptFacts | Fixed, slot: int) -> str:
    return f"{attempt.form.presentation_key or ''}:{attempt.seed}:{attempt.id}:{slot}"


def slot_presentation(session: Session, attempt: Attempt | AttemptFacts | Fixed, slot: int) -> Presentation:
    """How `attempt` presents the item in `slot` (NotFound for a slot the form does not have)."""
    caches = caches_of(session)
    found = caches.of(PRESENTATIONS).get((attempt.id, attempt.user_id, slot))
    if found is not None:
        return found
    entry = attempt.form.slots.get(slot)
    if entry is None:
        raise NotFound(f"The attempt has no item {slot}.", code="slot_not_found")
    return _made(caches, attempt, slot, pinned.pinned_content(session, entry.item_id, entry.version))


def cached(caches: ProcessCaches, attempt_id: str, user_id: str, slot: int) -> Presentation | None:
    """The slot's presentation from what this process keeps, made here if need be; None when something must be
    read first (`load`)."""
    found = caches.of(PRESENTATIONS).get((attempt_id, user_id, slot))
    if found is not None:
        return found
    kept = caches.of(FIXED).get(attempt_id)
    entry = None if kept is None or kept.user_id != user_id else kept.form.slots.get(slot)
    content = None if entry is None else caches.of(pinned.PINNED_CONTENT).get((entry.item_id, entry.version))
    if kept is None or content is None:
        return None
    return _made(caches, kept, slot, content)


def _made(
    caches: ProcessCaches, attempt: Attempt | AttemptFacts | Fixed, slot: int, content: ItemContent
) -> Presentation:
    """Make the presentation of a slot the attempt's form has, from its item's parsed content, and keep it."""
    entry = attempt.form.slots[slot]
    found = presentation(content, _slot_key(attempt, slot), entry.option_orders)
    caches.of(PRESENTATIONS).put((attempt.id, attempt.user_id, slot), found)
    return found


def load(*, session: Session, attempt_id: str, user_id: str, slot: int) -> Presentation:
    """The presentation of the user's own attempt's slot; NotFound for another's attempt or a missing slot."""
    kept = fixed(session.connection(), caches_of(session), attempt_id)
    if kept is None or kept.user_id != user_id:
        raise NotFound("No such attempt.", code="attempt_not_found")
    return slot_presentation(session, kept, slot)


def to_authored(shown: Presentation, response: Any) -> Any:
    """An answer as the candidate gave it (presented identifiers) in authored identifiers; InvalidInput (422,
    unknown_option) when it names an identifier this attempt did not show for the item."""
    try:
        return authored_response(shown, response)
    except UnknownOption as error:
        raise InvalidInput(
            f"The answer names {error.value!r}, which is not one of the options shown for this item: send the "
            "identifiers GET /api/v1/attempts/{attempt_id}/items/{slot} gives (they differ per attempt).",
            code="unknown_option",
        ) from None


def presented_responses(session: Session, attempt: Attempt, responses: dict[int, Any]) -> dict[int, Any]:
    """Stored answers {slot: value} in the identifiers the attempt shows its candidate."""
    return {slot: presented_response(slot_presentation(session, attempt, slot), r) for slot, r in responses.items()}
