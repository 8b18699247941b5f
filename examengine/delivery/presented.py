"""How an attempt presents each slot's item (see `itembank.presentation`), kept per process.

Both doors show an item and take its answers through this module, so the opaque option identifiers, the option
orders and their mapping back to authored identifiers are one thing, computed once per attempt and slot from the
attempt's stored seed and presentation key. The save path looks the mapping up here: no database read when the
candidate's item page or API item was served by this process (the usual case), one read otherwise.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Any

from sqlmodel import Session

from examengine.delivery import attempts
from examengine.delivery.models import Attempt
from examengine.errors import InvalidInput, NotFound
from examengine.exams import pinned
from itembank.presentation import Presentation, UnknownOption, authored_response, presentation, presented_response

_SHOWN: dict[tuple[str, str, int], Presentation] = {}
_SHOWN_LIMIT = 30_000  # a slot's presentation is about a kilobyte


def new_presentation_key() -> str:
    """The per-attempt secret stored in the form document: a fixed form's seed is shared by everyone on the form
    (and derivable from the exam), so the seed alone must not decide identifiers one candidate could compute."""
    return secrets.token_urlsafe(18)


def _slot_key(attempt: Attempt, slot: int) -> str:
    return f"{attempt.form.get('presentation_key', '')}:{attempt.seed}:{attempt.id}:{slot}"


def slot_presentation(session: Session, attempt: Attempt, slot: int) -> Presentation:
    """How `attempt` presents the item in `slot` (NotFound for a slot the form does not have)."""
    cache_key = (attempt.id, attempt.user_id, slot)
    found = _SHOWN.get(cache_key)
    if found is not None:
        return found
    entry = attempt.form["slots"].get(str(slot))
    if entry is None:
        raise NotFound(f"The attempt has no item {slot}.", code="slot_not_found")
    content = pinned.pinned_content(session, entry["item_id"], entry["version"])
    found = presentation(content, _slot_key(attempt, slot), entry.get("option_orders"))
    if len(_SHOWN) >= _SHOWN_LIMIT:
        # the oldest entry goes; another thread may have just taken it or changed the dict
        with contextlib.suppress(RuntimeError, StopIteration):
            _SHOWN.pop(next(iter(_SHOWN)), None)
    _SHOWN[cache_key] = found
    return found


def cached(attempt_id: str, user_id: str, slot: int) -> Presentation | None:
    return _SHOWN.get((attempt_id, user_id, slot))


def load(*, session: Session, attempt_id: str, user_id: str, slot: int) -> Presentation:
    """The presentation of the user's own attempt's slot; NotFound for another's attempt or a missing slot.
    The attempt's other slots whose items this process has parsed are presented too: the one read of the
    attempt then serves every later save of it here."""
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    for number, entry in attempt.form["slots"].items():
        if pinned.is_parsed(entry["item_id"], entry["version"]) and int(number) != slot:
            slot_presentation(session, attempt, int(number))
    return slot_presentation(session, attempt, slot)


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
